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
      if (result.issued > 0)
        log.info('Merchant statements issued', { merchants: result.merchants, issued: result.issued });
      // Each as a reconciliation finding is: a warn line on-call alerts on.
      for (const failure of result.failed) log.warn('Merchant statement not issued', { failure });
      return result;
    },
  } satisfies StatementActivities;
}
