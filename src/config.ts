import type { BreakerSettings } from './suppliers/breaker.ts';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { parseCodecKeys, type CodecKeys } from './temporal/payload-codec.ts';

/** Development defaults of the secrets; in production each must be set, or start-up fails. */
export const DEV_SECRETS = {
  CARRIER_CALLBACK_SECRET: 'dev-carrier-callback-secret',
} as const;

/** The admin API's development bootstrap token (an admin named bootstrap-admin); production refuses ADMIN_TOKEN. */
export const DEV_ADMIN_TOKEN = 'dev-admin-token';

/** The codec server's development token; only the codec server itself needs it set in production. */
export const DEV_CODEC_SERVER_TOKEN = 'dev-codec-server-token';

const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Where the carrier reaches our callback endpoint (defaults to this API). */
  PUBLIC_BASE_URL: z.url().optional(),
  CARRIER_CALLBACK_SECRET: z.string().min(16).default(DEV_SECRETS.CARRIER_CALLBACK_SECRET),
  /** Development only: `npm start` creates a demo merchant with this API key (and prints it). */
  DEMO_MERCHANT_API_KEY: z.string().min(16).default('dev-demo-merchant-key'),
  /** Development only: the demo merchant's secret for its result notifications. */
  DEMO_MERCHANT_CALLBACK_SECRET: z.string().min(16).default('dev-demo-merchant-callback-secret'),
  /**
   * Development only: a bearer token of the admin API acting as the admin
   * `bootstrap-admin`. Production refuses it: operators have tokens of their
   * own (npm run admin -- operators add).
   */
  ADMIN_TOKEN: z.string().min(12).optional(),
  /** Requests per second one merchant may send to one API process (429 with Retry-After beyond). */
  MERCHANT_RATE_LIMIT_PER_SECOND: z.coerce.number().int().positive().default(50),
  /** Reads per second (polls, balance, ledger) a merchant may send by default, counted apart from its submissions. */
  MERCHANT_READ_RATE_LIMIT_PER_SECOND: z.coerce.number().int().positive().default(200),
  /** API-key lookups that may fail per client address per minute; beyond, the address gets 429 for a minute. */
  FAILED_KEY_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(20),
  /** Behind a load balancer: the header naming the client's address (its first entry), e.g. x-forwarded-for. */
  CLIENT_ADDRESS_HEADER: z.string().optional(),
  /** Optional webhook that receives every escalation. */
  ALERT_WEBHOOK_URL: z.url().optional(),
  /** host:port where the worker serves Prometheus metrics (Temporal SDK metrics and the escalation counter). */
  WORKER_METRICS_ADDRESS: z.string().optional(),
  /** The Worker Deployment every worker of this platform is a version of. */
  WORKER_DEPLOYMENT_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('recharge-orders'),
  /** This build's id (its workers' version); default: the compiled build's, or the package version and git commit. */
  BUILD_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.+-]{1,128}$/)
    .optional(),
  /** The carrier of orders started before suppliers (their in-flight calls and status questions). */
  CARRIER_BASE_URL: z.url().default('http://127.0.0.1:4000'),
  /** Faults in a row (timeouts, connection errors, 5xx) that open a supplier's circuit breaker. */
  SUPPLIER_BREAKER_FAULTS: z.coerce.number().int().positive().default(5),
  /** How long an open breaker stays open before one probe goes through. */
  SUPPLIER_BREAKER_COOL_DOWN_MS: z.coerce.number().int().positive().default(15_000),
  // At most 10 s: a retried attempt makes two calls (status, then submit) within the activity's 30 s timeout.
  CARRIER_TIMEOUT_MS: z.coerce.number().int().positive().max(10_000).default(10_000),
  SLA_SECONDS: z.coerce.number().int().positive().default(180),
  /** A slow order's SLA (慢充: cheaper channels that may take a day). */
  SLOW_SLA_SECONDS: z.coerce.number().int().positive().default(86_400),
  DATABASE_URL: z.string().optional(),
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  /** A real cluster: TLS (true), mTLS (a client certificate and its key, PEM files), a private CA, an API key (implies TLS). */
  TEMPORAL_TLS: z.stringbool().optional(),
  TEMPORAL_TLS_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().optional(),
  TEMPORAL_TLS_CA_PATH: z.string().optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
  TEMPORAL_API_KEY: z.string().optional(),
  DATA_DIR: z.string().default('.data'),
  /** Ports of what `npm start` runs itself when TEMPORAL_ADDRESS / DATABASE_URL are not set. */
  TEMPORAL_DEV_PORT: z.coerce.number().int().positive().default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().positive().default(8233),
  EMBEDDED_PG_PORT: z.coerce.number().int().positive().default(54329),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /**
   * Keys of the payload codec, `id:base64,...` (32 random bytes each): every
   * payload Temporal stores is encrypted with the active one. Every process
   * needs the same list; to rotate, add a new key, make it active, and keep
   * the old ones while histories encrypted with them exist. Required in
   * production; `npm start` makes one in DATA_DIR.
   */
  PAYLOAD_CODEC_KEYS: z.string().optional(),
  /** The key id new payloads are encrypted with (default: the first key). */
  PAYLOAD_CODEC_ACTIVE_KEY: z.string().optional(),
  /** The codec server (the Web UI's and the CLI's view of encrypted payloads). */
  CODEC_SERVER_HOST: z.string().default('127.0.0.1'),
  CODEC_SERVER_PORT: z.coerce.number().int().min(0).max(65535).default(8234),
  /** Bearer token of the codec server (the CLI's --codec-auth); must be set in production. */
  CODEC_SERVER_TOKEN: z.string().min(16).default(DEV_CODEC_SERVER_TOKEN),
  /** Web UI origins whose pages may call the codec server, comma-separated (default in development: the dev server's UI). */
  CODEC_UI_ORIGINS: z.string().optional(),
});

