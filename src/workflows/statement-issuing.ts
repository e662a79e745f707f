import type { StatementIssuingReport, StatementPageResult } from '../shared/statements.ts';
import { statementBooks } from './activity-stubs.ts';

/** Merchants per activity call: each one's missing statements are a few queries, well within the activity's timeout. */
const PAGE_SIZE = 100;

/**
 * Issues every merchant's statements of the days now over in its time zone
 * (and any earlier day not issued yet, e.g. after an outage), page by page.
 * Issuing is insert-once, so a run repeated, overlapping a read that issues
 * the same day, or retried after a crash stores each statement once.
 */
export async function statementIssuing(): Promise<StatementIssuingReport> {
  const report = { merchants: 0, issued: 0, failed: 0 };
  let after: string | undefined = '';
  while (after !== undefined) {
    const page: StatementPageResult = await statementBooks.issueClosedStatements({ after, limit: PAGE_SIZE });
    report.merchants += page.merchants;
    report.issued += page.issued;
    report.failed += page.failed.length;
    after = page.next;
  }
  return report;
}
