import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobLeaseRepository, type JobLeaseRepository } from '../../src/db/job-lease-repository.ts';
import { createPrisma, type Db } from '../../src/db/prisma.ts';
import type { TemporaryDatabase } from '../../src/dev/temporary-database.ts';
import { createTestDatabase } from './harness.ts';

let database: TemporaryDatabase;
let prisma: Db;
let leases: JobLeaseRepository;

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = createPrisma(database.url);
  leases = createJobLeaseRepository(prisma);
});

afterAll(async () => {
  await prisma.$disconnect();
  await database.drop();
});

describe('job leases: a periodic job runs once per deployment', () => {
  it('lets exactly one of many concurrent replicas claim a due run', async () => {
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, replica) => leases.claim('sweep-a', 60_000, `replica ${replica}`)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    const row = await prisma.jobLease.findUniqueOrThrow({ where: { name: 'sweep-a' } });
    expect(row.claimedBy).toBe(`replica ${claims.indexOf(true)}`);
  });

  it('refuses every claim until the interval has passed, then grants the next one', async () => {
    expect(await leases.claim('sweep-b', 60_000, 'first')).toBe(true);
    expect(await leases.claim('sweep-b', 60_000, 'second')).toBe(false);
    // An interval that has passed, as PostgreSQL's clock sees it.
    await prisma.jobLease.update({ where: { name: 'sweep-b' }, data: { nextRunAt: new Date(Date.now() - 1) } });
    expect(await leases.claim('sweep-b', 60_000, 'second')).toBe(true);
    expect(await leases.claim('sweep-b', 60_000, 'first')).toBe(false);
  });

  it('keeps jobs apart: one job claimed does not hold back another', async () => {
    expect(await leases.claim('sweep-c', 60_000, 'x')).toBe(true);
    expect(await leases.claim('sweep-d', 60_000, 'x')).toBe(true);
  });
});
