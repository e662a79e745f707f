/**
 * npm run chaos: the system as separate processes (2 workers, 2 API
 * replicas, Temporal, PostgreSQL, two simulated suppliers) under open-loop load while
 * its parts are killed, frozen and cut off; then the books are checked.
 * Exits non-zero on any violation. See docs/resilience.md.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCleanups } from '../bench/cleanups.ts';
import { percentiles } from '../bench/stats.ts';
import { OPEN_STATUSES, OrderStatus } from '../src/shared/order-status.ts';
import { describeRunCarrier, runCarrierEnv } from './carrier-behaviour.ts';
import { runChecks, readOrders, type CheckResults, type CheckRow } from './checks.ts';
import { startCluster, type Cluster } from './cluster.ts';
import { runFaults, type FaultRecord } from './faults.ts';
import {
  createMerchants,
  planOrders,
  pollOrders,
  submitOrders,
  type PlannedOrder,
  type PollStats,
  type RunMerchant,
} from './load.ts';
import { scanLogs } from './log-scan.ts';
import { parseChaosOptions, USAGE } from './options.ts';
import { renderReport, type ChaosResult } from './report.ts';

const options = parseChaosOptions(process.argv.slice(2));
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const logDir = join(options.out, 'logs');
mkdirSync(logDir, { recursive: true });
const log = (line: string) => {
  console.log(line);
  appendFileSync(join(options.out, 'events.txt'), `${new Date().toISOString()} ${line}\n`);
};
const cleanups = createCleanups();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void cleanups.runAll().then(() => process.exit(130)));

/** Orders nobody has decided yet; ESCALATED ones wait for an operator, which this run has none of. */
const UNSETTLED: readonly string[] = OPEN_STATUSES.filter((status) => status !== OrderStatus.ESCALATED);

interface Run {
  cluster: Cluster;
  merchants: RunMerchant[];
  planned: PlannedOrder[];
  startedAt: number;
  faults: FaultRecord[];
  polls: PollStats;
}

/** The load, the merchants' polling and the faults, together; then waits until every order is settled (or the settle timeout). */
async function drive(cluster: Cluster): Promise<Run> {
  const merchants = await createMerchants(cluster);
  const planned = planOrders(options.orders, merchants, options.seed);
  const loadSeconds = options.orders / options.rate;
  log(`load for ${loadSeconds.toFixed(0)} s`);
  const startedAt = Date.now();
  const at = () => `[+${((Date.now() - startedAt) / 1000).toFixed(1)} s]`;
  const stopPolling = new AbortController();
  const polls = pollOrders(cluster, planned, {
    pollers: options.pollers,
    intervalMs: options.pollMs,
    stop: stopPolling.signal,
  });
  const faults = runFaults(cluster, options.faults, { startedAt, loadSeconds, durations: options.durations, log });
  const load = await submitOrders(cluster, planned, options.rate);
  log(`${at()} all orders submitted; ${load.submissions.filter((s) => s.error).length} not accepted`);
  const faultRecords = await faults;

  const settleDeadline = Date.now() + options.settleTimeoutSeconds * 1000;
  for (;;) {
    const unsettled = (await readOrders(cluster).catch(() => undefined))?.filter((order) =>
      UNSETTLED.includes(order.status),
    ).length;
    if (unsettled === 0 || Date.now() > settleDeadline) break;
    log(`${at()} waiting for ${unsettled ?? '?'} unsettled orders`);
    await sleep(10_000);
  }
  stopPolling.abort();
  // Refunds follow the FAILED view write as their own activity: give the last ones a moment.
  await sleep(5_000);
  return { cluster, merchants, planned, startedAt, faults: faultRecords, polls: await polls };
}

/** Checks that are about the run itself rather than the books. */
function runChecksOfTheRun(run: Run, checked: CheckResults, leaks: number): CheckRow[] {
  const { cluster, planned, faults } = run;
  const notAccepted = planned.filter((order) => !order.orderId).length;
  const unsettled = checked.orders.filter((order) => UNSETTLED.includes(order.status)).length;
  const row = (check: string, value: number): CheckRow => ({ check, value, expected: '0', ok: value === 0 });
  return [
    row(`orders not settled (neither final nor ESCALATED) ${options.settleTimeoutSeconds} s after the load`, unsettled),
    row('orders a merchant could not place (no answer in 3 min of re-sending)', notAccepted),
    row('faults that could not be injected', faults.filter((fault) => fault.error).length),
    row('processes that exited by themselves', cluster.unexpectedExits.length),
    row('log lines with a full phone number, API key or secret (every process, shutdown included)', leaks),
  ];
}

