/**
 * Plain-English time ranges read in the catalog's time zone: single days ("on March 3", "2026-10-12", "last
 * Friday"), explicit ranges ("from Oct 1 to Oct 15", "Oct 1–15"), rolling windows ("the past 10 days"), calendar
 * periods ("last month", "Q3", "during August", "in 2025"), periods to date ("QTD", "this week") and open starts
 * ("since the beginning of October"). luxon does the zone-aware arithmetic. Ranges are half-open: [start, end).
 *
 * Periods still under way run through yesterday, the last complete day, so a comparison with an earlier period
 * compares complete days on both sides; "today" is the only range that holds a partial day.
 */
import { DateTime, type DateTimeUnit } from 'luxon';

export type RangeUnit = 'day' | 'week' | 'month' | 'quarter' | 'year';

export interface TimeRange {
  /** Inclusive start, local midnight in the zone. */
  start: DateTime;
  /** Exclusive end, local midnight in the zone. */
  end: DateTime;
  /** How the person said it, normalised ("last 4 weeks"). */
  label: string;
  /** Set when the range is one calendar unit (a day, "last month", "Q3"), which calendar comparisons use. */
  unit?: RangeUnit;
  /** True when that unit is still under way and the range stops at yesterday (or is today so far). */
  inProgress?: boolean;
}

export interface RangeMatch {
  range: TimeRange;
  /** The words that described the range, as typed, and where they are, so the caller can mark them used. */
  matched: string;
  index: number;
}

export class TimeRangeError extends Error {
  override readonly name = 'TimeRangeError';
  constructor(
    message: string,
    readonly reason: 'future' | 'bad_range' = 'bad_range',
  ) {
    super(message);
  }
}

const UNIT_WORDS: Record<string, RangeUnit> = {
  day: 'day',
  days: 'day',
  week: 'week',
  weeks: 'week',
  fortnight: 'week',
  month: 'month',
  months: 'month',
  quarter: 'quarter',
  quarters: 'quarter',
  year: 'year',
  years: 'year',
  wk: 'week',
  wks: 'week',
  mo: 'month',
  mos: 'month',
  mth: 'month',
  mths: 'month',
  qtr: 'quarter',
  qtrs: 'quarter',
  yr: 'year',
  yrs: 'year',
  d: 'day',
  w: 'week',
};
const NUMBER_WORDS: Record<string, number> = {
  zero: 0,
  a: 1,
  an: 1,
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
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  couple: 2,
  few: 3,
};
const HALF_YEAR = '(?:the\\s+year|this\\s+year|last\\s+year|(?:19|20)\\d{2})';
const NUMC =
  '(\\d{1,4}|zero|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty)';
const NUM = NUMC.replace('(', '(?:');
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MON =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const ORD = '(?:st|nd|rd|th)?';
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Patterns other readers share: a count (digits or words, captured) and a weekday name. */
export { NUMC as COUNT_PATTERN, WD as WEEKDAY_PATTERN };

const WD = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat)';
const YEAR = '(?:19|20)\\d{2}';
/**
 * A day of the month said without its month ("the 20th"): the ordinal suffix makes it a date ("the 3" is not), and
 * not when it ranks something else ("the 2nd week", "3rd largest").
 */
const MDAY =
  '(?:the\\s+)?\\d{1,2}(?:st|nd|rd|th)(?!\\s+(?:weeks?|months?|quarters?|years?|days?|half|place|time|largest|biggest|' +
  'most|highest|lowest|fewest|smallest|least|best|worst|percentile)(?![\\p{L}\\p{N}]))';
/** Holidays people name as dates: fixed days, and the US retail days counted from Thanksgiving. */
const HOLIDAY =
  "(?:christmas|xmas)(?:\\s+(?:eve|day))?|new\\s+year(?:['’]?s)?(?:\\s+(?:eve|day))?|nye|halloween" +
  "|valentine(?:['’]?s)?(?:\\s+day)?|boxing\\s+day|thanksgiving(?:\\s+day)?|black\\s+friday|cyber\\s+monday";
const HOLIDAYS: Record<string, [number, number] | ((year: number, zone: string) => DateTime)> = {
  christmas: [12, 25],
  'christmas day': [12, 25],
  'christmas eve': [12, 24],
  'new years': [1, 1],
  'new years day': [1, 1],
  'new years eve': [12, 31],
  nye: [12, 31],
  halloween: [10, 31],
  valentines: [2, 14],
  'valentines day': [2, 14],
  'boxing day': [12, 26],
  thanksgiving: (year, zone) => thanksgiving(year, zone),
  'thanksgiving day': (year, zone) => thanksgiving(year, zone),
  'black friday': (year, zone) => thanksgiving(year, zone).plus({ days: 1 }),
  'cyber monday': (year, zone) => thanksgiving(year, zone).plus({ days: 4 }),
};
/**
 * A holiday is a date where it is said as one: after a preposition, "last"/"this", or with its year. Elsewhere
 * ("the christmas campaign") it is a word the caller reports, not a day it answers for.
 */
