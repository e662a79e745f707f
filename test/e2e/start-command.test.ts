import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/util/free-port.ts';
import { eventually } from '../integration/harness.ts';

let child: ChildProcess;
let dataDir: string;
let output = '';
const ports = { api: 0, carrier: 0, temporal: 0, ui: 0, pg: 0, codec: 0, workerMetrics: 0 };
/** The development default of DEMO_MERCHANT_API_KEY, as the README's examples use it. */
const demoMerchant = { authorization: 'Bearer dev-demo-merchant-key' };

beforeAll(async () => {
  for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
  dataDir = await mkdtemp(join(tmpdir(), 'recharge-start-'));
  const { DATABASE_URL: _db, TEMPORAL_ADDRESS: _temporal, DEMO_MERCHANT_API_KEY: _key, ...env } = process.env;
  child = spawn(process.execPath, ['--import', 'tsx', 'src/dev/start.ts'], {
    env: {
      ...env,
      PORT: String(ports.api),
      CARRIER_BASE_URL: `http://127.0.0.1:${ports.carrier}`,
      TEMPORAL_DEV_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      EMBEDDED_PG_PORT: String(ports.pg),
      CODEC_SERVER_PORT: String(ports.codec),
      WORKER_METRICS_ADDRESS: `127.0.0.1:${ports.workerMetrics}`,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Recharge platform is up')) resolve();
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`start exited with ${code}:\n${output}`)));
  });
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the start command (npm start) on a machine with no services', () => {
  it('prints where the API and the Temporal Web UI are, and both answer', async () => {
    expect(output).toContain(`http://127.0.0.1:${ports.api}`);
    expect(output).toContain(`http://127.0.0.1:${ports.ui}`);
    expect(output).toContain(demoMerchant.authorization);
    expect((await fetch(`http://127.0.0.1:${ports.api}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);
  });

  it("takes the demo merchant's order through to SUCCEEDED with its default healthy carrier, paid from its balance", async () => {
    const api = `http://127.0.0.1:${ports.api}`;
    const balance = async () =>
      ((await (await fetch(`${api}/balance`, { headers: demoMerchant })).json()) as { balanceFen: number }).balanceFen;
    expect(await balance()).toBe(1_000_000_000);
    const response = await fetch(`${api}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...demoMerchant },
      body: JSON.stringify({ merchantOrderNo: 'E2E-1', phone: '13812345678', amount: 10 }),
    });
    expect(response.status).toBe(202);
    const { orderId } = (await response.json()) as { orderId: string };
    // Another process runs the workflow: wait on the view it writes.
    const final = await eventually(async () => {
      const view = (await (await fetch(`${api}/orders/${orderId}`, { headers: demoMerchant })).json()) as {
        status: string;
        costFen: number;
        money: { type: string; amountFen: number }[];
      };
      return ['SUCCEEDED', 'FAILED'].includes(view.status) ? view : undefined;
    }, 20_000);
    expect(final).toMatchObject({
      status: 'SUCCEEDED',
      costFen: 1000,
      money: [{ type: 'ORDER_DEBIT', amountFen: -1000 }],
    });
    expect(await balance()).toBe(1_000_000_000 - 1000);
  });

  it('stops everything it started on Ctrl-C', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const port of Object.values(ports)) {
      await expect(fetch(`http://127.0.0.1:${port}/`), `port ${port}`).rejects.toThrow();
    }
  });
});
