import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';

export interface TemporalSecuritySettings {
  TEMPORAL_TLS?: boolean | undefined;
  TEMPORAL_TLS_CERT_PATH?: string | undefined;
  TEMPORAL_TLS_KEY_PATH?: string | undefined;
  TEMPORAL_TLS_CA_PATH?: string | undefined;
  TEMPORAL_TLS_SERVER_NAME?: string | undefined;
  TEMPORAL_API_KEY?: string | undefined;
}

/** How the platform's clients and workers reach a real Temporal cluster: TLS (mTLS with a client certificate) and an API key. */
export interface TemporalSecurity {
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

/**
 * From the settings: a client certificate and key (mTLS, e.g. a self-hosted
 * cluster or Temporal Cloud with certificates), a CA for a private server
 * certificate, or an API key (Temporal Cloud; it implies TLS). None of them:
 * plain gRPC, as the dev server speaks.
 */
export function temporalSecurity(settings: TemporalSecuritySettings): TemporalSecurity {
  const {
    TEMPORAL_TLS_CERT_PATH: certPath,
    TEMPORAL_TLS_KEY_PATH: keyPath,
    TEMPORAL_TLS_CA_PATH: caPath,
    TEMPORAL_TLS_SERVER_NAME: serverName,
    TEMPORAL_API_KEY: apiKey,
  } = settings;
  if ((certPath === undefined) !== (keyPath === undefined))
    throw new Error('TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together (mTLS)');
  const tlsConfig: TLSConfig = {
    ...(certPath && keyPath && { clientCertPair: { crt: readFileSync(certPath), key: readFileSync(keyPath) } }),
    ...(caPath && { serverRootCACertificate: readFileSync(caPath) }),
    ...(serverName && { serverNameOverride: serverName }),
  };
  const tls = Object.keys(tlsConfig).length > 0 ? tlsConfig : Boolean(settings.TEMPORAL_TLS || apiKey);
  return { ...(tls && { tls }), ...(apiKey && { apiKey }) };
}
