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
import { runCarrierEnv } from './carrier-behaviour.ts';
import { runChecks, readOrders } from './checks.ts';
import { startCluster, type Cluster } from './cluster.ts';
import { runFaults } from './faults.ts';
import { createMerchants, planOrders, pollOrders, submitOrders } from './load.ts';
import { scanLogs } from './log-scan.ts';
import { merchantChecks, waitForDeliveries } from './merchant-checks.ts';
import { startMerchantEndpoint, type MerchantEndpoint } from './merchant-endpoint.ts';
import { parseChaosOptions, USAGE } from './options.ts';
import { renderReport } from './report.ts';
import { runReversals } from './reversals.ts';
import { runChecksOfTheRun, summarise, UNSETTLED, type Run } from './summary.ts';

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

/**
 * The load, the merchants' polling and the faults, together; then waits
 * until every order is settled (or the settle timeout), and every merchant
 * has taken its orders' results (or the notify timeout).
 */
async function drive(cluster: Cluster, endpoint: MerchantEndpoint): Promise<Run> {
  const merchants = await createMerchants(cluster, (id, secret) => endpoint.addMerchant(id, secret));
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
  const stopReversals = new AbortController();
  const reversals = runReversals(cluster, {
    share: options.reversalShare,
    seed: options.seed,
    stop: stopReversals.signal,
    log: (line) => log(`${at()} ${line}`),
  });
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
  stopReversals.abort();
  const reversed = await reversals;
  // Refunds follow the FAILED view write as their own activity (and the FAILED order's notification the refund).
  await sleep(5_000);
  const notifyWaitSeconds = await waitForDeliveries(
    endpoint,
    () => readOrders(cluster).catch(() => undefined),
    options.notifyTimeoutSeconds,
    (line) => log(`${at()} ${line}`),
  );
  return {
    cluster,
    merchants,
    planned,
    startedAt,
    faults: faultRecords,
    polls: await polls,
    reversals: reversed,
    deliveries: endpoint.deliveries,
    notifyWaitSeconds,
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
  const endpoint = await startMerchantEndpoint(options.seed);
  cleanups.add(endpoint.close);
  log(`cluster up in ${((Date.now() - runStart) / 1000).toFixed(1)} s`);
  const run = await drive(cluster, endpoint);
  log('checking');
  const checked = await runChecks(cluster, run.planned, run.merchants, run.reversals, run.startedAt);
  const told = merchantChecks(checked.orders, run.deliveries, run.notifyWaitSeconds);
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
  const rows = [...checked.rows, ...told, ...runChecksOfTheRun(run, checked, leaks.length, options)];
  const result = summarise(run, checked, rows, { runStart, options });
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
