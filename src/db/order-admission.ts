import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Carrier } from '../shared/carriers.ts';
import { OrderEvent } from '../shared/order-events.ts';
import type { Speed } from '../shared/speeds.ts';
import { SALES_ACCOUNT, merchantAccount } from './ledger-accounts.ts';
import type { OrderRow } from './order-repository.ts';
import { sqlPool, type Db } from './prisma.ts';

export interface NewOrder {
  merchantId: string;
  merchantOrderNo: string;
  phone: string;
  carrier: Carrier;
  province: string;
  city: string;
  speed: Speed;
  amountYuan: number;
  /** What the merchant pays, debited from its balance as the order is accepted. */
  costFen: number;
  /** How long the order has to reach a final result before it is escalated. */
  slaSeconds: number;
  notifyUrl?: string | undefined;
}

/** The per-number limits over a rolling 24 hours, and what the number has used of them. */
export interface NumberUsage {
  orders: number;
  amountYuan: number;
  maxOrders: number;
  maxAmountYuan: number;
}

/** The merchant's money right after an order's debit, as the admission statement locked it (no further read). */
export interface BalanceAfterDebit {
  costFen: bigint;
  balanceAfterFen: bigint;
  creditLimitFen: bigint;
  /** The merchant's low-balance alert threshold (0: off). */
  lowBalanceFen: bigint;
}

export type CreateOrderResult =
  /** `balance`: the merchant's money after the debit. */
  | { outcome: 'created'; order: OrderRow; balance?: BalanceAfterDebit }
  /** The merchant already submitted this merchantOrderNo: nothing new stored or debited. */
  | { outcome: 'exists'; order: OrderRow }
  /** Nothing stored: the number is blocked. */
  | { outcome: 'number-blocked' }
  /** Nothing stored: the number's orders of the last 24 hours leave no room for this one. */
  | { outcome: 'number-limit-exceeded'; usage: NumberUsage }
  /** Nothing stored: the balance and the credit limit do not cover the cost. */
  | { outcome: 'insufficient-balance'; balanceFen: bigint; creditLimitFen: bigint };

const DAY_MS = 86_400_000;

/** The `orders` columns pg answers as strings (int8), which the row holds as bigint. */
const BIGINT_COLUMNS = new Set(['cost_fen', 'supplier_cost_fen']);

/** A raw `orders` row as pg returns it: every column is the field's name in snake_case. */
const fromColumns = (row: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(row).map(([column, value]) => [
      column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()),
      BIGINT_COLUMNS.has(column) && value !== null ? BigInt(value as string) : value,
    ]),
  ) as OrderRow;

/** Every `orders` column, listed (never *): a prepared statement's result must keep its shape when a migration
 * adds one (PostgreSQL refuses a cached plan whose result type changed: every submission of a running API would fail). */
const ORDER_COLUMNS = `id, merchant_id, merchant_order_no, phone, carrier, province, city, speed, amount_yuan, cost_fen,
  notify_url, status, carrier_order_id, failure_reason, escalated_at, finished_at, resolved_by, needs_review,
  review_reason, notify_status, notify_attempts, notify_last_error, notified_at, supplier_id, supplier_cost_fen,
  sla_deadline, workflow_started_at, created_at, updated_at`;

/**
 * Accepts an order and debits its cost, in one statement (atomic without a
 * transaction; a Prisma interactive transaction took 4× the CPU, see
 * docs/benchmarks.md), unless the merchantOrderNo is taken, the number is
 * blocked, its limits are used up, or the balance with the merchant's
 * credit limit (the balance may go down to minus it) does not cover the cost:
 * then nothing is written, and the statement answers what it checked, so
 * the caller knows why without reading again.
 *
 * The merchant's row is locked for the statement, so concurrent orders take
 * turns at the balance (a CHECK constraint guards it too). The unique key
 * (merchant, merchantOrderNo) decides between concurrent repeats: only a
 * newly inserted order is debited.
 *
 * The per-number limits count the number's orders in the statement's
 * snapshot, which misses an order for the same number committed while this
 * statement waited for a lock. So each accepted order also raises the
 * number's version in `number_order_guards`, and the statement writes only if
 * the version it locks (the latest) is the one its snapshot saw: two orders
 * for one number never both pass on one count. A statement that lost that
 * race wrote nothing, though every check passed, and runs again (see
 * createOrderWithDebit).
 */