const HOLIDAY_SAID =
  `(?:(?:last|this)\\s+(?:${HOLIDAY})|(?:${HOLIDAY})(?=\\s+${YEAR})` +
  `|(?<=(?:^|[^\\p{L}\\p{N}])(?:on|over|during|for|at|around|since|from|until|till|to|through|thru|and|vs|versus|than|of|before|after|between)\\s+(?:the\\s+)?)(?:${HOLIDAY}))` +
  `(?:\\s+${YEAR})?`;
/** One calendar day, in the forms people type. */
const DAY =
  `(?:${YEAR}[-/]\\d{1,2}[-/]\\d{1,2}|\\d{1,2}/\\d{1,2}(?:/(?:${YEAR}|\\d{2}))?` +
  `|${WD},?\\s+(?:the\\s+)?\\d{1,2}(?:st|nd|rd|th)` +
  `|${MON}\\s+\\d{1,2}${ORD}(?:,?\\s+${YEAR})?|(?:the\\s+)?\\d{1,2}${ORD}\\s+(?:of\\s+)?${MON}(?:,?\\s+${YEAR})?` +
  `|${HOLIDAY_SAID}` +
  `|(?:the\\s+)?day\\s+before\\s+yesterday` +
  `|(?:last\\s+|this\\s+|past\\s+)?${WD}|yesterday|yday|today|${NUM}\\s+(?:days?|weeks?)\\s+ago|${MDAY})`;
/** Where an open range can start: a day, a month, a quarter, a year, or the beginning of one. */
const START =
  `(?:(?:the\\s+)?(?:beginning|start)\\s+of\\s+(?:(?:the|this|last)\\s+(?:week|month|quarter|year)|${MON}(?:\\s+${YEAR})?|${YEAR})` +
  `|${DAY}|${MON}(?:\\s+${YEAR})?|q[1-4](?:\\s+${YEAR})?|${YEAR})`;
const B = '(?<![\\p{L}\\p{N}])';
const E = '(?![\\p{L}\\p{N}])';

const ISO_DAY = new RegExp(`^(${YEAR})[-/](\\d{1,2})[-/](\\d{1,2})$`);
/** "Wednesday the 18th": the day of the month decides; the weekday only says which one people mean. */
const WEEKDAY_MDAY = new RegExp(`^${WD},?\\s+((?:the\\s+)?\\d{1,2}(?:st|nd|rd|th))$`);
const SLASH_DAY = new RegExp(`^(\\d{1,2})/(\\d{1,2})(?:/(${YEAR}|\\d{2}))?$`);
const MONTH_DAY = new RegExp(`^(${MON})\\s+(\\d{1,2})${ORD}(?:,?\\s+(${YEAR}))?$`);
const DAY_MONTH = new RegExp(`^(?:the\\s+)?(\\d{1,2})${ORD}\\s+(?:of\\s+)?(${MON})(?:,?\\s+(${YEAR}))?$`);
const WEEKDAY = new RegExp(`^(?:(last|this|past)\\s+)?(${WD})$`);
const AGO = new RegExp(`^${NUMC}\\s+(days?|weeks?)\\s+ago$`);
const MONTH_YEAR = new RegExp(`^(${MON})(?:\\s+(${YEAR}))?$`);
const QUARTER_YEAR = new RegExp(`^q([1-4])(?:\\s+(${YEAR}))?$`);
const YEAR_ONLY = new RegExp(`^(${YEAR})$`);
const HOLIDAY_DAY = new RegExp(`^(?:(last|this)\\s+)?(${HOLIDAY})(?:\\s+(${YEAR}))?$`);
const MONTH_DAY_ONLY = /^(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)$/;

/** The longest allowed range: keeps a typo like "since 1900" from scanning a warehouse's whole history. */
export const MAX_RANGE_DAYS = 3 * 366;

export function todayIn(now: Date, zone: string): DateTime {
  return DateTime.fromJSDate(now, { zone }).startOf('day');
}

function range(start: DateTime, end: DateTime, label: string, unit?: RangeUnit, inProgress?: boolean): TimeRange {
  return { start, end, label, ...(unit ? { unit } : {}), ...(inProgress ? { inProgress } : {}) };
}