export type Config = z.infer<typeof configSchema> & {
  /** ADMIN_TOKEN (or its development default) outside production; undefined in production. */
  adminBootstrapToken: string | undefined;
  callbackUrl: string;
  publicBaseUrl: string;
  /** Undefined only in development without PAYLOAD_CODEC_KEYS: payloads are then stored as they are. */
  payloadCodecKeys: CodecKeys | undefined;
  codecUiOrigins: string[];
  /** The suppliers' circuit breaker, as the worker's calls and routing and the API's first routes apply it. */
  breaker: BreakerSettings;
};

/** Environment variables set to an empty string count as unset, as in .env.example. */
export function presentVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
}

/** A setting that keeps a process from starting: its message says why and which setting to change. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function codecKeysOf({ PAYLOAD_CODEC_KEYS: keys, PAYLOAD_CODEC_ACTIVE_KEY: active }: z.infer<typeof configSchema>) {
  try {
    return keys === undefined ? undefined : parseCodecKeys(keys, active);
  } catch (error) {
    throw new ConfigError(`PAYLOAD_CODEC_KEYS: ${(error as Error).message}`);
  }
}

/** Reads the configuration from the environment (and from ./.env, if present, without overriding it). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  if (env === process.env && existsSync('.env')) process.loadEnvFile('.env');
  const parsed = configSchema.safeParse(presentVariables(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const config = parsed.data;
  if (config.NODE_ENV === 'production') {
    const unset: string[] = (Object.keys(DEV_SECRETS) as (keyof typeof DEV_SECRETS)[]).filter(
      (name) => config[name] === DEV_SECRETS[name],
    );
    if (!config.PAYLOAD_CODEC_KEYS) unset.push('PAYLOAD_CODEC_KEYS');
    if (unset.length > 0) throw new ConfigError(`${unset.join(', ')} must be set in production`);
    if (config.ADMIN_TOKEN !== undefined)
      throw new ConfigError(
        'ADMIN_TOKEN is a development bootstrap and is refused in production: unset it, and give each operator a token of their own (npm run admin -- operators add <name> --role admin)',
      );
  }
  const publicBase = config.PUBLIC_BASE_URL ?? `http://127.0.0.1:${config.PORT}`;
  const devUi = [`http://127.0.0.1:${config.TEMPORAL_UI_PORT}`, `http://localhost:${config.TEMPORAL_UI_PORT}`];
  return {
    ...config,
    adminBootstrapToken: config.NODE_ENV === 'production' ? undefined : (config.ADMIN_TOKEN ?? DEV_ADMIN_TOKEN),
    publicBaseUrl: publicBase,
    callbackUrl: new URL('/callbacks/carrier', publicBase).toString(),
    payloadCodecKeys: codecKeysOf(config),
    codecUiOrigins:
      config.CODEC_UI_ORIGINS?.split(',')
        .map((origin) => origin.trim())
        .filter(Boolean) ?? (config.NODE_ENV === 'production' ? [] : devUi),
    breaker: { faultsToOpen: config.SUPPLIER_BREAKER_FAULTS, coolDownMs: config.SUPPLIER_BREAKER_COOL_DOWN_MS },
  };
}
