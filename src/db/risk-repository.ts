import type { Db } from './prisma.ts';

/** A number that must never be topped up, with who blocked it, when and why. */
export interface BlockedNumberEntry {
  phone: string;
  reason: string;
  blockedBy: string;
  createdAt: Date;
}

/** Where a page of blocked numbers (newest first) ended: its last entry's time and number. */
export interface BlockedCursor {
  createdAt: Date;
  phone: string;
}

/** A new block, or the number's block as it already was (nothing changed). */
export type BlockResult = { created: true; entry: BlockedNumberEntry } | { created: false; entry: BlockedNumberEntry };

/** How much one number may be topped up over a rolling 24 hours, across all merchants. */
export interface RiskLimitValues {
  perNumberDailyOrders: number;
  perNumberDailyAmountYuan: number;
}

export interface RiskLimitsRow extends RiskLimitValues {
  /** The operator who last changed them; null while they are the migration's. */
  updatedBy: string | null;
  updatedAt: Date;
}

const entryFields = { phone: true, reason: true, blockedBy: true, createdAt: true } as const;
const limitFields = {
  perNumberDailyOrders: true,
  perNumberDailyAmountYuan: true,
  updatedBy: true,
  updatedAt: true,
} as const;
/** risk_limits holds one row, this one (the migration inserts it; a CHECK allows no other). */
const LIMITS_ID = 1;

/** Blocks the number unless it is blocked already: the primary key decides between two concurrent blocks. */
async function block(db: Db, entry: Omit<BlockedNumberEntry, 'createdAt'>): Promise<BlockResult> {
  for (;;) {
    const [created] = await db.blockedNumber.createManyAndReturn({
      data: [entry],
      skipDuplicates: true,
      select: entryFields,
    });
    if (created) return { created: true, entry: created };
    const existing = await db.blockedNumber.findUnique({ where: { phone: entry.phone }, select: entryFields });
    if (existing) return { created: false, entry: existing };
    // Unblocked between the two statements: try again.
  }
}

/** Blocked numbers and the per-number limits: what every order is checked against, as admins manage it. */
export function createRiskRepository(db: Db) {
  return {
    block: (entry: { phone: string; reason: string; blockedBy: string }) => block(db, entry),

    /** Blocked numbers, newest first, `limit` at a time: the page after `before`, else the first. */
    listBlocked: ({
      limit,
      before,
    }: {
      limit: number;
      before?: BlockedCursor | undefined;
    }): Promise<BlockedNumberEntry[]> =>
      db.blockedNumber.findMany({
        where: before && {
          OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, phone: { lt: before.phone } }],
        },
        orderBy: [{ createdAt: 'desc' }, { phone: 'desc' }],
        take: limit,
        select: entryFields,
      }),

    /** Unblocks the number; false if it was not blocked. */
    async unblock(phone: string): Promise<boolean> {
      const { count } = await db.blockedNumber.deleteMany({ where: { phone } });
      return count === 1;
    },

    limits: (): Promise<RiskLimitsRow> =>
      db.riskLimits.findUniqueOrThrow({ where: { id: LIMITS_ID }, select: limitFields }),

    /** Changes the limits given, as `operator`; the new limits. */
    setLimits: (change: Partial<RiskLimitValues>, operator: string): Promise<RiskLimitsRow> =>
      db.riskLimits.update({
        where: { id: LIMITS_ID },
        data: { ...change, updatedBy: operator, updatedAt: new Date() },
        select: limitFields,
      }),
  };
}

export type RiskRepository = ReturnType<typeof createRiskRepository>;
