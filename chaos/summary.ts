import { percentiles } from '../bench/stats.ts';
import { OPEN_STATUSES, OrderStatus } from '../src/shared/order-status.ts';
import { describeRunCarrier } from './carrier-behaviour.ts';
import type { CheckResults, CheckRow } from './checks.ts';
import type { Cluster } from './cluster.ts';
import type { FaultRecord } from './faults.ts';
import type { PlannedOrder, PollStats, RunMerchant } from './load.ts';
import { MERCHANT_BEHAVIOUR, type Delivery } from './merchant-endpoint.ts';
import type { ChaosOptions } from './options.ts';
import type { ChaosResult } from './report.ts';
import type { ReversalRecord } from './reversals.ts';

/** Orders nobody has decided yet; ESCALATED ones wait for an operator, which this run has none of. */
export const UNSETTLED: readonly string[] = OPEN_STATUSES.filter((status) => status !== OrderStatus.ESCALATED);

export interface Run {
  cluster: Cluster;
  merchants: RunMerchant[];
  planned: PlannedOrder[];
  startedAt: number;
  faults: FaultRecord[];
  polls: PollStats;
  deliveries: Delivery[];
  /** The reversals the run asked the suppliers for. */
  reversals: ReversalRecord[];
  /** How long the run waited after settling for every merchant to take its result. */
  notifyWaitSeconds: number;
}

/** Every answer the API gave a merchant, submissions (every try) and polls together, by HTTP status ('network': none). */
export function merchantAnswers(run: Pick<Run, 'planned' | 'polls'>): Record<string, number> {
  const answers: Record<string, number> = { ...run.polls.answers };
  for (const order of run.planned) for (const answer of order.attempts) answers[answer] = (answers[answer] ?? 0) + 1;
  return answers;
}

/** Checks that are about the run itself rather than the books. */
export function runChecksOfTheRun(
  run: Run,
  checked: CheckResults,
  leaks: number,
  options: Pick<ChaosOptions, 'settleTimeoutSeconds'>,
): CheckRow[] {
  const { cluster, planned, faults } = run;
  const notAccepted = planned.filter((order) => !order.orderId).length;
  const unsettled = checked.orders.filter((order) => UNSETTLED.includes(order.status)).length;
  const answers = merchantAnswers(run);
  const row = (check: string, value: number): CheckRow => ({ check, value, expected: '0', ok: value === 0 });
  return [
    row(`orders not settled (neither final nor ESCALATED) ${options.settleTimeoutSeconds} s after the load`, unsettled),
    row('orders a merchant could not place (no answer in 3 min of re-sending)', notAccepted),
    row('answers of HTTP 500 to merchants (submissions and polls)', answers['500'] ?? 0),
    {
      check: 'answers of HTTP 503 to merchants (expected while the database is away), of other 5xx, of none',
      value: `${answers['503'] ?? 0}, ${Object.entries(answers)
        .filter(([status]) => /^5\d\d$/.test(status) && status !== '500' && status !== '503')
        .reduce((sum, [, n]) => sum + n, 0)}, ${answers.network ?? 0}`,
      expected: '(reported)',
      ok: true,
    },
    row('faults that could not be injected', faults.filter((fault) => fault.error).length),
    row('processes that exited by themselves', cluster.unexpectedExits.length),
    row('log lines with a full phone number, API key or secret (every process, shutdown included)', leaks),
  ];
}

const percent = (rate: number) => `${Math.round(rate * 100)}%`;

export const describeMerchantEndpoint = () =>
  `the merchants' endpoint answers ${percent(MERCHANT_BEHAVIOUR.failureRate)} of deliveries 5xx, never answers ${percent(MERCHANT_BEHAVIOUR.hangRate)} ` +
  `(the sender times out), takes ${percent(MERCHANT_BEHAVIOUR.lostAnswerRate)} but its answer is cut off (so they come again: duplicates), ` +
  `and takes the next after ${MERCHANT_BEHAVIOUR.maxFailuresInARow} in a row not taken`;

export function summarise(
  run: Run,
  checked: CheckResults,
  rows: CheckRow[],
  { runStart, options }: { runStart: number; options: ChaosOptions },
): ChaosResult {
  const { planned, startedAt, faults } = run;
  const count = (status: string) => checked.orders.filter((order) => order.status === status).length;
  const lastFinal = Math.max(...checked.orders.map((order) => order.finishedAt?.getTime() ?? 0));
  const answers: Record<string, number> = {};
  for (const order of planned) for (const answer of order.attempts) answers[answer] = (answers[answer] ?? 0) + 1;
  const lastDelivery = Math.max(0, ...run.deliveries.map((delivery) => delivery.receivedAt));
  return {
    command: `npm run chaos -- ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt: new Date(runStart).toISOString(),
    seed: options.seed,
    slaSeconds: options.slaSeconds,
    carrier: describeRunCarrier(),
    merchantEndpoint: describeMerchantEndpoint(),
    orders: {
      planned: planned.length,
      rate: options.rate,
      accepted: planned.filter((order) => order.orderId).length,
      succeeded: count('SUCCEEDED'),
      failed: count('FAILED'),
      reversed: count('REVERSED'),
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
    merchantAnswers: merchantAnswers(run),
    notifications: {
      deliveries: run.deliveries.length,
      waitedSeconds: run.notifyWaitSeconds,
      lastDeliverySeconds: lastDelivery > 0 ? (lastDelivery - startedAt) / 1000 : undefined,
    },
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
