import type { SupplierRepository, SupplierRow } from '../db/supplier-repository.ts';

/** How old the suppliers' data an order is checked and first routed against may be. */
const SNAPSHOT_MAX_AGE_MS = 1_000;

/** The suppliers as read at most `maxAgeMs` ago: one read per second for every order, not one per order. */
export type SupplierSnapshot = () => Promise<SupplierRow[]>;

/**
 * Every supplier as read at most a second ago (an admin's change or a
 * breaker that just opened counts within that second). Concurrent callers
 * share one read; a failed read is not kept, so the next caller reads again.
 */
export function createSupplierSnapshot(
  suppliers: Pick<SupplierRepository, 'list'>,
  maxAgeMs = SNAPSHOT_MAX_AGE_MS,
): SupplierSnapshot {
  let snapshot: { read: Promise<SupplierRow[]>; at: number } | undefined;
  return () => {
    if (!snapshot || Date.now() - snapshot.at >= maxAgeMs) {
      const read = suppliers.list();
      read.catch(() => (snapshot = snapshot?.read === read ? undefined : snapshot));
      snapshot = { read, at: Date.now() };
    }
    return snapshot.read;
  };
}
