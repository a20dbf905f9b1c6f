/**
 * When a watch is due. Pure: every function takes `now`. A watch's period is the span between two scheduled times in
 * its own time zone (luxon does the calendar arithmetic, so a DST change moves the UTC instant, never the wall time).
 * Only the latest scheduled time at or before `now` is ever due, which is why a bot that was down for several periods
 * catches up once, not once per missed period.
 */
import { DateTime } from 'luxon';
import type { Frequency, Schedule } from './grammar.js';

export interface StoredSchedule extends Schedule {
  timezone: string;
}

function at(day: DateTime, s: StoredSchedule): DateTime {
  return day.set({ hour: s.hour, minute: s.minute, second: 0, millisecond: 0 });
}

/** The latest scheduled time at or before `now`. */
export function latestOccurrence(s: StoredSchedule, now: Date): DateTime {
  const local = DateTime.fromJSDate(now, { zone: s.timezone });
  let candidate: DateTime;
  switch (s.every) {
    case 'daily':
      candidate = at(local, s);
      if (candidate > local) candidate = at(local.minus({ days: 1 }), s);
      break;
    case 'weekly': {
      const back = (local.weekday - s.weekday + 7) % 7;
      candidate = at(local.minus({ days: back }), s);
      if (candidate > local) candidate = at(local.minus({ days: back + 7 }), s);
      break;
    }
    case 'monthly':
      candidate = at(local.startOf('month'), s);
      if (candidate > local) candidate = at(local.minus({ months: 1 }).startOf('month'), s);
      break;
  }
  return candidate;
}

/** The next scheduled time after `now`. */
export function nextOccurrence(s: StoredSchedule, now: Date): DateTime {
  const latest = latestOccurrence(s, now);
  const step: Record<Frequency, object> = { daily: { days: 1 }, weekly: { weeks: 1 }, monthly: { months: 1 } };
  const next = latest.plus(step[s.every]);
  return s.every === 'monthly' ? at(next.startOf('month'), s) : at(next, s);
}

/** A stable name for the period a scheduled time opens: 2026-11-29, 2026-W48 or 2026-11. */
export function periodKey(s: StoredSchedule, occurrence: DateTime): string {
  switch (s.every) {
    case 'daily':
      return occurrence.toISODate()!;
    case 'weekly':
      return occurrence.toFormat("kkkk-'W'WW");
    case 'monthly':
      return occurrence.toFormat('yyyy-MM');
  }
}

const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** "every Monday at 09:00 (Europe/Berlin)". */
export function describeSchedule(s: StoredSchedule): string {
  const time = `${String(s.hour).padStart(2, '0')}:${String(s.minute).padStart(2, '0')}`;
  const when =
    s.every === 'daily'
      ? 'every day'
      : s.every === 'weekly'
        ? `every ${WEEKDAY_NAMES[s.weekday - 1]}`
        : 'on the 1st of every month';
  return `${when} at ${time} (${s.timezone})`;
}
