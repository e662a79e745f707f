/**
 * Days in a merchant's time zone (IANA names, e.g. Asia/Shanghai): where a
 * local day starts and ends as instants, which local day an instant falls on,
 * and instants written with the zone's offset. Built on Intl alone; a day
 * is found by search, so zones whose midnight is skipped by a DST change work.
 */

import { addDays } from '../shared/calendar-days.ts';

/** A merchant's time zone unless it is given one: China's platforms close their day at midnight Beijing time. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** No zone is further than this from UTC (the widest offsets are +14:00 and -12:00). */
const WIDEST_OFFSET_MS = 15 * 3_600_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** How an IANA zone name is written: Asia/Shanghai, America/Argentina/Buenos_Aires, UTC, Etc/GMT-8. */
export const TIME_ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/** The zone's canonical name if `name` is an IANA time zone (never a bare offset such as +08:00), else undefined. */
export function canonicalTimeZone(name: string): string | undefined {
  if (!TIME_ZONE_NAME.test(name) || name.length > 64) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The wall-clock fields of an instant in the zone. */
function wallClock(timeZone: string, instant: Date) {
  const parts = Object.fromEntries(
    formatterOf(timeZone)
      .formatToParts(instant)
      .map(({ type, value }) => [type, value]),
  );
  return parts as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string>;
}

/** The local date (YYYY-MM-DD) of an instant in the zone. */
export function localDateOf(timeZone: string, instant: Date): string {
  const { year, month, day } = wallClock(timeZone, instant);
  return `${year}-${month}-${day}`;
}

/** The first instant (to the millisecond) of the local day `date` in the zone. */
export function startOfLocalDay(timeZone: string, date: string): Date {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  // The first instant whose local date is not before `date`: local dates only grow with time.
  let low = utcMidnight - WIDEST_OFFSET_MS;
  let high = utcMidnight + WIDEST_OFFSET_MS;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (localDateOf(timeZone, new Date(middle)) < date) low = middle;
    else high = middle;
  }
  return new Date(high);
}

/** The first instant after the local day `date`: the day is over from then on. */
export const endOfLocalDay = (timeZone: string, date: string): Date => startOfLocalDay(timeZone, addDays(date, 1));

/** The zone's offset from UTC at an instant, in minutes (Asia/Shanghai: 480). */
function offsetMinutes(timeZone: string, instant: Date): number {
  const { year, month, day, hour, minute, second } = wallClock(timeZone, instant);
  const asUtc = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/** The instant as local time with the zone's offset: 2026-12-05T23:59:59.123+08:00. */
export function isoInZone(timeZone: string, instant: Date): string {
  const offset = offsetMinutes(timeZone, instant);
  const local = new Date(instant.getTime() + offset * 60_000).toISOString().slice(0, 23);
  const sign = offset < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
  return `${local}${sign}${hours}:${minutes}`;
}
