import { describe, expect, it } from 'vitest';
import { behaviourFromEnv } from '../../src/carrier-sim/behaviour.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { newCodecKeyEntry } from '../../src/temporal/payload-codec.ts';

describe('configuration from the environment', () => {
  it('runs with development defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      SLA_SECONDS: 180,
      callbackUrl: 'http://127.0.0.1:3000/callbacks/carrier',
    });
  });

  it('treats empty variables as unset, as .env.example leaves them', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: '', DATABASE_URL: '', PORT: '' })).toMatchObject({
      PORT: 3000,
      callbackUrl: 'http://127.0.0.1:3000/callbacks/carrier',
    });
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('names every invalid variable', () => {
    expect(() => loadConfig({ PORT: 'abc', SLA_SECONDS: '-1' })).toThrow(/PORT.*SLA_SECONDS|SLA_SECONDS.*PORT/);
  });

  it('refuses the development secrets in production, naming each', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      new ConfigError('CARRIER_CALLBACK_SECRET, PAYLOAD_CODEC_KEYS must be set in production'),
    );
    const secrets = {
      CARRIER_CALLBACK_SECRET: 'carrier-secret-from-vault',
      PAYLOAD_CODEC_KEYS: newCodecKeyEntry('k1'),
    };
    expect(loadConfig({ NODE_ENV: 'production', ...secrets })).toMatchObject({
      NODE_ENV: 'production',
      adminBootstrapToken: undefined,
    });
  });

  it('takes ADMIN_TOKEN as the development bootstrap only, and refuses it in production', () => {
    expect(loadConfig({}).adminBootstrapToken).toBe('dev-admin-token');
    expect(loadConfig({ ADMIN_TOKEN: 'my-own-dev-token' }).adminBootstrapToken).toBe('my-own-dev-token');
    const production = {
      NODE_ENV: 'production',
      CARRIER_CALLBACK_SECRET: 'carrier-secret-from-vault',
      PAYLOAD_CODEC_KEYS: newCodecKeyEntry('k1'),
    };
    expect(() => loadConfig({ ...production, ADMIN_TOKEN: 'admin-token-from-vault' })).toThrow(
      /^ADMIN_TOKEN is a development bootstrap and is refused in production: unset it, and give each operator a token of their own \(npm run admin -- operators add <name> --role admin\)$/,
    );
  });

  it('reads the payload codec keys, and in production trusts no Web UI origin unless told', () => {
    const [k1, k2] = [newCodecKeyEntry('k1'), newCodecKeyEntry('k2')];
    expect(
      loadConfig({ PAYLOAD_CODEC_KEYS: `${k1},${k2}`, PAYLOAD_CODEC_ACTIVE_KEY: 'k2' }).payloadCodecKeys?.activeKeyId,
    ).toBe('k2');
    expect(loadConfig({}).payloadCodecKeys).toBeUndefined();
    expect(() => loadConfig({ PAYLOAD_CODEC_KEYS: 'k1:c2hvcnQ=' })).toThrow(
      new ConfigError('PAYLOAD_CODEC_KEYS: payload codec key "k1" must be 32 bytes, base64-encoded'),
    );
    expect(loadConfig({}).codecUiOrigins).toEqual(['http://127.0.0.1:8233', 'http://localhost:8233']);
    const production = {
      NODE_ENV: 'production',
      CARRIER_CALLBACK_SECRET: 'carrier-secret-from-vault',
      PAYLOAD_CODEC_KEYS: k1,
    };
    expect(loadConfig(production).codecUiOrigins).toEqual([]);
    expect(loadConfig({ ...production, CODEC_UI_ORIGINS: 'https://temporal.ops.example' }).codecUiOrigins).toEqual([
      'https://temporal.ops.example',
    ]);
  });

  it('reads the carrier simulator behaviour from CARRIER_SIM_* variables, defaulting to a healthy carrier', () => {
    expect(behaviourFromEnv({})).toMatchObject({
      refusalRate: 0,
      serverErrorRate: 0,
      callbackLossRate: 0,
      callbackMaxDelayMs: 1000,
    });
    expect(
      behaviourFromEnv({
        CARRIER_SIM_REFUSAL_RATE: '0.25',
        CARRIER_SIM_CALLBACK_MAX_DELAY_MS: '50',
        CARRIER_SIM_SEED: 's1',
      }),
    ).toMatchObject({
      refusalRate: 0.25,
      callbackMaxDelayMs: 50,
      seed: 's1',
    });
    expect(() => behaviourFromEnv({ CARRIER_SIM_REFUSAL_RATE: '2' })).toThrow();
  });
});
