import type { Db } from './prisma.ts';

/**
 * Leases of periodic jobs that every replica schedules but only one may run
 * at a time (PostgreSQL's clock decides, so replicas' clocks do not matter).
 */
export function createJobLeaseRepository(db: Db) {
  return {
    /**
     * Claims the job's run if one is due: true for exactly one caller until
     * `intervalMs` has passed, however many replicas ask. One statement, so
     * a replica that dies after claiming only delays the next run.
     */
    async claim(name: string, intervalMs: number, claimedBy: string): Promise<boolean> {
      const claimed = await db.$queryRaw<unknown[]>`
        INSERT INTO job_leases (name, next_run_at, claimed_by)
        VALUES (${name}, now() + ${intervalMs} * interval '1 millisecond', ${claimedBy})
        ON CONFLICT (name) DO UPDATE SET next_run_at = EXCLUDED.next_run_at, claimed_by = EXCLUDED.claimed_by
        WHERE job_leases.next_run_at <= now()
        RETURNING name`;
      return claimed.length === 1;
    },
  };
}

export type JobLeaseRepository = ReturnType<typeof createJobLeaseRepository>;