const ADMIT_ORDER = `
  WITH payer AS (
    SELECT id, balance_fen, credit_limit_fen, low_balance_fen FROM merchants WHERE id = $1 FOR UPDATE
  ), recent AS (
    SELECT count(*)::int AS orders, COALESCE(sum(amount_yuan), 0)::int AS amount_yuan FROM orders
    WHERE phone = $3 AND created_at > $14 AND status <> 'FAILED'
  ), checks AS (
    SELECT payer.balance_fen::text AS check_balance_fen, payer.credit_limit_fen::text AS check_credit_limit_fen,
      payer.low_balance_fen::text AS check_low_balance_fen,
      recent.orders AS check_orders,
      recent.amount_yuan AS check_amount_yuan, l.per_number_daily_orders AS check_max_orders,
      l.per_number_daily_amount_yuan AS check_max_amount_yuan,
      EXISTS (SELECT 1 FROM blocked_numbers b WHERE b.phone = $3) AS check_blocked,
      (SELECT o.id FROM orders o WHERE o.merchant_id = $1 AND o.merchant_order_no = $2) AS check_existing,
      payer.balance_fen + payer.credit_limit_fen >= $8 AND recent.orders < l.per_number_daily_orders
        AND recent.amount_yuan + $7 <= l.per_number_daily_amount_yuan AS check_room
    FROM payer, recent, risk_limits l WHERE l.id = 1
  ), guard AS (
    -- The merchant's lock is taken before the number's (payer is this insert's source): one order of locks, no deadlock.
    INSERT INTO number_order_guards (phone, version)
    SELECT $3, 1 FROM checks WHERE check_room AND NOT check_blocked AND check_existing IS NULL
    ON CONFLICT (phone) DO UPDATE SET version = number_order_guards.version + 1
      WHERE number_order_guards.version = COALESCE((SELECT g.version FROM number_order_guards g WHERE g.phone = $3), 0)
    RETURNING phone
  ), inserted AS (
    INSERT INTO orders (id, merchant_id, merchant_order_no, phone, carrier, province, city, speed, amount_yuan, cost_fen,
      notify_url, sla_deadline, created_at, updated_at)
    SELECT $11, $1, $2, $3, $4, $5, $6, $12, $7, $8, $9, $13, $10, $10 FROM guard
    ON CONFLICT (merchant_id, merchant_order_no) DO NOTHING
    RETURNING ${ORDER_COLUMNS}
  ), debited AS (
    UPDATE merchants SET balance_fen = merchants.balance_fen - inserted.cost_fen, updated_at = $10
    FROM inserted WHERE merchants.id = inserted.merchant_id
    RETURNING merchants.balance_fen
  ), debit AS (
    INSERT INTO ledger_entries (merchant_id, type, debit_account, credit_account, amount_fen, balance_after_fen, order_id, created_at)
    SELECT inserted.merchant_id, 'ORDER_DEBIT', $15, '${SALES_ACCOUNT}', inserted.cost_fen, debited.balance_fen, inserted.id, $10
    FROM inserted, debited
  ), submitted AS (
    INSERT INTO order_events (order_id, key, type, detail)
    SELECT id, '${OrderEvent.SUBMITTED}', '${OrderEvent.SUBMITTED}', $16::jsonb FROM inserted
  )
  SELECT checks.*, inserted.* FROM checks LEFT JOIN inserted ON true`;

/** What the statement checked, in its own snapshot (the balance: the latest, locked). */
interface Checks {
  check_balance_fen: string;
  check_credit_limit_fen: string;
  check_low_balance_fen: string;
  check_orders: number;
  check_amount_yuan: number;
  check_max_orders: number;
  check_max_amount_yuan: number;
  check_blocked: boolean;
  check_existing: string | null;
}

type Query = Pick<pg.ClientBase, 'query'>;
type Decision = CreateOrderResult | { outcome: 'lost-the-race' };

