import type { Percentiles } from '../bench/stats.ts';
import type { CheckRow } from './checks.ts';
import type { FaultRecord } from './faults.ts';
import type { UnexpectedExit } from './managed-process.ts';

export interface ChaosResult {
  command: string;
  startedAt: string;
  seed: string;
  slaSeconds: number;
  /** How the suppliers misbehaved all run long. */
  carrier: string;
  /** How the merchants' notification endpoint misbehaved all run long. */
  merchantEndpoint: string;
  orders: {
    planned: number;
    rate: number;
    accepted: number;
    succeeded: number;
    failed: number;
    /** SUCCEEDED, then reversed by their supplier during the run. */
    reversed: number;
    escalated: number;
    unsettled: number;
  };
  /** Submission answers by HTTP status ('network': none), every try included; and from due to accepted (ms). */
  submissions: { answers: Record<string, number>; retried: number; latencyMs: Percentiles | undefined };
  polls: Record<string, number>;
  /** Every answer to a merchant, submissions and polls together, by HTTP status. */
  merchantAnswers: Record<string, number>;
  /** Result notifications the merchant endpoint received; the wait for them after settling; the last one's time from the first order. */
  notifications: { deliveries: number; waitedSeconds: number; lastDeliverySeconds: number | undefined };
  /** Recharge requests a supplier got again for an order it had taken, and de-duplicated by request id. */
  repeatedCarrierRequests: number;
  faults: FaultRecord[];
  /** Seconds from the end of the last fault until the last order became final. */
  recoverySeconds: number | undefined;
  unexpectedExits: (UnexpectedExit & { atSeconds: number })[];
  checks: CheckRow[];
  passed: boolean;
  totalSeconds: number;
}

const table = (header: string[], rows: (string | number)[][]) =>
  [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');

const answers = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ') || 'none';

/** The orders, every answer merchants got, and their result notifications. */
function ordersSection(result: ChaosResult): string[] {
  const { orders, submissions } = result;
  return [
    '## Orders',
    '',
    table(
      [
        'planned',
        'offered rate',
        'accepted',
        'SUCCEEDED',
        'FAILED',
        'REVERSED',
        'ESCALATED',
        'still open',
        'last final after the last fault',
      ],
      [
        [
          orders.planned,
          `${orders.rate}/s`,
          orders.accepted,
          orders.succeeded,
          orders.failed,
          orders.reversed,
          orders.escalated,
          orders.unsettled,
          result.recoverySeconds === undefined ? '–' : `${result.recoverySeconds.toFixed(1)} s`,
        ],
      ],
    ),
    '',
    `Submission answers (every try): ${answers(submissions.answers)}; orders that needed more than one try: ${submissions.retried}; due → accepted p50 ${submissions.latencyMs?.p50 ?? '–'} ms, p99 ${submissions.latencyMs?.p99 ?? '–'} ms, max ${submissions.latencyMs?.max ?? '–'} ms.`,
    '',
    `Merchants' polls of their orders: ${answers(result.polls)}.`,
    '',
    `Every answer to a merchant (submissions and polls): ${answers(result.merchantAnswers)}. A 500 fails the run; a 503 (the database away) is expected.`,
    '',
    `Result notifications received by the merchants' endpoint: ${result.notifications.deliveries}, the last at +${result.notifications.lastDeliverySeconds?.toFixed(1) ?? '–'} s; waited ${result.notifications.waitedSeconds.toFixed(0)} s after every order settled for the last to be taken.`,
    '',
    `Recharge requests a supplier got again for an order it had already taken (answered as the first, nothing charged): ${result.repeatedCarrierRequests}.`,
    '',
  ];
}

export function renderReport(result: ChaosResult): string {
  return [
    `# Chaos run: ${result.passed ? 'PASSED' : 'FAILED'}`,
    '',
    `\`${result.command}\` — started ${result.startedAt}, seed \`${result.seed}\`, SLA ${result.slaSeconds} s, ${result.totalSeconds.toFixed(0)} s in all.`,
    '',
    '## Faults (seconds from the first order)',
    '',
    table(
      ['fault', 'what', 'seen', 'start', 'end'],
      result.faults.map((fault) => [
        fault.name,
        fault.what,
        fault.error ? `**error: ${fault.error}**` : (fault.detail ?? ''),
        fault.startedAt.toFixed(1),
        fault.endedAt.toFixed(1),
      ]),
    ),
    '',
    `For the whole run: ${result.carrier}; ${result.merchantEndpoint}.`,
    '',
    ...ordersSection(result),
    '## Checks',
    '',
    table(
      ['check', 'value', 'must be', ''],
      result.checks.map((row) => [row.check, row.value, row.expected, row.ok ? 'ok' : '**VIOLATED**']),
    ),
    '',
    result.unexpectedExits.length === 0
      ? 'No process exited by itself.'
      : `Processes that exited by themselves (restarted): ${result.unexpectedExits.map((exit) => `${exit.name} at +${exit.atSeconds.toFixed(1)} s (${exit.code ?? exit.signal})`).join(', ')}.`,
    '',
  ].join('\n');
}
