import type { Db } from './prisma.ts';

/** The audit record of an operator's change of a supplier's settings. */
export async function recordSupplierChange(db: Db, supplierId: string, operator: string, change: object) {
  await db.supplierChange.create({ data: { supplierId, operator, change: change } });
}

/** A supplier's last changes, newest first: who, when, what they set. */
export const recentSupplierChanges = (db: Db, supplierId: string, limit = 20) =>
  db.supplierChange.findMany({
    where: { supplierId },
    orderBy: { id: 'desc' },
    take: limit,
    select: { operator: true, change: true, createdAt: true },
  });
