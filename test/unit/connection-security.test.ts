import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { temporalSecurity } from '../../src/temporal/connection-security.ts';

const dir = mkdtempSync(join(tmpdir(), 'temporal-tls-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('connecting to a real Temporal cluster', () => {
  it('speaks plain gRPC (the dev server) unless told otherwise', () => {
    expect(temporalSecurity(loadConfig({}))).toEqual({});
  });

  it('uses mTLS with the client certificate and key, a private CA and a server name when given', () => {
    const env = {
      TEMPORAL_TLS_CERT_PATH: file('client.pem', 'CERT'),
      TEMPORAL_TLS_KEY_PATH: file('client.key', 'KEY'),
      TEMPORAL_TLS_CA_PATH: file('ca.pem', 'CA'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    };
    const { tls } = temporalSecurity(loadConfig(env));
    expect(tls).toEqual({
      clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
      serverRootCACertificate: Buffer.from('CA'),
      serverNameOverride: 'temporal.internal',
    });
  });

  it('takes an API key (Temporal Cloud) over TLS, and TLS alone when asked', () => {
    expect(temporalSecurity(loadConfig({ TEMPORAL_API_KEY: 'cloud-api-key' }))).toEqual({
      tls: true,
      apiKey: 'cloud-api-key',
    });
    expect(temporalSecurity(loadConfig({ TEMPORAL_TLS: 'true' }))).toEqual({ tls: true });
  });

  it('refuses a certificate without its key', () => {
    expect(() => temporalSecurity(loadConfig({ TEMPORAL_TLS_CERT_PATH: file('only.pem', 'CERT') }))).toThrow(
      'TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together',
    );
  });
});
