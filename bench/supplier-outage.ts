/**
 * The order path with its first supplier failing: sim-a answers every
 * recharge with HTTP 503 (taking nothing) for the whole step, and sim-b
 * should take every order over, with no phone credited twice.
 */
import type { Infrastructure } from './infrastructure.ts';
import type { StepResult } from './run-step.ts';

/** What the suppliers did during the step: phones credited at each simulator, and SUCCEEDED orders by supplier. */
export interface SupplierOutageResult {
  chargesBySimulator: Record<string, number>;
  succeededBySupplier: Record<string, number>;
  failed: number;
  /** Phones credited minus orders SUCCEEDED: anything but 0 is a lost or doubled charge. */
  chargesMinusSucceeded: number;
}

const chargesOf = async (url: string) =>
  ((await (await fetch(`${url}/_sim/stats`)).json()) as { charges: number }).charges;
const behave = (url: string, changes: Record<string, unknown>) =>
  fetch(`${url}/_sim/behaviour`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(changes),
  });

/** Runs the step with sim-a failing, then restores it; the step's result with what the suppliers did. */
export async function withSupplierAFailing(
  infra: Infrastructure,
  runStep: () => Promise<StepResult>,
): Promise<StepResult> {
  const simulators = Object.entries(infra.supplierUrls);
  const simA = infra.supplierUrls['sim-a'] as string;
  const before = await Promise.all(simulators.map(([, url]) => chargesOf(url)));
  await behave(simA, { serverErrorRate: 1 });
  let step: StepResult;
  try {
    step = await runStep();
  } finally {
    await behave(simA, { serverErrorRate: 0 });
  }
  const after = await Promise.all(simulators.map(([, url]) => chargesOf(url)));
  const chargesBySimulator = Object.fromEntries(
    simulators.map(([id], i) => [id, (after[i] as number) - (before[i] as number)]),
  );
  const { rows } = await infra.db.query<{ supplier: string | null; status: string; n: number }>(
    'SELECT supplier_id AS supplier, status::text, count(*)::int AS n FROM orders WHERE merchant_order_no LIKE $1 GROUP BY 1, 2',
    [`${step.id}-%`],
  );
  const succeeded = rows.filter((row) => row.status === 'SUCCEEDED');
  const succeededBySupplier = Object.fromEntries(succeeded.map((row) => [row.supplier ?? 'none', row.n]));
  const charges = Object.values(chargesBySimulator).reduce((sum, n) => sum + n, 0);
  const supplierOutage: SupplierOutageResult = {
    chargesBySimulator,
    succeededBySupplier,
    failed: rows.filter((row) => row.status === 'FAILED').reduce((sum, row) => sum + row.n, 0),
    chargesMinusSucceeded: charges - succeeded.reduce((sum, row) => sum + row.n, 0),
  };
  return { ...step, supplierOutage };
}

/** The report's lines about the step, if one ran. */
export function supplierOutageLines(steps: StepResult[]): string[] {
  const outages = steps.flatMap((step) => (step.supplierOutage ? [{ id: step.id, ...step.supplierOutage }] : []));
  if (outages.length === 0) return [];
  const pairs = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([id, n]) => `${id} ${n}`)
      .join(', ');
  return [
    'sim-a failing every recharge (HTTP 503) during the step (`--supplier-outage`): phones credited at each simulator and orders SUCCEEDED by supplier:',
    '',
    '| step | phones credited | SUCCEEDED by supplier | FAILED | credited − SUCCEEDED |',
    '|---|---|---|---:|---:|',
    ...outages.map(
      (o) =>
        `| ${o.id} | ${pairs(o.chargesBySimulator)} | ${pairs(o.succeededBySupplier)} | ${o.failed} | ${o.chargesMinusSucceeded} |`,
    ),
    '',
  ];
}
