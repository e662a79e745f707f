import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FAULT_NAMES } from '../../chaos/faults.ts';
import type { ChaosResult } from '../../chaos/report.ts';

const ORDERS = 300;

/**
 * The CI-sized run: every fault once over a minute of load (the partition
 * between the workers and sim-a 15 s), every order with a notifyUrl at the
 * harness's faulty merchant endpoint; the full run is `npm run chaos` (docs/resilience.md).
 */
const ARGS = [
  '--orders',
  String(ORDERS),
  '--rate',
  '5',
  '--sla-seconds',
  '90',
  '--outage-seconds',
  '30',
  '--partition-seconds',
  '15',
  '--seed',
  'ci',
];

describe('chaos run (CI size)', () => {
  it(
    'loses no order and no fen, credits no phone twice and tells every merchant while workers, an API, Temporal, PostgreSQL and a supplier are killed, a supplier goes down and is cut off',
    async () => {
      const out = mkdtempSync(join(tmpdir(), 'chaos-ci-'));
      chmodSync(out, 0o755); // PostgreSQL runs as its own user (the run is root here) and must reach its data folder inside
      const output = openSync(join(out, 'output.txt'), 'a');
      const run = spawn(process.execPath, ['--import', 'tsx', 'chaos/main.ts', ...ARGS, '--out', out], {
        stdio: ['ignore', output, output],
      });
      const exited = new Promise<number | null>((resolve) => run.once('exit', resolve));
      // If this test times out or fails, the run still stops everything it started (SIGTERM runs its cleanups).
      onTestFinished(() => void (run.exitCode === null && run.kill('SIGTERM')));
      const exitCode = await exited;
      const result = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ChaosResult;

      expect(
        result.checks.filter((row) => !row.ok),
        `see ${out}/report.md`,
      ).toEqual([]);
      expect(exitCode).toBe(0);
      expect(result.checks.find((row) => row.check.startsWith('log lines with a full phone number'))?.value).toBe(0);
      expect(result.faults.map((fault) => fault.name).sort()).toEqual([...FAULT_NAMES].sort());
      expect(result.faults.filter((fault) => fault.error)).toEqual([]);
      expect(result.orders).toMatchObject({ planned: ORDERS, accepted: ORDERS, unsettled: 0 });
      expect(result.orders.succeeded + result.orders.failed + result.orders.reversed + result.orders.escalated).toBe(
        ORDERS,
      );
      // Suppliers reversed a share of the successful top-ups during the run (each once, checked above).
      expect(result.orders.reversed).toBeGreaterThan(0);
      // The faults hit work in flight: some submissions needed another try.
      expect(result.submissions.retried).toBeGreaterThan(0);
      // Every order's merchant was told, through 5xx, hung and cut-off deliveries (so more deliveries than orders).
      expect(result.notifications.deliveries).toBeGreaterThan(ORDERS);
      expect(result.merchantAnswers['500'] ?? 0).toBe(0);
    },
    15 * 60_000,
  );
});
