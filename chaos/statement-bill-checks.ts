import { createPrisma, type Db } from '../src/db/prisma.ts';
import { checkStatements } from '../src/statements/statement-check.ts';
import { billDifferences } from '../src/supplier-bills/bill-service.ts';
import { parseSupplierRequestId } from '../src/shared/suppliers.ts';
import { exactly, info, type CheckRow, type OrderRow } from './checks.ts';
import type { Cluster } from './cluster.ts';

const DAY_MS = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The UTC days from `fromMs` to `toMs`, both included. */
function utcDays(fromMs: number, toMs: number): string[] {
  const days: string[] = [];
  for (let day = utcDay(fromMs); day <= utcDay(toMs); day = utcDay(Date.parse(`${day}T00:00:00Z`) + DAY_MS))
    days.push(day);
  return days;
}

/** Every merchant's statement of every local day the run touched: opening + lines = closing, and each day opens where the last closed. */
async function statementChecks(db: Db, startedAt: number): Promise<CheckRow[]> {
  // A day either side of the run's UTC days covers every merchant's local days (issued ones, and today's so far).
  const { checked, violations } = await checkStatements(db, {
    from: utcDay(startedAt - DAY_MS),
    to: utcDay(Date.now() + DAY_MS),
  });
  for (const violation of violations.slice(0, 10)) console.log(`   statement: ${violation}`);
  return [
    exactly(
      'merchant statements (every merchant, every local day of the run) whose opening + lines ≠ closing, or whose opening ≠ the day before’s closing',
      violations.length,
      0,
    ),
    info('merchant statements checked (days × merchants, today’s partial)', checked),
  ];
}

/**
 * Each supplier's bill of every UTC day of the run against our records: no
 * difference; then, with one phantom charge planted at the first supplier,
 * exactly one, unknown to us.
 */
async function billChecks(cluster: Cluster, db: Db, startedAt: number, orders: OrderRow[]): Promise<CheckRow[]> {
  // An ESCALATED order waits for an operator (this run has none): the supplier may have decided it meanwhile.
  const escalated = new Set(orders.filter((order) => order.status === 'ESCALATED').map((order) => order.id));
  const found: string[] = [];
  const ofEscalated: string[] = [];
  for (const { id } of cluster.suppliers)
    for (const day of utcDays(startedAt, Date.now()))
      for (const difference of await billDifferences(db, id, day)) {
        const orderId = parseSupplierRequestId(difference.requestId)?.orderId ?? '';
        (escalated.has(orderId) ? ofEscalated : found).push(`${id} ${day}: ${difference.kind} ${difference.requestId}`);
      }
  for (const line of [...found, ...ofEscalated].slice(0, 10)) console.log(`   bill: ${line}`);
  const [first] = cluster.suppliers;
  if (!first) return [];
  const planted = await fetch(`${first.url}/_sim/phantom-charge`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: '13900000000', faceValueYuan: 30 }),
  });
  const after = planted.ok ? await billDifferences(db, first.id, utcDay(Date.now())) : [];
  return [
    exactly('differences between each supplier’s bill and our records, every UTC day of the run', found.length, 0),
    info('differences about ESCALATED orders (for an operator)', ofEscalated.length),
    {
      check: `differences at ${first.id} once a phantom charge is planted (its bill of today)`,
      value: planted.ok ? after.map((d) => d.kind).join(', ') || 'none' : `phantom refused: HTTP ${planted.status}`,
      expected: 'unknown_to_us',
      ok: after.length === 1 && after[0]?.kind === 'unknown_to_us',
    },
  ];
}

/** The merchants' statements and the suppliers' bills, checked as the business would after the run. */
export async function statementAndBillChecks(
  cluster: Cluster,
  startedAt: number,
  orders: OrderRow[],
): Promise<CheckRow[]> {
  const db = createPrisma(cluster.database.url, 2);
  try {
    return [...(await statementChecks(db, startedAt)), ...(await billChecks(cluster, db, startedAt, orders))];
  } finally {
    await db.$disconnect();
  }
}
