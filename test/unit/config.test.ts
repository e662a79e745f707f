import { describe, expect, it } from 'vitest';
import { behaviourFromEnv } from '../../src/carrier-sim/behaviour.ts';
import { loadConfig } from '../../src/config.ts';

describe('configuration from the environment', () => {
  it('runs with development defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, SLA_SECONDS: 180, callbackUrl: 'http://127.0.0.1:3000/callbacks/carrier' });
  });

  it('treats empty variables as unset, as .env.example leaves them', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: '', DATABASE_URL: '', PORT: '' })).toMatchObject({ PORT: 3000, callbackUrl: 'http://127.0.0.1:3000/callbacks/carrier' });
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('names every invalid variable', () => {
    expect(() => loadConfig({ PORT: 'abc', SLA_SECONDS: '-1' })).toThrow(/PORT.*SLA_SECONDS|SLA_SECONDS.*PORT/);
  });

  it('refuses the development secrets in production, naming each', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow('CARRIER_CALLBACK_SECRET, ADMIN_TOKEN must be set in production');
    const secrets = { CARRIER_CALLBACK_SECRET: 'carrier-secret-from-vault', ADMIN_TOKEN: 'admin-token-from-vault' };
    expect(() => loadConfig({ NODE_ENV: 'production', ...secrets, ADMIN_TOKEN: 'dev-admin-token' })).toThrow('ADMIN_TOKEN must be set in production');
    expect(loadConfig({ NODE_ENV: 'production', ...secrets }).NODE_ENV).toBe('production');
  });

  it('reads the carrier simulator behaviour from CARRIER_SIM_* variables, defaulting to a healthy carrier', () => {
    expect(behaviourFromEnv({})).toMatchObject({ refusalRate: 0, serverErrorRate: 0, callbackLossRate: 0, callbackMaxDelayMs: 1000 });
    expect(behaviourFromEnv({ CARRIER_SIM_REFUSAL_RATE: '0.25', CARRIER_SIM_CALLBACK_MAX_DELAY_MS: '50', CARRIER_SIM_SEED: 's1' })).toMatchObject({
      refusalRate: 0.25,
      callbackMaxDelayMs: 50,
      seed: 's1',
    });
    expect(() => behaviourFromEnv({ CARRIER_SIM_REFUSAL_RATE: '2' })).toThrow();
  });
});
