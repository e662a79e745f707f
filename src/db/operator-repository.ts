import type { AuthenticatedOperator, OperatorRole } from '../operators/roles.ts';
import type { Db } from './prisma.ts';

/** The operators who may use the admin API, found by the hash of their token. */
export function createOperatorRepository(db: Db) {
  return {
    /** Adds an operator; false if the name is taken (revoked operators keep theirs: audit records name them). */
    async add(operator: { name: string; role: OperatorRole; tokenHash: string }): Promise<boolean> {
      const { count } = await db.operator.createMany({ data: [operator], skipDuplicates: true });
      return count === 1;
    },

    async list() {
      return db.operator.findMany({
        select: { name: true, role: true, createdAt: true, revokedAt: true },
        orderBy: { name: 'asc' },
      });
    },

    /** Revokes the operator's token; false if there is no such active operator. */
    async revoke(name: string): Promise<boolean> {
      const { count } = await db.operator.updateMany({
        where: { name, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      return count === 1;
    },

    /** The active operator holding the token of this hash, if any. */
    async findByTokenHash(tokenHash: string): Promise<AuthenticatedOperator | null> {
      return db.operator.findFirst({ where: { tokenHash, revokedAt: null }, select: { name: true, role: true } });
    },
  };
}

export type OperatorRepository = ReturnType<typeof createOperatorRepository>;
