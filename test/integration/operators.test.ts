import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { untypedJson } from '../untyped-json.ts';
import { TEST_SUPPLIER_ID, createTestOperator, startStack, type Stack } from './harness.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const as = (headers: Record<string, string>, method: string, path: string, body?: unknown) =>
  fetch(`${stack.apiUrl}${path}`, {
    method,
    headers,
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });

/** `npm run admin -- operators ...` against the stack's database, as an admin runs it from a terminal. */
async function adminCli(...args: string[]) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'src/cli/admin.ts', 'operators', ...args],
    { env: { ...process.env, DATABASE_URL: stack.databaseUrl } },
  );
  return stdout.trim().split('\n');
}

describe('operators as people', () => {
  it('adds an operator from the command line with a token shown once and stored hashed, lists and revokes them', async () => {
    const [said, token] = await adminCli('add', 'olga', '--role', 'viewer');
    expect(said).toBe('Added olga (viewer). Their token, shown this once (send it as Authorization: Bearer <token>):');
    expect(token).toMatch(/^op_[A-Za-z0-9_-]{43}$/);
    const stored = await stack.prisma.operator.findUniqueOrThrow({ where: { name: 'olga' } });
    expect(stored.tokenHash).not.toContain(token as string);
    expect(stored.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    const olga = { authorization: `Bearer ${token}` };
    expect((await as(olga, 'GET', '/admin/orders')).status).toBe(200);
    expect((await adminCli('list')).find((line) => line.startsWith('olga\t'))).toMatch(
      /^olga\tviewer\tadded .*\tactive$/,
    );

    expect(await adminCli('revoke', 'olga')).toEqual(['Revoked olga: their token is refused from now on.']);
    expect(await untypedJson(await as(olga, 'GET', '/admin/orders'))).toMatchObject({ error: 'forbidden' });
    expect((await adminCli('list')).find((line) => line.startsWith('olga\t'))).toMatch(/\trevoked /);
    await expect(adminCli('add', 'olga', '--role', 'admin')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('an operator named olga exists already'),
    });
    await expect(adminCli('add', 'Olga Smith', '--role', 'root')).rejects.toMatchObject({ code: 2 });
  });

  it('lets a viewer read only, an operator act on orders but not on money or suppliers, an admin do all', async () => {
    const viewer = await createTestOperator(stack.prisma, 'vera', 'viewer');
    const operator = await createTestOperator(stack.prisma, 'otto', 'operator');
    const unknownOrder = '00000000-0000-4000-8000-000000000000';
    const resolve = { outcome: 'FAILED', note: 'carrier confirmed no credit' };

    expect((await as(viewer.headers, 'GET', `/admin/suppliers/${TEST_SUPPLIER_ID}`)).status).toBe(200);
    expect(
      await untypedJson(await as(viewer.headers, 'POST', `/admin/orders/${unknownOrder}/resolve`, resolve)),
    ).toMatchObject({
      error: 'role_forbidden',
      message: `vera is a viewer; POST /admin/orders/${unknownOrder}/resolve needs the operator role`,
    });
    // An operator gets past the role check to the order itself (which does not exist).
    expect((await as(operator.headers, 'POST', `/admin/orders/${unknownOrder}/resolve`, resolve)).status).toBe(404);
    for (const [method, path, body] of [
      ['PATCH', `/admin/suppliers/${TEST_SUPPLIER_ID}`, { weight: 2 }],
      ['POST', `/admin/merchants/${stack.merchant.id}/top-ups`, { amountFen: 100, requestId: 'r-1', note: 'x' }],
      ['POST', '/admin/merchants', { name: 'Acme', rates: { CMCC: 1, CUCC: 1, CTCC: 1 } }],
    ] as const) {
      const answer = await as(operator.headers, method, path, body);
      expect(answer.status).toBe(403);
      expect(await untypedJson(answer)).toMatchObject({
        error: 'role_forbidden',
        message: expect.stringContaining('needs the admin role'),
      });
    }
  });

  it('records the authenticated operator in every audit record, and refuses a body that names another', async () => {
    const ada = await createTestOperator(stack.prisma, 'ada', 'admin');
    const topUp = { amountFen: 100, requestId: 'audit-1', note: 'bank transfer' };
    const claimed = await as(ada.headers, 'POST', `/admin/merchants/${stack.merchant.id}/top-ups`, {
      ...topUp,
      operator: 'mallory',
    });
    expect(claimed.status).toBe(400);
    expect(await untypedJson(claimed)).toMatchObject({
      fields: [{ field: 'operator', message: 'is not a known field' }],
    });
    expect(await stack.prisma.ledgerEntry.count({ where: { requestId: 'audit-1' } })).toBe(0);

    const posted = await untypedJson(
      await as(ada.headers, 'POST', `/admin/merchants/${stack.merchant.id}/top-ups`, topUp),
    );
    expect(posted.entry).toMatchObject({ requestId: 'audit-1', operator: 'ada' });

    expect((await as(ada.headers, 'PATCH', `/admin/suppliers/${TEST_SUPPLIER_ID}`, { weight: 3 })).status).toBe(200);
    const supplierTopUp = { amountFen: 1_000, requestId: 'prepay-audit', note: 'prepaid' };
    const credited = await untypedJson(
      await as(ada.headers, 'POST', `/admin/suppliers/${TEST_SUPPLIER_ID}/top-ups`, supplierTopUp),
    );
    expect(credited.entry).toMatchObject({ operator: 'ada' });
    const supplier = await untypedJson(await as(ada.headers, 'GET', `/admin/suppliers/${TEST_SUPPLIER_ID}`));
    expect(supplier.recentChanges[0]).toMatchObject({ operator: 'ada', change: { weight: 3 } });
  });
});
