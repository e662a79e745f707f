import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/util/free-port.ts';
import { waitUntilHealthy } from '../../src/dev/wait.ts';
import { makeCurrent } from '../../src/temporal/worker-deployment.ts';
import { CALLBACK_SECRET, TEST_CODEC_KEYS_ENV, eventually, startStack, type Stack } from '../integration/harness.ts';

/**
 * `npm run build` as the Dockerfile runs it, then the compiled processes
 * with plain `node` (no tsx): the worker loads the prebuilt workflow bundle
 * and runs an order to its end, and stops cleanly on SIGTERM.
 */
let stack: Stack;
const started: ChildProcess[] = [];

/** A compiled entry point under plain node, its output collected. */
function runCompiled(entry: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  started.push(child);
  return { child, output: () => output, exited: new Promise<number | null>((resolve) => child.once('exit', resolve)) };
}

beforeAll(async () => {
  await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { timeout: 240_000 });
  stack = await startStack();
  await stack.stopWorker();
  await stack.supplierWorkers.shutdown();
}, 300_000);

afterAll(async () => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  await stack?.stop();
});

describe('npm run build', () => {
  it('runs an order on the compiled worker with the prebuilt workflow bundle, which stops cleanly on SIGTERM', async () => {
    const production = {
      DATABASE_URL: stack.databaseUrl,
      TEMPORAL_ADDRESS: stack.env.address,
      PUBLIC_BASE_URL: stack.apiUrl,
      CARRIER_BASE_URL: stack.carrierUrl,
      CARRIER_CALLBACK_SECRET: CALLBACK_SECRET,
      PAYLOAD_CODEC_KEYS: TEST_CODEC_KEYS_ENV,
    };
    const worker = runCompiled('dist/src/worker/main.js', production);
    await eventually(
      async () => (worker.output().includes('Using the prebuilt workflow bundle') ? true : undefined),
      30_000,
    );
    // It runs as the build's own version (dist/build-info.json), which takes new orders once made current.
    const { buildId } = JSON.parse(await readFile('dist/build-info.json', 'utf8')) as { buildId: string };
    expect(worker.output()).toContain(`Worker build ${buildId} of deployment recharge-orders`);
    await makeCurrent(stack.env.client.workflowService, 'default', { deploymentName: 'recharge-orders', buildId });

    const response = await fetch(`${stack.apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...stack.merchant.headers },
      body: JSON.stringify({ merchantOrderNo: `BUILD-${randomUUID().slice(0, 8)}`, phone: '13812345678', amount: 50 }),
    });
    const { orderId } = (await response.json()) as { orderId: string };
    expect(
      await eventually(
        async () => ((await stack.orders.findById(orderId))?.status === 'SUCCEEDED' ? true : undefined),
        60_000,
      ),
    ).toBe(true);
    expect(worker.output()).not.toContain('Workflow bundle created');

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  }, 120_000);

  it('serves the compiled API', async () => {
    const port = await freePort();
    const api = runCompiled('dist/src/api/main.js', {
      DATABASE_URL: stack.databaseUrl,
      TEMPORAL_ADDRESS: stack.env.address,
      PORT: String(port),
      CARRIER_CALLBACK_SECRET: CALLBACK_SECRET,
      PAYLOAD_CODEC_KEYS: TEST_CODEC_KEYS_ENV,
    });
    await waitUntilHealthy(`http://127.0.0.1:${port}/readyz`, 30_000);
    api.child.kill('SIGTERM');
    await api.exited;
  }, 60_000);

  it.each([
    [
      'ADMIN_TOKEN set',
      { ADMIN_TOKEN: 'a-development-bootstrap' },
      /^API refused to start: ADMIN_TOKEN is a development bootstrap and is refused in production: unset it, .*npm run admin -- operators add/,
    ],
    [
      'a default secret',
      { CARRIER_CALLBACK_SECRET: '' },
      /^API refused to start: CARRIER_CALLBACK_SECRET must be set in production$/,
    ],
    [
      'the database unreachable',
      { DATABASE_URL: 'postgresql://app:hunter2@127.0.0.1:1/recharge' },
      /^API refused to start: cannot reach the database at 127\.0\.0\.1:1\/recharge \(.+\); check DATABASE_URL and that PostgreSQL runs$/,
    ],
  ])(
    'refuses to start in production with %s: one line naming the setting, no stack trace, no secret',
    async (_, env, line) => {
      const api = runCompiled('dist/src/api/main.js', {
        DATABASE_URL: stack.databaseUrl,
        TEMPORAL_ADDRESS: stack.env.address,
        PORT: String(await freePort()),
        CARRIER_CALLBACK_SECRET: CALLBACK_SECRET,
        PAYLOAD_CODEC_KEYS: TEST_CODEC_KEYS_ENV,
        ...env,
      });
      expect(await api.exited).toBe(1);
      const lines = api.output().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(line);
      expect(api.output()).not.toContain('hunter2');
    },
    60_000,
  );
});
