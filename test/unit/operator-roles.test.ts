import { describe, expect, it } from 'vitest';
import { roleAllows, roleNeededFor } from '../../src/operators/roles.ts';

const ORDER = '/admin/orders/5b0f4c3e-7a52-4b8e-9d3c-1f2e3a4b5c6d';

describe('the role an admin request needs', () => {
  it.each([
    ['GET', '/admin/suppliers', 'viewer'],
    ['HEAD', '/admin/orders', 'viewer'],
    ['OPTIONS', '/admin/merchants/demo', 'viewer'],
    ['POST', `${ORDER}/resolve`, 'operator'],
    ['POST', `${ORDER}/retry`, 'operator'],
    ['POST', `${ORDER}/notifications`, 'operator'],
    ['POST', '/admin/reconciliations', 'operator'],
    ['POST', '/admin/blocked-numbers', 'operator'],
    ['DELETE', '/admin/blocked-numbers/13812345678', 'operator'],
    ['GET', '/admin/blocked-numbers', 'viewer'],
    ['GET', '/admin/risk-limits', 'viewer'],
    ['PATCH', '/admin/risk-limits', 'admin'],
    ['POST', '/admin/merchants', 'admin'],
    ['POST', '/admin/merchants/demo/top-ups', 'admin'],
    ['POST', '/admin/merchants/demo/keys', 'admin'],
    ['DELETE', '/admin/merchants/demo/keys/k', 'admin'],
    ['PATCH', '/admin/suppliers/sim-a', 'admin'],
    ['POST', '/admin/suppliers/sim-a/top-ups', 'admin'],
    // Any other spelling of an order action is an admin's (and no route serves it anyway).
    ['POST', `${ORDER}/resolve/`, 'admin'],
    ['POST', `${ORDER}/RESOLVE`, 'admin'],
    ['PUT', `${ORDER}/resolve`, 'admin'],
    ['PATCH', '/admin/blocked-numbers', 'admin'],
    ['DELETE', '/admin/blocked-numbers', 'admin'],
    ['POST', '/admin/blocked-numbers/13812345678', 'admin'],
  ])('%s %s needs %s', (method, path, role) => expect(roleNeededFor(method, path)).toBe(role));

  it('ranks the roles: an admin may all an operator may, an operator all a viewer may', () => {
    expect(roleAllows('admin', 'operator')).toBe(true);
    expect(roleAllows('operator', 'viewer')).toBe(true);
    expect(roleAllows('operator', 'admin')).toBe(false);
    expect(roleAllows('viewer', 'operator')).toBe(false);
  });
});
