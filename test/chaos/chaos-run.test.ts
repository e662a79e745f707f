import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { phoneFor } from '../../bench/systems/system.ts';
import { FAULT_NAMES } from '../../chaos/faults.ts';
import type { ChaosResult } from '../../chaos/report.ts';

const ORDERS = 300;

/** The CI-sized run: every fault once over a minute of load; the full run is `npm run chaos` (docs/resilience.md). */
const ARGS = ['--orders', String(ORDERS), '--rate', '5', '--sla-seconds', '90', '--outage-seconds', '30', '--seed', 'ci'];

describe('chaos run (CI size)', () => {
  it(
    'loses no order and no fen while workers, an API, Temporal and PostgreSQL are killed and the carrier goes down',
    async () => {
      const out = mkdtempSync(join(tmpdir(), 'chaos-ci-'));
      chmodSync(out, 0o755); // PostgreSQL runs as its own user (the run is root here) and must reach its data folder inside
      const output = openSync(join(out, 'output.txt'), 'a');
      const run = spawn(process.execPath, ['--import', 'tsx', 'chaos/main.ts', ...ARGS, '--out', out], { stdio: ['ignore', output, output] });
      const exitCode = await new Promise<number | null>((resolve) => run.once('exit', resolve));
      const result = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ChaosResult;

      expect(result.checks.filter((row) => !row.ok), `see ${out}/report.md`).toEqual([]);
      expect(exitCode).toBe(0);
      expect(result.faults.map((fault) => fault.name).sort()).toEqual([...FAULT_NAMES].sort());
      expect(result.orders).toMatchObject({ planned: ORDERS, accepted: ORDERS, open: 0 });
      expect(result.orders.succeeded + result.orders.failed + result.orders.escalated).toBe(ORDERS);
      // The faults hit work in flight: some submissions needed another try.
      expect(result.submissions.retried).toBeGreaterThan(0);

      // Our own look at every log line of every process: no phone number of the run in full.
      const phones = new Set(Array.from({ length: ORDERS }, (_, i) => phoneFor(i)));
      const logDir = join(out, 'logs');
      const leaking = readdirSync(logDir).flatMap((file) =>
        readFileSync(join(logDir, file), 'utf8')
          .split('\n')
          .filter((line) => [...(line.match(/\d{11}/g) ?? [])].some((digits) => phones.has(digits)))
          .map((line) => `${file}: ${line.slice(0, 120)}`),
      );
      expect(leaking).toEqual([]);
    },
    15 * 60_000,
  );
});
