import { createStatementRepository } from '../db/statement-repository.ts';
import type { Db } from '../db/prisma.ts';
import { addDays } from '../shared/calendar-days.ts';
import { createStatementService } from './statement-service.ts';
import type { Statement } from './statement.ts';

export interface StatementCheck {
  /** Merchant-days checked. */
  checked: number;
  /** What did not add up, one sentence each; empty when every statement did. */
  violations: string[];
}

function arithmeticOf(statement: Statement, previous: Statement | undefined): string[] {
  const where = `merchant ${statement.merchantId} ${statement.date}`;
  const sum = statement.lines.reduce((total, line) => total + line.amountFen, 0);
  const found: string[] = [];
  if (statement.openingBalanceFen + sum !== statement.closingBalanceFen)
    found.push(
      `${where}: opening ${statement.openingBalanceFen} + lines ${sum} ≠ closing ${statement.closingBalanceFen}`,
    );
  const last = statement.lines.at(-1);
  if (last && last.balanceAfterFen !== statement.closingBalanceFen)
    found.push(`${where}: closing ${statement.closingBalanceFen} ≠ last line's balance after ${last.balanceAfterFen}`);
  if (previous && previous.closingBalanceFen !== statement.openingBalanceFen)
    found.push(
      `${where}: opening ${statement.openingBalanceFen} ≠ the closing ${previous.closingBalanceFen} of ${previous.date}`,
    );
  return found;
}

/**
 * Checks every merchant's statements of the local days `from`..`to`
 * (YYYY-MM-DD, inclusive) as a merchant would get them: closed days issued
 * (issuing them if the schedule has not yet), today's partial, later days
 * skipped. For each: opening + the lines = closing = the last line's balance
 * after, and its opening is the closing of the day before; today's closes
 * at the merchant's balance (so no entry is missing from the chain). For
 * the fault suite (chaos/) after a run, on a quiet ledger.
 */
export async function checkStatements(db: Db, { from, to }: { from: string; to: string }): Promise<StatementCheck> {
  const service = createStatementService({ statements: createStatementRepository(db) });
  const merchants = await db.merchant.findMany({ select: { id: true, balanceFen: true }, orderBy: { id: 'asc' } });
  const violations: string[] = [];
  let checked = 0;
  for (const { id, balanceFen } of merchants) {
    let previous: Statement | undefined;
    for (let date = from; date <= to; date = addDays(date, 1)) {
      const result = await service.statementOf(id, date, { partial: true });
      if (result.kind !== 'statement') break;
      checked += 1;
      violations.push(...arithmeticOf(result.statement, previous));
      previous = result.statement;
    }
    // Apart from the chain's own arithmetic: today's statement closes at the merchant's balance (read before, on a quiet ledger).
    if (previous?.status === 'partial' && previous.closingBalanceFen !== Number(balanceFen))
      violations.push(`merchant ${id}: today's closing ${previous.closingBalanceFen} ≠ its balance ${balanceFen}`);
  }
  return { checked, violations };
}