/** The statement's answer: the new order, or why there is none. */
async function decisionOf(client: Query, input: NewOrder, row: Record<string, unknown> | undefined): Promise<Decision> {
  if (!row) throw new Error('no risk_limits row (id 1): restore it (see the migration) before orders can be taken');
  const checks = row as unknown as Checks;
  if (row.id !== null) {
    const order = Object.fromEntries(Object.entries(row).filter(([column]) => !column.startsWith('check_')));
    const costFen = BigInt(input.costFen);
    const balance = {
      costFen,
      balanceAfterFen: BigInt(checks.check_balance_fen) - costFen,
      creditLimitFen: BigInt(checks.check_credit_limit_fen),
      lowBalanceFen: BigInt(checks.check_low_balance_fen),
    };
    return { outcome: 'created', order: fromColumns(order), balance };
  }
  if (checks.check_existing !== null) {
    const { rows } = await client.query<Record<string, unknown>>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, [
      checks.check_existing,
    ]);
    return { outcome: 'exists', order: fromColumns(rows[0] as Record<string, unknown>) };
  }
  if (checks.check_blocked) return { outcome: 'number-blocked' };
  const usage = {
    orders: checks.check_orders,
    amountYuan: checks.check_amount_yuan,
    maxOrders: checks.check_max_orders,
    maxAmountYuan: checks.check_max_amount_yuan,
  };
  if (usage.orders >= usage.maxOrders || usage.amountYuan + input.amountYuan > usage.maxAmountYuan)
    return { outcome: 'number-limit-exceeded', usage };
  const balanceFen = BigInt(checks.check_balance_fen);
  const creditLimitFen = BigInt(checks.check_credit_limit_fen);
  if (balanceFen + creditLimitFen < BigInt(input.costFen))
    return { outcome: 'insufficient-balance', balanceFen, creditLimitFen };
  // Every check passed, yet nothing was written: another order for the number (or this merchantOrderNo) won.
  return { outcome: 'lost-the-race' };
}

async function admit(client: Query, input: NewOrder): Promise<Decision> {
  // The application's clock, as for every timestamp the application compares (SLA deadline, dispatch, updated_at).
  const submittedAt = new Date();
  const slaDeadline = new Date(submittedAt.getTime() + input.slaSeconds * 1000);
  const detail = { amountYuan: input.amountYuan, carrier: input.carrier, costFen: input.costFen, speed: input.speed };
  const values = [
    input.merchantId,
    input.merchantOrderNo,
    input.phone,
    input.carrier,
    input.province,
    input.city,
    input.amountYuan,
    input.costFen,
    input.notifyUrl ?? null,
    submittedAt,
    randomUUID(),
    input.speed,
    slaDeadline,
    new Date(submittedAt.getTime() - DAY_MS),
    merchantAccount(input.merchantId),
    JSON.stringify(detail),
  ];
  const { rows } = await client.query<Record<string, unknown>>({ name: 'admit-order', text: ADMIT_ORDER, values });
  return decisionOf(client, input, rows[0]);
}

/**
 * Runs the admission statement; when it lost a race for the number (another
 * order for it committed while it waited), it runs again in a transaction
 * that first locks the merchant and then the number, in the statement's
 * order, so its snapshot is taken with no one else able to add an order for
 * the number: the second run always decides.
 */
export async function createOrderWithDebit(db: Db, input: NewOrder): Promise<CreateOrderResult> {
  const pool = sqlPool(db);
  const decision = await admit(pool, input);
  return decision.outcome === 'lost-the-race' ? admitHoldingTheNumber(pool, input) : decision;
}

async function admitHoldingTheNumber(pool: pg.Pool, input: NewOrder): Promise<CreateOrderResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT 1 FROM merchants WHERE id = $1 FOR UPDATE', [input.merchantId]);
    await client.query(
      `INSERT INTO number_order_guards (phone, version) VALUES ($1, 0)
       ON CONFLICT (phone) DO UPDATE SET version = number_order_guards.version`,
      [input.phone],
    );
    const decision = await admit(client, input);
    if (decision.outcome === 'lost-the-race')
      throw new Error('an order for a number this transaction holds lost the race for it: a bug');
    await client.query('COMMIT');
    client.release();
    return decision;
  } catch (error) {
    // A connection whose rollback fails is not given back to the pool (it may still be inside the transaction).
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(!rolledBack);
    throw error;
  }
}
