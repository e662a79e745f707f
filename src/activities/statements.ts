import { log } from '@temporalio/activity';
import type { StatementActivities, StatementPageInput } from '../shared/statements.ts';
import type { StatementService } from '../statements/statement-service.ts';

export interface StatementActivityDeps {
  statements: Pick<StatementService, 'issueClosedDays'>;
}

/** The statement schedule's work: issuing closed days' statements, a page of merchants at a time. */
export function createStatementActivities({ statements }: StatementActivityDeps) {
  return {
    async issueClosedStatements(input: StatementPageInput) {
      const result = await statements.issueClosedDays(input);
      if (result.issued > 0) log.info('Merchant statements issued', { ...result });
      return result;
    },
  } satisfies StatementActivities;
}
