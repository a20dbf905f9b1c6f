/**
 * Plain-English time ranges ("last 4 weeks", "this month", "Q3", "in 2025", "since Oct 1", "yesterday") read in the
 * catalog's time zone. chrono-node reads the calendar dates themselves; luxon does the zone-aware arithmetic.
 * Ranges are half-open: [start, end).
 */
import * as chrono from 'chrono-node';
import { DateTime, type DateTimeUnit } from 'luxon';

export interface TimeRange {
  /** Inclusive start, local midnight in `zone`. */
  start: DateTime;
  /** Exclusive end, local midnight in `zone`. */
  end: DateTime;
  /** How the person said it, normalised ("last 4 weeks"). */
  label: string;
}

export interface RangeMatch {
  range: TimeRange;
  /** The part of the text that described the range, so the caller can remove it. */
  matched: string;
}

export class TimeRangeError extends Error {
  override readonly name = 'TimeRangeError';
}

const UNIT_WORDS: Record<string, DateTimeUnit> = {
  day: 'day',
  days: 'day',
  week: 'week',
  weeks: 'week',
  month: 'month',
  months: 'month',
  quarter: 'quarter',
  quarters: 'quarter',
  year: 'year',
  years: 'year',
};
const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  twelve: 12,
};
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const MONTH_RE =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';

/** The longest allowed range: keeps a typo like "since 1900" from scanning a warehouse's whole history. */
export const MAX_RANGE_DAYS = 3 * 366;

export function todayIn(now: Date, zone: string): DateTime {
  return DateTime.fromJSDate(now, { zone }).startOf('day');
}

function range(start: DateTime, end: DateTime, label: string): TimeRange {
  return { start, end, label };
}

/** Shifts a range back by its own length: the period it is compared with. */
export function previousRange(r: TimeRange): TimeRange {
  const days = Math.round(r.end.diff(r.start, 'days').days);
  return range(r.start.minus({ days }), r.start, `previous ${days} days`);
}

/** A default window from the catalog: the last N complete units. */
export function lastComplete(n: number, unit: DateTimeUnit, now: Date, zone: string): TimeRange {
  const today = todayIn(now, zone);
  const end = unit === 'day' ? today : today.startOf(unit as 'week');
  const label = n === 1 ? `last ${unit}` : `last ${n} ${unit}s`;
  return range(end.minus({ [`${unit}s`]: n }), end, label);
}

interface Rule {
  re: RegExp;
  build(m: RegExpExecArray, today: DateTime, now: Date, zone: string): TimeRange;
}