function summarise(run: Run, checked: CheckResults, rows: CheckRow[], runStart: number): ChaosResult {
  const { planned, startedAt, faults } = run;
  const count = (status: string) => checked.orders.filter((order) => order.status === status).length;
  const lastFinal = Math.max(...checked.orders.map((order) => order.finishedAt?.getTime() ?? 0));
  const answers: Record<string, number> = {};
  for (const order of planned) for (const answer of order.attempts) answers[answer] = (answers[answer] ?? 0) + 1;
  return {
    command: `npm run chaos -- ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt: new Date(runStart).toISOString(),
    seed: options.seed,
    slaSeconds: options.slaSeconds,
    carrier: describeRunCarrier(),
    orders: {
      planned: planned.length,
      rate: options.rate,
      accepted: planned.filter((order) => order.orderId).length,
      succeeded: count('SUCCEEDED'),
      failed: count('FAILED'),
      escalated: count('ESCALATED'),
      unsettled: checked.orders.filter((order) => UNSETTLED.includes(order.status)).length,
    },
    submissions: {
      answers,
      retried: planned.filter((order) => order.attempts.length > 1).length,
      latencyMs: percentiles(
        planned.flatMap((order) => (order.acceptedAt && order.dueAt ? [order.acceptedAt - order.dueAt] : [])),
      ),
    },
    polls: run.polls.answers,
    repeatedCarrierRequests: checked.repeatedRequests,
    faults,
    recoverySeconds:
      lastFinal > 0 && faults.length > 0
        ? (lastFinal - startedAt) / 1000 - Math.max(...faults.map((f) => f.endedAt))
        : undefined,
    unexpectedExits: run.cluster.unexpectedExits.map((exit) => ({ ...exit, atSeconds: (exit.at - startedAt) / 1000 })),
    checks: rows,
    passed: rows.every((row) => row.ok),
    totalSeconds: (Date.now() - runStart) / 1000,
  };
}

async function main(): Promise<boolean> {
  const runStart = Date.now();
  log(
    `chaos: ${options.orders} orders at ${options.rate}/s, faults ${options.faults.join(', ') || 'none'}, seed ${options.seed}; output in ${options.out}`,
  );
  const cluster = await startCluster({
    workDir: join(options.out, 'data'),
    logDir,
    cleanups,
    slaSeconds: options.slaSeconds,
    carrierBehaviour: (supplierId) => runCarrierEnv(`${options.seed}-${supplierId}`),
  });
  log(`cluster up in ${((Date.now() - runStart) / 1000).toFixed(1)} s`);
  const run = await drive(cluster);
  log('checking');
  const checked = await runChecks(cluster, run.planned, run.merchants);
  // Every process stops before its log is read, so lines written at shutdown are scanned too.
  await cleanups.runAll();
  const leaks = scanLogs(logDir, {
    secrets: {
      'the carrier callback secret': cluster.secrets.callbackSecret,
      'the admin token': cluster.secrets.adminToken,
      'the payload codec key': cluster.secrets.payloadCodecKeys.split(':')[1] as string,
      ...Object.fromEntries(
        run.merchants.flatMap((m, i) => [
          [`merchant ${i + 1}'s API key`, m.apiKey],
          [`merchant ${i + 1}'s callback secret`, m.callbackSecret],
        ]),
      ),
    },
    phones: run.planned.map((order) => order.phone),
  });
  for (const leak of leaks.slice(0, 10)) console.log(`   leak: ${leak.what} in ${leak.file}:${leak.line}`);
  const result = summarise(run, checked, [...checked.rows, ...runChecksOfTheRun(run, checked, leaks.length)], runStart);
  const report = renderReport(result);
  writeFileSync(join(options.out, 'report.md'), report);
  writeFileSync(join(options.out, 'report.json'), JSON.stringify(result, null, 2));
  console.log(`\n${report}`);
  return result.passed;
}

let passed = false;
try {
  passed = await main();
} catch (error) {
  console.error(error);
} finally {
  await cleanups.runAll();
}
process.exit(passed ? 0 : 1);