const startOf = (d: DateTime, unit: RangeUnit) => d.startOf(unit as DateTimeUnit, { useLocaleWeeks: false });

/** Shifts a range back by its own length: the period it is compared with by default. */
export function previousRange(r: TimeRange): TimeRange {
  const days = Math.round(r.end.diff(r.start, 'days').days);
  return range(r.start.minus({ days }), r.start, days === 1 ? 'previous day' : `previous ${days} days`);
}

/** A default window from the catalog: the last N complete units. */
export function lastComplete(n: number, unit: DateTimeUnit, now: Date, zone: string): TimeRange {
  const today = todayIn(now, zone);
  const u = unit as RangeUnit;
  const end = u === 'day' ? today : startOf(today, u);
  const label = n === 1 ? `last ${unit}` : `last ${n} ${unit}s`;
  return range(end.minus({ [`${unit}s`]: n }), end, label, n === 1 ? u : undefined);
}

/** A period that may still be under way: cut at yesterday, or today so far when it began today. */
export function toDate(
  start: DateTime,
  unitEnd: DateTime,
  today: DateTime,
  label: string,
  unit?: RangeUnit,
): TimeRange {
  if (unitEnd <= today || start > today) return range(start, unitEnd, label, unit);
  if (start.equals(today)) return range(start, today.plus({ days: 1 }), `${label} (today so far)`, unit, true);
  return range(start, today, `${label} so far`, unit, true);
}

function monthIndex(word: string): number {
  return MONTHS.indexOf(word.toLowerCase().slice(0, 3)) + 1;
}

export function weekdayIndex(word: string): number {
  return WEEKDAYS.indexOf(word.toLowerCase().slice(0, 3)) + 1;
}

/** A count in digits or words ("7", "two"); NaN when it is neither. */
export function countOf(word: string): number {
  const n = Number(word);
  return Number.isInteger(n) ? n : (NUMBER_WORDS[word.toLowerCase()] ?? Number.NaN);
}

/** The most recent date on or before today with this month and day (when no year was said). */
function dated(year: number | null, month: number, day: number, today: DateTime): DateTime {
  let d = DateTime.fromObject({ year: year ?? today.year, month, day }, { zone: today.zone });
  if (!d.isValid) throw new TimeRangeError(`${month}/${day} is not a calendar date.`);
  if (year === null && d > today) d = d.minus({ years: 1 });
  return d;
}

/** US Thanksgiving: the fourth Thursday of November. */
function thanksgiving(year: number, zone: string): DateTime {
  const first = DateTime.fromObject({ year, month: 11, day: 1 }, { zone });
  return first.plus({ days: ((4 - first.weekday + 7) % 7) + 21 });
}