const RULES: Rule[] = [
  {
    re: /\b(?:between|from)\s+(.+?)\s+(?:and|to|until|-)\s+(.+?)(?=$|\s+(?:by|daily|weekly|monthly|vs|compared|per)\b)/i,
    build: (m, today, _now, zone) => {
      const from = parseDay(m[1]!, today, zone);
      const to = parseDay(m[2]!, today, zone);
      if (to < from)
        throw new TimeRangeError(`The range ends (${to.toISODate()}) before it starts (${from.toISODate()}).`);
      return range(from, to.plus({ days: 1 }), `${from.toISODate()} to ${to.toISODate()}`);
    },
  },
  {
    re: /\b(?:since|from|after)\s+(.+?)(?=$|\s+(?:by|daily|weekly|monthly|vs|compared|per)\b)/i,
    build: (m, today, _now, zone) => {
      const from = parseDay(m[1]!, today, zone);
      if (from > today) throw new TimeRangeError(`"${m[1]}" is in the future.`);
      return range(from, today.plus({ days: 1 }), `since ${from.toISODate()}`);
    },
  },
  {
    re: /\b(?:in the\s+)?(?:last|past|previous|trailing)\s+(\d{1,4}|a|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(days?|weeks?|months?|quarters?|years?)\b/i,
    build: (m, today) => {
      const n = Number(m[1]) || NUMBER_WORDS[m[1]!.toLowerCase()]!;
      const unit = UNIT_WORDS[m[2]!.toLowerCase()]!;
      const end = unit === 'day' ? today : today.startOf(unit as 'week');
      return range(end.minus({ [`${unit}s`]: n }), end, n === 1 ? `last ${unit}` : `last ${n} ${unit}s`);
    },
  },
  {
    re: /\b(?:last|previous|past)\s+(day|week|month|quarter|year)\b/i,
    build: (m, today) => {
      const unit = m[1]!.toLowerCase() as DateTimeUnit;
      const end = unit === 'day' ? today : today.startOf(unit as 'week');
      return range(end.minus({ [`${unit}s`]: 1 }), end, `last ${unit}`);
    },
  },
  {
    re: /\b(this|current)\s+(week|month|quarter|year)\b|\b(week|month|quarter|year)\s+to\s+date\b|\b([wmqy])td\b/i,
    build: (m, today) => {
      const letter: Record<string, DateTimeUnit> = { w: 'week', m: 'month', q: 'quarter', y: 'year' };
      const unit = (m[2] ?? m[3] ?? letter[m[4]!.toLowerCase()]!).toLowerCase() as DateTimeUnit;
      return range(today.startOf(unit as 'week'), today.plus({ days: 1 }), `this ${unit} so far`);
    },
  },
  {
    re: /\bq([1-4])(?:\s*(?:of\s+)?'?(\d{4}|\d{2}))?\b/i,
    build: (m, today) => {
      const q = Number(m[1]);
      let year = m[2] ? normaliseYear(m[2]) : today.year;
      let start = DateTime.fromObject({ year, month: (q - 1) * 3 + 1, day: 1 }, { zone: today.zone });
      if (!m[2] && start > today) {
        year -= 1;
        start = start.minus({ years: 1 });
      }
      return range(start, start.plus({ months: 3 }), `Q${q} ${year}`);
    },
  },
  {
    re: new RegExp(`\\b(?:in\\s+)?${MONTH_RE}(?:\\s+(\\d{4}))?\\b(?!\\s*\\d{1,2}(?:st|nd|rd|th)?\\b)`, 'i'),
    build: (m, today) => {
      const month = MONTHS.findIndex((name) => name.startsWith(m[1]!.toLowerCase().slice(0, 3))) + 1;
      let start = DateTime.fromObject({ year: m[2] ? Number(m[2]) : today.year, month, day: 1 }, { zone: today.zone });
      if (!m[2] && start > today) start = start.minus({ years: 1 });
      return range(start, start.plus({ months: 1 }), start.toFormat('LLLL yyyy'));
    },
  },
  {
    re: /\b(?:in|during|for)\s+(\d{4})\b|^\s*(\d{4})\s*$/i,
    build: (m, today) => {
      const year = Number(m[1] ?? m[2]);
      const start = DateTime.fromObject({ year, month: 1, day: 1 }, { zone: today.zone });
      return range(start, start.plus({ years: 1 }), String(year));
    },
  },
  {
    re: /\byesterday\b/i,
    build: (_m, today) => range(today.minus({ days: 1 }), today, 'yesterday'),
  },
  {
    re: /\btoday\b/i,
    build: (_m, today) => range(today, today.plus({ days: 1 }), 'today so far'),
  },
];

function normaliseYear(y: string): number {
  return y.length === 2 ? 2000 + Number(y) : Number(y);
}

/** One calendar day from free text ("Oct 1", "2025-10-01", "3 weeks ago"), via chrono. */
function parseDay(text: string, today: DateTime, zone: string): DateTime {
  const ref = { instant: today.plus({ hours: 12 }).toJSDate(), timezone: today.offset };
  const results = chrono.en.parse(text.trim(), ref, { forwardDate: false });
  const first = results[0];
  if (!first)
    throw new TimeRangeError(`I couldn't read "${text.trim()}" as a date. Try a form like "Oct 1" or "2025-10-01".`);
  const c = first.start;
  const year = c.get('year');
  const month = c.get('month');
  const day = c.get('day');
  if (year === null || month === null || day === null) throw new TimeRangeError(`"${text.trim()}" is not a full date.`);
  let date = DateTime.fromObject({ year, month, day }, { zone });
  // "since Dec 1" said in November means last December.
  if (!c.isCertain('year') && date > today) date = date.minus({ years: 1 });
  return date;
}

/**
 * Finds a time range in `text`. Returns null when the text names none; throws TimeRangeError when it names one that
 * cannot be used (unreadable date, backwards, in the future, longer than MAX_RANGE_DAYS).
 */
export function findTimeRange(text: string, now: Date, zone: string): RangeMatch | null {
  const today = todayIn(now, zone);
  for (const rule of RULES) {
    const m = rule.re.exec(text);
    if (!m) continue;
    const r = rule.build(m, today, now, zone);
    if (!r.start.isValid || !r.end.isValid) throw new TimeRangeError(`"${m[0].trim()}" is not a date range I can use.`);
    if (r.start > today) throw new TimeRangeError(`${r.label} is in the future: there is no data for it yet.`);
    // A period still under way ("Q4", "November") ends today, so "vs previous" compares equal lengths.
    const tomorrow = today.plus({ days: 1 });
    if (r.end > tomorrow) {
      r.end = tomorrow;
      if (!r.label.endsWith('so far')) r.label = `${r.label} so far`;
    }
    if (r.end.diff(r.start, 'days').days > MAX_RANGE_DAYS) {
      throw new TimeRangeError(`${r.label} is longer than ${MAX_RANGE_DAYS} days; ask for a shorter range.`);
    }
    return { range: r, matched: m[0] };
  }
  return null;
}
