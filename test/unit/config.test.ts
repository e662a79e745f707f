import { describe, expect, it } from 'vitest';
import { behaviourFromEnv } from '../../src/carrier-sim/behaviour.ts';
import { loadConfig } from '../../src/config.ts';
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
      'CARRIER_CALLBACK_SECRET, ADMIN_TOKEN, PAYLOAD_CODEC_KEYS must be set in production',
    );
    const secrets = {
      CARRIER_CALLBACK_SECRET: 'carrier-secret-from-vault',
      ADMIN_TOKEN: 'admin-token-from-vault',
      PAYLOAD_CODEC_KEYS: newCodecKeyEntry('k1'),
    };
    expect(() => loadConfig({ NODE_ENV: 'production', ...secrets, ADMIN_TOKEN: 'dev-admin-token' })).toThrow(
      'ADMIN_TOKEN must be set in production',
    );
    expect(loadConfig({ NODE_ENV: 'production', ...secrets }).NODE_ENV).toBe('production');
  });

  it('reads the payload codec keys, and in production trusts no Web UI origin unless told', () => {
    const [k1, k2] = [newCodecKeyEntry('k1'), newCodecKeyEntry('k2')];
    expect(
      loadConfig({ PAYLOAD_CODEC_KEYS: `${k1},${k2}`, PAYLOAD_CODEC_ACTIVE_KEY: 'k2' }).payloadCodecKeys?.activeKeyId,
    ).toBe('k2');
    expect(loadConfig({}).payloadCodecKeys).toBeUndefined();
    expect(() => loadConfig({ PAYLOAD_CODEC_KEYS: 'k1:c2hvcnQ=' })).toThrow('payload codec key "k1" must be 32 bytes');
    expect(loadConfig({}).codecUiOrigins).toEqual(['http://127.0.0.1:8233', 'http://localhost:8233']);
    const production = {
      NODE_ENV: 'production',
      CARRIER_CALLBACK_SECRET: 'carrier-secret-from-vault',
      ADMIN_TOKEN: 'admin-token-from-vault',
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
