import { describe, expect, it } from 'vitest';
import { sign, verify } from '../../src/util/signature.ts';

describe('callback signature', () => {
  const body = '{"orderId":"o-1","status":"SUCCESS"}';

  it('is the hex HMAC-SHA256 of the raw body', () => {
    // Reference value computed independently: printf '%s' "$body" | openssl dgst -sha256 -hmac secret
    expect(sign('secret', body)).toBe('2c0ee9ee1f8b3568b0f4dc36fa4773a2a0d41934f3b9c52561d96cc73884a943');
  });

  it('verifies the right signature, in either hex case', () => {
    expect(verify('secret', body, sign('secret', body))).toBe(true);
    expect(verify('secret', body, sign('secret', body).toUpperCase())).toBe(true);
  });

  it('refuses a wrong secret, a changed body, and missing or malformed signatures', () => {
    expect(verify('secret', body, sign('other', body))).toBe(false);
    expect(verify('secret', `${body} `, sign('secret', body))).toBe(false);
    expect(verify('secret', body, undefined)).toBe(false);
    expect(verify('secret', body, 'abc')).toBe(false);
    expect(verify('secret', body, 'z'.repeat(64))).toBe(false);
  });
});