/** The most recent holiday on or before today (or in the year said). */
function holiday(name: string, year: number | null, today: DateTime): DateTime {
  const key = name
    .replace(/['’]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/^(new year|valentine)(?!s)/, '$1s');
  const rule = HOLIDAYS[key]!;
  const on = (y: number) =>
    typeof rule === 'function'
      ? rule(y, today.zoneName!)
      : DateTime.fromObject({ year: y, month: rule[0], day: rule[1] }, { zone: today.zone });
  if (year !== null) return on(year);
  const d = on(today.year);
  return d > today ? on(today.year - 1) : d;
}

/** The most recent day with this day-of-month on or before today ("the 20th"; "the 31st" skips short months). */
function monthDay(day: number, today: DateTime): DateTime {
  if (day < 1 || day > 31) throw new TimeRangeError(`The ${ordinal(day)} is not a day of the month.`);
  for (let back = 0; back < 12; back++) {
    const month = today.startOf('month').minus({ months: back });
    if (day > month.daysInMonth!) continue;
    const d = month.set({ day });
    if (d <= today) return d;
  }
  throw new TimeRangeError(`The ${ordinal(day)} is not a day of the month.`);
}

const yearOf = (s: string | undefined) => (s ? (s.length === 2 ? 2000 + Number(s) : Number(s)) : null);

/** One calendar day from a phrase matching DAY. Null when the phrase is not one. */
export function parseDay(text: string, today: DateTime): DateTime | null {
  const s = text.trim().toLowerCase().replace(/\s+/g, ' ');
  let m = ISO_DAY.exec(s);
  if (m) {
    const d = DateTime.fromObject({ year: +m[1]!, month: +m[2]!, day: +m[3]! }, { zone: today.zone });
    if (!d.isValid) throw new TimeRangeError(`"${text.trim()}" is not a calendar date.`);
    return d;
  }
  m = SLASH_DAY.exec(s);
  if (m) return dated(yearOf(m[3]), +m[1]!, +m[2]!, today);
  m = MONTH_DAY.exec(s);
  if (m) return dated(yearOf(m[3]), monthIndex(m[1]!), +m[2]!, today);
  m = DAY_MONTH.exec(s);
  if (m) return dated(yearOf(m[3]), monthIndex(m[2]!), +m[1]!, today);
  m = WEEKDAY.exec(s);
  if (m) {
    // "Friday" and "last Friday" both mean the most recent Friday before today.
    const back = (today.weekday - weekdayIndex(m[2]!) + 7) % 7 || 7;
    return today.minus({ days: back });
  }
  if (s === 'yesterday' || s === 'yday') return today.minus({ days: 1 });
  if (/^(?:the )?day before yesterday$/.test(s)) return today.minus({ days: 2 });
  m = HOLIDAY_DAY.exec(s);
  if (m) {
    const d = holiday(m[2]!, yearOf(m[3]), today);
    // "last Christmas" on Christmas Day is the one a year before.
    return m[1] === 'last' && d.equals(today) ? holiday(m[2]!, today.year - 1, today) : d;
  }
  m = WEEKDAY_MDAY.exec(s);
  if (m) return parseDay(m[1]!, today);
  m = MONTH_DAY_ONLY.exec(s);
  if (m) return monthDay(+m[1]!, today);
  if (s === 'today') return today;
  m = AGO.exec(s);
  if (m) return today.minus({ [m[2]!.startsWith('week') ? 'weeks' : 'days']: countOf(m[1]!) });
  return null;
}

/** The first day of a START phrase, and the unit it names when it is a whole period. */
function parseStart(text: string, today: DateTime): DateTime {
  const s = text
    .trim()
    .toLowerCase()
    .replace(/^(?:the\s+)?(?:beginning|start)\s+of\s+/, '');
  const day = parseDay(s, today);
  if (day) return day;
  let m = /^(the|this|last)\s+(week|month|quarter|year)$/.exec(s);
  if (m) {
    const unit = m[2] as RangeUnit;
    const start = startOf(today, unit);
    return m[1] === 'last' ? start.minus({ [`${unit}s`]: 1 }) : start;
  }
  m = MONTH_YEAR.exec(s);
  if (m) return dated(yearOf(m[2]), monthIndex(m[1]!), 1, today);
  m = QUARTER_YEAR.exec(s);
  if (m) return quarterStart(+m[1]!, yearOf(m[2]), today);
  m = YEAR_ONLY.exec(s);
  if (m) return DateTime.fromObject({ year: +m[1]!, month: 1, day: 1 }, { zone: today.zone });
  throw new TimeRangeError(`I couldn't read "${text.trim()}" as a date. Try a form like "Oct 1" or "2025-10-01".`);
}

function quarterStart(q: number, year: number | null, today: DateTime): DateTime {
  let start = DateTime.fromObject({ year: year ?? today.year, month: (q - 1) * 3 + 1, day: 1 }, { zone: today.zone });
  if (year === null && start > today) start = start.minus({ years: 1 });
  return start;
}

/** The end of an explicit range: a day, or a whole month ("from August to October"). */
function parseEnd(text: string, today: DateTime): DateTime {
  const s = text.trim().toLowerCase();
  const day = parseDay(s, today);
  if (day) return day.plus({ days: 1 });
  const m = MONTH_YEAR.exec(s);
  if (m) return dated(yearOf(m[2]), monthIndex(m[1]!), 1, today).plus({ months: 1 });
  throw new TimeRangeError(`I couldn't read "${text.trim()}" as a date. Try a form like "Oct 15" or "2025-10-15".`);
}

const QUARTER_ORDINALS: Record<string, number> = {
  first: 1,
  '1st': 1,
  second: 2,
  '2nd': 2,
  third: 3,
  '3rd': 3,
  fourth: 4,
  '4th': 4,
};

interface Rule {
  re: RegExp;
  build(m: RegExpExecArray, today: DateTime): TimeRange;
}

const re = (source: string) => new RegExp(`${B}${source}${E}`, 'iu');

/** Between the two ends of an explicit range. */
const TO = '\\s*(?:-|–|—|\\bto\\b|\\bthrough\\b|\\bthru\\b|\\buntil\\b|\\btill\\b|\\band\\b)\\s*';

const RULES: Rule[] = [
  {
    // "November last year", "Q3 of last year", "last November" (the latest one that is over)
    re: re(
      `(?:(?:in|during|for|of|over)\\s+)?(?:(last)\\s+(${MON})|(${MON}|q[1-4])\\s+(?:of\\s+)?(last|this|previous|prior)\\s+year)`,
    ),
    build: (m, today) => {
      const word = (m[2] ?? m[3])!.toLowerCase();
      const year = m[4] ? (/^this$/i.test(m[4]) ? today.year : today.year - 1) : null;
      if (/^q[1-4]$/.test(word)) {
        const start = quarterStart(+word[1]!, year, today);
        return toDate(start, start.plus({ months: 3 }), today, `Q${word[1]} ${start.year}`, 'quarter');
      }
      let start = dated(year, monthIndex(word), 1, today);
      if (m[1] && start.plus({ months: 1 }) > today) start = start.minus({ years: 1 });
      return toDate(start, start.plus({ months: 1 }), today, start.toFormat('LLLL yyyy'), 'month');
    },
  },
  {
    // "the first two weeks of October", "the last 10 days of September"
    re: re(
      `(?:(?:in|during|for|over)\\s+)?(?:the\\s+)?(first|last)\\s+${NUMC}\\s+(days?|weeks?)\\s+of\\s+(${MON})(?:,?\\s+(${YEAR}))?`,
    ),
    build: (m, today) => {
      const month = dated(yearOf(m[5]), monthIndex(m[4]!), 1, today);
      const n = countOf(m[2]!);
      const span = { [m[3]!.toLowerCase().startsWith('week') ? 'weeks' : 'days']: n };
      if (!Number.isFinite(n) || n < 1) throw new TimeRangeError(`"${m[0].trim()}" is an empty range.`);
      const end = month.plus({ months: 1 });
      const r = /^first$/i.test(m[1]!) ? explicit(month, month.plus(span)) : explicit(end.minus(span), end);
      if (r.start < month || r.end > end) throw new TimeRangeError(`"${m[0].trim()}" is longer than the month.`);
      return r;
    },
  },
  {
    // "H1", "H2 2025", "the first half of the year", "the second half of October"
    re: re(
      `(?:(?:in|during|for|over)\\s+)?(?:the\\s+)?(?:h([12])(?:\\s+(${YEAR}))?|(first|second|1st|2nd)\\s+half\\s+(?:of\\s+)?(?:(${HALF_YEAR})|(${MON})(?:\\s+(${YEAR}))?))`,
    ),
    build: (m, today) => {
      const second = m[1] === '2' || /^(?:second|2nd)$/i.test(m[3] ?? '');
      if (m[5]) {
        const month = dated(yearOf(m[6]), monthIndex(m[5]), 1, today);
        const start = second ? month.set({ day: 16 }) : month;
        return explicit(start, second ? month.plus({ months: 1 }) : month.set({ day: 16 }));
      }
      const said = (m[2] ?? m[4] ?? '').toLowerCase();
      const year = /^\d/.test(said) ? +said : said.startsWith('last') ? today.year - 1 : said ? today.year : null;
      let start = DateTime.fromObject(
        { year: year ?? today.year, month: second ? 7 : 1, day: 1 },
        { zone: today.zone },
      );
      if (year === null && start > today) start = start.minus({ years: 1 });
      return toDate(start, start.plus({ months: 6 }), today, `H${second ? 2 : 1} ${start.year}`);
    },
  },
  {
    // "last weekend" is the latest whole one; "over the weekend" / "this weekend" the latest one begun.
    re: re(`(?:(?:over|during|on|for|at)\\s+)?(?:(last|past|previous|this|the)\\s+)weekend`),
    build: (m, today) => {
      let saturday = today.minus({ days: (today.weekday - 6 + 7) % 7 });
      if (/^(?:last|past|previous)$/i.test(m[1]!) && saturday.plus({ days: 2 }) > today) {
        saturday = saturday.minus({ weeks: 1 });
      }
      if (/^this$/i.test(m[1]!) && today.weekday < 6) {
        throw new TimeRangeError('This weekend is in the future: there is no data for it yet.', 'future');
      }
      return toDate(saturday, saturday.plus({ days: 2 }), today, `weekend of ${saturday.toISODate()}`);
    },
  },
  {
    // "L30D", "T7D": the analyst's shorthand for the last (trailing) N days.
    re: re('[lt](\\d{1,3})d'),
    build: (m, today) => {
      const n = +m[1]!;
      if (n < 1) throw new TimeRangeError(`"${m[0]}" is an empty range: ask for at least one day.`);
      return range(today.minus({ days: n }), today, n === 1 ? 'last day' : `last ${n} days`);
    },
  },
  {
    // "the week of Oct 12" (the Monday–Sunday week holding that day), "the week starting Nov 2", "week ending Nov 22"
    re: re(
      `(?:(?:in|during|for|over)\\s+)?(?:the\\s+)?week\\s+(of|starting|beginning|commencing|ending)(?:\\s+(?:on|with))?\\s+(${DAY})`,
    ),
    build: (m, today) => {
      const day = parseDay(m[2]!, today)!;
      const how = m[1]!.toLowerCase();
      const start = how === 'of' ? startOf(day, 'week') : how === 'ending' ? day.minus({ days: 6 }) : day;
      const r = explicit(start, start.plus({ days: 7 }));
      return start.weekday === 1 ? { ...r, unit: 'week' } : r;
    },
  },
  {
    // "1-15 nov", "the 3rd to the 9th of October", "between the 2nd and 10th of Sept 2025"
    re: re(
      `(?:from\\s+|between\\s+)?(?:the\\s+)?(\\d{1,2})${ORD}${TO}(?:the\\s+)?(\\d{1,2})${ORD}\\s+(?:of\\s+)?(?:(${MON})(?:,?\\s+(${YEAR}))?|(this|last)\\s+month)`,
    ),
    build: (m, today) => {
      const month = m[5] ? startOf(today, 'month').minus({ months: /^last$/i.test(m[5]) ? 1 : 0 }) : null;
      const from = month ? monthDayIn(month, +m[1]!) : dated(yearOf(m[4]), monthIndex(m[3]!), +m[1]!, today);
      return explicit(from, monthDayIn(from, +m[2]!).plus({ days: 1 }));
    },
  },
  {
    // "from the 9th to the 15th": both days in the latest month that has begun the range
    re: re(
      `(?:from\\s+|between\\s+)?${MDAY.replace('\\d{1,2}', '(\\d{1,2})')}${TO}(?:the\\s+)?(\\d{1,2})${ORD}(?![/.]?\\d)`,
    ),
    build: (m, today) => {
      const from = monthDay(+m[1]!, today);
      const last = +m[2]!;
      // "the 25th to the 5th" runs into the next month.
      const month = last >= from.day ? from : from.plus({ months: 1 }).startOf('month');
      return explicit(from, monthDayIn(month, last).plus({ days: 1 }));
    },
  },
  {
    // "Oct 1–15", "March 3 to 9"
    re: re(
      `(?:from\\s+|between\\s+)?(${MON})\\s+(\\d{1,2})${ORD}\\s*(?:-|–|—|to|through|thru|until|and)\\s*(\\d{1,2})${ORD}(?:,?\\s+(${YEAR}))?(?!\\s*[/:-]?\\s*(?:\\d|${MON}))`,
    ),
    build: (m, today) => {
      const month = monthIndex(m[1]!);
      const from = dated(yearOf(m[4]), month, +m[2]!, today);
      const to = from.set({ day: +m[3]! });
      return explicit(from, to.plus({ days: 1 }));
    },
  },
  {
    re: re(
      `(?:from\\s+|between\\s+)?(${START})\\s*(?:-|–|—|\\bto\\b|\\bthrough\\b|\\bthru\\b|\\buntil\\b|\\btill\\b|\\band\\b)\\s*(${DAY}|${MON}(?:\\s+${YEAR})?)`,
    ),
    build: (m, today) => explicit(parseStart(m[1]!, today), parseEnd(m[2]!, today)),
  },
  {
    re: re(`(?:since|starting(?:\\s+(?:from|on))?|from|after)\\s+(${START})`),
    build: (m, today) => {
      const from = parseStart(m[1]!, today);
      if (from > today) throw new TimeRangeError(`"${m[1]}" is in the future.`, 'future');
      return range(from, from.equals(today) ? today.plus({ days: 1 }) : today, `since ${from.toISODate()}`);
    },
  },
  {
    re: re(
      `(?:tomorrow|next\\s+(?:${NUM}\\s+)?(?:days?|weeks?|months?|quarters?|years?|${WD})|in\\s+${NUM}\\s+(?:days|weeks|months))`,
    ),
    build: (m) => {
      throw new TimeRangeError(`"${m[0].trim()}" is in the future: there is no data for it yet.`, 'future');
    },
  },
  {
    re: re(
      `(?:(?:in|over|during|for|within)\\s+(?:the\\s+)?(?:(last|past|previous|trailing|prior)\\s+)?|(?:the\\s+)?(last|past|previous|trailing|prior)\\s+)` +
        `(?:${NUMC}\\s+|(\\d{1,3})(?=[dw]|wks?|mos?)|(?:a\\s+)?(couple|few)(?:\\s+of)?\\s+)` +
        '(days?|weeks?|months?|quarters?|years?|wks?|mos?|mths?|qtrs?|yrs?|d|w)(?!\\s+ago)',
    ),
    build: (m, today) => {
      const n = countOf((m[3] ?? m[4] ?? m[5])!);
      const unit = UNIT_WORDS[m[6]!.toLowerCase()]!;
      if (!Number.isFinite(n) || n < 1) {
        throw new TimeRangeError(`"${m[0].trim()}" is an empty range: ask for at least one ${unit}.`);
      }
      const end = unit === 'day' ? today : startOf(today, unit);
      return range(
        end.minus({ [`${unit}s`]: n }),
        end,
        n === 1 ? `last ${unit}` : `last ${n} ${unit}s`,
        n === 1 ? unit : undefined,
      );
    },
  },
  {
    re: re(
      `(?:(?:in|over|during|for)\\s+)?(?:the\\s+)?(?:last|past|previous|prior)\\s+(day|week|fortnight|month|quarter|year|wk|mo|mth|qtr|yr)`,
    ),
    build: (m, today) => {
      const word = m[1]!.toLowerCase();
      const unit = UNIT_WORDS[word]!;
      const end = unit === 'day' ? today : startOf(today, unit);
      if (word === 'fortnight') return range(end.minus({ weeks: 2 }), end, 'last 2 weeks');
      return range(end.minus({ [`${unit}s`]: 1 }), end, `last ${unit}`, unit);
    },
  },
  {
    re: re(
      `(?:(?:so\\s+far\\s+)?(?:this|current|the\\s+current)\\s+(week|month|quarter|year)(?:\\s+so\\s+far|\\s+to\\s+date)?|(week|month|quarter|year)\\s+to\\s+date|([wmqy])td)`,
    ),
    build: (m, today) => {
      const letter: Record<string, RangeUnit> = { w: 'week', m: 'month', q: 'quarter', y: 'year' };
      const unit = (m[1] ?? m[2] ?? letter[m[3]!.toLowerCase()]!).toLowerCase() as RangeUnit;
      const start = startOf(today, unit);
      return toDate(start, start.plus({ [`${unit}s`]: 1 }), today, `this ${unit}`, unit);
    },
  },
  {
    re: re(
      `(?:(?:in|during|for|of)\\s+)?(?:the\\s+)?(?:q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th)\\s+quarter)(?:\\s*(?:of\\s+)?'?(${YEAR}|\\d{2}))?`,
    ),
    build: (m, today) => {
      const q = m[1] ? +m[1] : QUARTER_ORDINALS[m[2]!.toLowerCase()]!;
      const start = quarterStart(q, yearOf(m[3]), today);
      return toDate(start, start.plus({ months: 3 }), today, `Q${q} ${start.year}`, 'quarter');
    },
  },
  {
    re: re(`(?:on\\s+)?(${DAY})`),
    build: (m, today) => {
      const day = parseDay(m[1]!, today)!;
      const label = /^\d|ago$/i.test(m[1]!.trim()) ? day.toISODate()! : m[1]!.trim().toLowerCase();
      if (day.equals(today)) return range(day, day.plus({ days: 1 }), 'today so far', 'day', true);
      return range(
        day,
        day.plus({ days: 1 }),
        label === 'yesterday' ? 'yesterday' : day.toFormat('ccc LLL d, yyyy'),
        'day',
      );
    },
  },
  {
    // "May" alone is a verb as often as a month: it needs a preposition or a year.
    re: re(
      `(?:(?:in|during|for|of|throughout|over)\\s+(?:the\\s+month\\s+of\\s+)?(${MON})(?:\\s+(${YEAR}))?|(?!may\\b)(${MON})(?:\\s+(${YEAR}))?|(may)\\s+(${YEAR}))`,
    ),
    build: (m, today) => {
      const word = m[1] ?? m[3] ?? m[5]!;
      const year = yearOf(m[2] ?? m[4] ?? m[6]);
      const start = dated(year, monthIndex(word), 1, today);
      return toDate(start, start.plus({ months: 1 }), today, start.toFormat('LLLL yyyy'), 'month');
    },
  },
  {
    re: re(`(?:(?:in|during|for|of|throughout)\\s+(${YEAR})|^\\s*(${YEAR})\\s*$)`),
    build: (m, today) => {
      const start = DateTime.fromObject({ year: +(m[1] ?? m[2])!, month: 1, day: 1 }, { zone: today.zone });
      return toDate(start, start.plus({ years: 1 }), today, String(start.year), 'year');
    },
  },
];

/** 1st, 2nd, 3rd, 11th, 21st. */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** Day `day` of the month `d` is in; not a calendar date is an error. */
function monthDayIn(d: DateTime, day: number): DateTime {
  const out = d.set({ day });
  if (!out.isValid || out.month !== d.month || day < 1) {
    throw new TimeRangeError(`${d.toFormat('LLLL')} has no ${ordinal(day)}.`);
  }
  return out;
}

function explicit(from: DateTime, end: DateTime): TimeRange {
  const last = end.minus({ days: 1 });
  if (end <= from) {
    throw new TimeRangeError(`The range ends (${last.toISODate()}) before it starts (${from.toISODate()}).`);
  }
  const label = last.equals(from) ? from.toISODate()! : `${from.toISODate()} to ${last.toISODate()}`;
  return range(from, end, label, last.equals(from) ? 'day' : undefined);
}

/** Checks a range built from words: not in the future, not too long, cut to today. */
function usable(r: TimeRange, words: string, today: DateTime): TimeRange {
  if (!r.start.isValid || !r.end.isValid) throw new TimeRangeError(`"${words.trim()}" is not a date range I can use.`);
  if (r.start > today) {
    throw new TimeRangeError(`${r.label} is in the future: there is no data for it yet.`, 'future');
  }
  if (r.end <= r.start) throw new TimeRangeError(`"${words.trim()}" is an empty range.`);
  if (r.end > today && !r.inProgress) {
    // Complete days only, unless the range is today itself.
    r.end = r.start >= today ? today.plus({ days: 1 }) : today;
    r.inProgress = true;
    const last = r.end.minus({ days: 1 });
    if (/^\d{4}-\d\d-\d\d( to \d{4}-\d\d-\d\d)?$/.test(r.label)) {
      r.label = last.equals(r.start) ? r.start.toISODate()! : `${r.start.toISODate()} to ${last.toISODate()}`;
    }
    if (!r.label.includes('so far')) r.label = `${r.label} so far`;
  }
  if (r.end.diff(r.start, 'days').days > MAX_RANGE_DAYS) {
    throw new TimeRangeError(`${r.label} is longer than ${MAX_RANGE_DAYS} days; ask for a shorter range.`);
  }
  return r;
}

/**
 * Every time range named in `text`, in order of appearance. Throws TimeRangeError for one that cannot be used
 * (unreadable, backwards, empty, in the future, longer than MAX_RANGE_DAYS).
 */
export function scanTimeRanges(text: string, now: Date, zone: string): RangeMatch[] {
  const today = todayIn(now, zone);
  let work = text;
  const found: RangeMatch[] = [];
  // Cheap gate: most words cannot start a date, so most questions skip most rules.
  if (
    !/\d|day|week|month|quarter|year|since|from|last|past|this|yday|to ?date|td\b|ago|q[1-4]|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|tomorrow|next|first|second|third|fourth|fortnight|weekend|h[12]\b|half|[lt]\d|christmas|xmas|halloween|valentine|thanksgiving|nye/i.test(
      text,
    )
  ) {
    return found;
  }
  for (const rule of RULES) {
    for (let m = rule.re.exec(work); m; m = rule.re.exec(work)) {
      const r = usable(rule.build(m, today), m[0], today);
      found.push({ range: r, matched: text.slice(m.index, m.index + m[0].length), index: m.index });
      work = `${work.slice(0, m.index)}${' '.repeat(m[0].length)}${work.slice(m.index + m[0].length)}`;
    }
  }
  // "from last flurble to Oct 3": half a range is an error, not a single day.
  for (const f of found) {
    const before = work.slice(Math.max(0, f.index - 50), f.index);
    const m =
      /(?<![\p{L}\p{N}])(?:from|between)\s+([^\s,;?!][^,;?!]{0,30}?)\s+(?:to|and|until|through|thru|-)\s*$/iu.exec(
        before,
      );
    if (m) {
      throw new TimeRangeError(`I couldn't read "${m[1]}" as a date. Try a form like "Oct 1" or "2025-10-01".`);
    }
  }
  // "since blorp": an open start that is not a date is an error, not a silently ignored word.
  const since = /(?<![\p{L}\p{N}])since\s+([\p{L}\p{N}][^\s,;?!]*)/iu.exec(work);
  if (since) {
    throw new TimeRangeError(`I couldn't read "${since[1]}" as a date. Try a form like "Oct 1" or "2025-10-01".`);
  }
  return found.sort((a, b) => a.index - b.index);
}

/** The first time range named in `text`, or null. */
export function findTimeRange(text: string, now: Date, zone: string): RangeMatch | null {
  return scanTimeRanges(text, now, zone)[0] ?? null;
}
