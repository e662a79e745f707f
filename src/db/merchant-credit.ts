import type { Db } from './prisma.ts';

/** What a merchant may spend: its balance (negative while it uses its credit), its credit limit, and their sum. */
export interface MerchantBalance {
  balanceFen: bigint;
  creditLimitFen: bigint;
  availableFen: bigint;
}

/** A merchant's balance and credit line (授信): how far below zero its balance may go. */
export function merchantCredit(db: Db) {
  return {
    /** The merchant's balance (negative while it uses its credit) and credit limit, or undefined if there is no such merchant. */
    async balance(id: string): Promise<MerchantBalance | undefined> {
      const row = await db.merchant.findUnique({ where: { id }, select: { balanceFen: true, creditLimitFen: true } });
      return row ? { ...row, availableFen: row.balanceFen + row.creditLimitFen } : undefined;
    },

    /** Merchants whose balance is below zero (using their credit), for the dashboard. */
    countBelowZero: () => db.merchant.count({ where: { balanceFen: { lt: 0 } } }),

    /** Merchants whose available balance (balance + credit limit) is below their low-balance threshold, for the dashboard. */
    async countBelowLowBalance(): Promise<number> {
      const [row] = await db.$queryRaw<{ count: number }[]>`
        SELECT count(*)::int AS count FROM merchants WHERE balance_fen + credit_limit_fen < low_balance_fen`;
      return row?.count ?? 0;
    },

    /**
     * Sets how far below zero the merchant's balance may go; refused while the balance is below minus the new
     * limit (the credit in use must be paid back first).
     */
    async setCreditLimit(id: string, creditLimitFen: number): Promise<'set' | 'no-merchant' | 'in-use'> {
      const { count } = await db.merchant.updateMany({
        where: { id, balanceFen: { gte: -BigInt(creditLimitFen) } },
        data: { creditLimitFen: BigInt(creditLimitFen) },
      });
      if (count === 1) return 'set';
      return (await db.merchant.count({ where: { id } })) === 0 ? 'no-merchant' : 'in-use';
    },
  };
}
