/** Calendar days written YYYY-MM-DD: statements' local dates and bills' UTC days alike. Workflow-safe. */

export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** The UTC day (YYYY-MM-DD) of an instant. */
export const utcDay = (at: string | Date) => new Date(at).toISOString().slice(0, 10);

/** Whether `day` is a real calendar day written YYYY-MM-DD, from 1970 on (2026-02-30 is not). */
export const isCalendarDay = (day: string) =>
  DAY_PATTERN.test(day) && day >= '1970-01-01' && utcDay(new Date(Date.parse(`${day}T00:00:00Z`) || 0)) === day;

/** The day `days` after (or, negative, before) `day`. */
export const addDays = (day: string, days: number) => utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
