/** What the statement-issuing workflow, its schedule and the worker agree on. Workflow-safe. */

export const STATEMENT_ISSUING_WORKFLOW_TYPE = 'statementIssuing';
/** The Temporal Schedule that issues merchants' statements every hour (each merchant's day ends at its own midnight). */
export const STATEMENT_SCHEDULE_ID = 'statements-hourly';

export interface StatementPageInput {
  /** The page starts after this merchant id ('' for the first page). */
  after: string;
  limit: number;
}

export interface StatementPageResult {
  merchants: number;
  /** Statements stored by this page (days already issued are not counted). */
  issued: number;
  /** Merchants whose statements could not be issued (why): the others' were; the next run tries them again. */
  failed: string[];
  /** The merchant id to go on after; absent when this was the last page. */
  next?: string;
}

export interface StatementIssuingReport {
  merchants: number;
  issued: number;
  /** Merchants whose statements could not be issued. */
  failed: number;
}

export interface StatementActivities {
  /** Issues, for a page of merchants, every statement of a day over in the merchant's time zone and not issued yet. */
  issueClosedStatements(input: StatementPageInput): Promise<StatementPageResult>;
}
