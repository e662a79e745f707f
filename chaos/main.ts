/**
 * npm run chaos: the system as separate processes (2 workers, 2 API
 * replicas, Temporal, PostgreSQL, the carrier) under open-loop load while
 * its parts are killed, frozen and cut off; then the books are checked.
 * Exits non-zero on any violation. See docs/resilience.md.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCleanups } from '../bench/cleanups.ts';
import { percentiles } from '../bench/stats.ts';
import { runChecks, readOrders, type CheckRow } from './checks.ts';
import { startCluster } from './cluster.ts';
import { runFaults } from './faults.ts';
import { createMerchants, planOrders, pollOrders, submitOrders } from './load.ts';
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
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanups.runAll().then(() => process.exit(130)));

/** The carrier for the whole run: lossy and duplicating callbacks, some early, some refusals, failures and hung answers. */
const CARRIER_BEHAVIOUR = {
  CARRIER_SIM_SEED: options.seed,
  CARRIER_SIM_CALLBACK_LOSS_RATE: '0.2',
  CARRIER_SIM_CALLBACK_DUPLICATE_RATE: '0.2',
  CARRIER_SIM_EARLY_CALLBACK_RATE: '0.1',
  CARRIER_SIM_REFUSAL_RATE: '0.05',
  CARRIER_SIM_FAILURE_RATE: '0.1',
  CARRIER_SIM_TIMEOUT_RATE: '0.03',
  CARRIER_SIM_HANG_MS: '15000',
  CARRIER_SIM_CALLBACK_MIN_DELAY_MS: '200',
  CARRIER_SIM_CALLBACK_MAX_DELAY_MS: '3000',
};
const OPEN = ['PENDING', 'PROCESSING', 'UNKNOWN'];

async function main(): Promise<boolean> {
  const runStart = Date.now();
  log(`chaos: ${options.orders} orders at ${options.rate}/s, faults ${options.faults.join(', ') || 'none'}, seed ${options.seed}; output in ${options.out}`);
  const cluster = await startCluster({ workDir: join(options.out, 'data'), logDir, cleanups, slaSeconds: options.slaSeconds, carrierBehaviour: CARRIER_BEHAVIOUR });
  const merchants = await createMerchants(cluster);
  const planned = planOrders(options.orders, merchants, options.seed);
  const loadSeconds = options.orders / options.rate;
  log(`cluster up in ${((Date.now() - runStart) / 1000).toFixed(1)} s; load for ${loadSeconds.toFixed(0)} s`);

  const startedAt = Date.now();
  const stopPolling = new AbortController();
  const polls = pollOrders(cluster, planned, { pollers: options.pollers, intervalMs: options.pollMs, stop: stopPolling.signal });
  const faults = runFaults(cluster, options.faults, { startedAt, loadSeconds, durations: options.durations, log });
  const load = await submitOrders(cluster, planned, options.rate);
  log(`[+${((Date.now() - startedAt) / 1000).toFixed(1)} s] all orders submitted; ${load.submissions.filter((s) => s.error).length} not accepted`);
  const faultRecords = await faults;

  const settleDeadline = Date.now() + options.settleTimeoutSeconds * 1000;
  for (;;) {
    const orders = await readOrders(cluster).catch(() => undefined);
    const open = orders?.filter((order) => OPEN.includes(order.status)).length;
    if (open === 0 || Date.now() > settleDeadline) break;
    log(`[+${((Date.now() - startedAt) / 1000).toFixed(1)} s] waiting for ${open ?? '?'} open orders`);
    await sleep(10_000);
  }
  stopPolling.abort();
  // Refunds follow the FAILED view write as their own activity: give the last ones a moment.
  await sleep(5_000);

  log('checking');
  const checks = await runChecks(cluster, planned, merchants);
  const orders = await readOrders(cluster);
  const leaks = scanLogs(logDir, {
    'the carrier callback secret': cluster.secrets.callbackSecret,
    'the admin token': cluster.secrets.adminToken,
    ...Object.fromEntries(merchants.flatMap((m, i) => [[`merchant ${i + 1}'s API key`, m.apiKey], [`merchant ${i + 1}'s callback secret`, m.callbackSecret]])),
  });
  for (const leak of leaks.slice(0, 10)) console.log(`   leak: ${leak.what} in ${leak.file}:${leak.line}`);
  const notAccepted = load.submissions.filter((s) => s.error).length;
  const open = orders.filter((order) => OPEN.includes(order.status)).length;
  const extraChecks: CheckRow[] = [
    { check: `orders still open (not final, not ESCALATED) ${options.settleTimeoutSeconds} s after the load`, value: open, expected: '0', ok: open === 0 },
    { check: 'orders a merchant could not place (no answer in 3 min of retries)', value: notAccepted, expected: '0', ok: notAccepted === 0 },
    { check: 'faults that could not be injected', value: faultRecords.filter((f) => f.error).length, expected: '0', ok: faultRecords.every((f) => !f.error) },
    { check: 'processes that exited by themselves', value: cluster.unexpectedExits.length, expected: '0', ok: cluster.unexpectedExits.length === 0 },
    { check: 'log lines with a full phone number, API key or secret', value: leaks.length, expected: '0', ok: leaks.length === 0 },
  ];
  const allChecks = [...checks, ...extraChecks];
  const count = (status: string) => orders.filter((order) => order.status === status).length;
  const lastFinal = Math.max(...orders.map((order) => order.finishedAt?.getTime() ?? 0));
  const lastFaultEnd = Math.max(0, ...faultRecords.map((f) => f.endedAt));
  const answers: Record<string, number> = {};
  for (const order of planned) for (const answer of order.attempts) answers[answer] = (answers[answer] ?? 0) + 1;

  const result: ChaosResult = {
    command: `npm run chaos -- ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt: new Date(runStart).toISOString(),
    seed: options.seed,
    slaSeconds: options.slaSeconds,
    orders: {
      planned: planned.length,
      rate: options.rate,
      accepted: planned.filter((order) => order.orderId).length,
      notAccepted,
      succeeded: count('SUCCEEDED'),
      failed: count('FAILED'),
      escalated: count('ESCALATED'),
      open,
    },
    submissions: {
      answers,
      retried: planned.filter((order) => order.attempts.length > 1).length,
      latencyMs: percentiles(planned.flatMap((order) => (order.acceptedAt && order.dueAt ? [order.acceptedAt - order.dueAt] : []))),
    },
    polls: (await polls).answers,
    faults: faultRecords,
    recoverySeconds: lastFinal > 0 && faultRecords.length > 0 ? (lastFinal - startedAt) / 1000 - lastFaultEnd : undefined,
    unexpectedExits: cluster.unexpectedExits.map((exit) => ({ ...exit, atSeconds: (exit.at - startedAt) / 1000 })),
    checks: allChecks,
    passed: allChecks.every((row) => row.ok),
    totalSeconds: (Date.now() - runStart) / 1000,
  };
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
