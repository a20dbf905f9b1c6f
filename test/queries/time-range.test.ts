import type { DateTime } from 'luxon';
import {
  findTimeRange,
  lastComplete,
  MAX_RANGE_DAYS,
  previousRange,
  type TimeRange,
  TimeRangeError,
  todayIn,
} from '../../src/queries/time-range.js';

/** A Sunday, 05:00 in New York (EST: DST ended on Sunday 1 November 2026). */
const NOW = new Date('2026-11-29T10:00:00Z');
const ZONES = ['UTC', 'America/New_York'] as const;

function rangeOf(text: string, zone: string, now = NOW): TimeRange {
  const found = findTimeRange(text, now, zone);
  if (!found) throw new Error(`no range found in "${text}"`);
  return found.range;
}

function expectLocalMidnight(dt: DateTime, zone: string): void {
  expect(dt.isValid).toBe(true);
  expect(dt.zoneName).toBe(zone);
  expect({ hour: dt.hour, minute: dt.minute, second: dt.second, millisecond: dt.millisecond }).toEqual({
    hour: 0,
    minute: 0,
    second: 0,
    millisecond: 0,
  });
}

const days = (r: TimeRange) => Math.round(r.end.diff(r.start, 'days').days);

// [phrase, start, exclusive end, label]
const CASES: Array<[string, string, string, string]> = [
  ['last 4 weeks', '2026-10-26', '2026-11-23', 'last 4 weeks'],
  ['in the last two weeks', '2026-11-09', '2026-11-23', 'last 2 weeks'],
  ['last week', '2026-11-16', '2026-11-23', 'last week'],
  ['last 7 days', '2026-11-22', '2026-11-29', 'last 7 days'],
  ['past 3 months', '2026-08-01', '2026-11-01', 'last 3 months'],
  ['last month', '2026-10-01', '2026-11-01', 'last month'],
  ['last quarter', '2026-07-01', '2026-10-01', 'last quarter'],
  ['last year', '2025-01-01', '2026-01-01', 'last year'],
  // Periods under way run through yesterday, the last complete day.
  ['this month', '2026-11-01', '2026-11-29', 'this month so far'],
  ['this week', '2026-11-23', '2026-11-29', 'this week so far'],
  ['month to date', '2026-11-01', '2026-11-29', 'this month so far'],
  ['QTD', '2026-10-01', '2026-11-29', 'this quarter so far'],
  ['YTD', '2026-01-01', '2026-11-29', 'this year so far'],
  ['yesterday', '2026-11-28', '2026-11-29', 'yesterday'],
  ['today', '2026-11-29', '2026-11-30', 'today so far'],
  ['Q3', '2026-07-01', '2026-10-01', 'Q3 2026'],
  // A period still under way ends with yesterday, so comparisons compare complete days.
  ['Q4', '2026-10-01', '2026-11-29', 'Q4 2026 so far'],
  ['Q1 2025', '2025-01-01', '2025-04-01', 'Q1 2025'],
  ["Q2 '25", '2025-04-01', '2025-07-01', 'Q2 2025'],
  ['in 2025', '2025-01-01', '2026-01-01', '2025'],
  ['October', '2026-10-01', '2026-11-01', 'October 2026'],
  ['December', '2025-12-01', '2026-01-01', 'December 2025'],
  ['since Oct 1', '2026-10-01', '2026-11-29', 'since 2026-10-01'],
  ['since Dec 1', '2025-12-01', '2026-11-29', 'since 2025-12-01'],
  ['since 2025-12-01', '2025-12-01', '2026-11-29', 'since 2025-12-01'],
  ['from Oct 1 to Oct 15', '2026-10-01', '2026-10-16', '2026-10-01 to 2026-10-15'],
  ['between Oct 1 and Oct 15', '2026-10-01', '2026-10-16', '2026-10-01 to 2026-10-15'],
  ['from 2025-10-01 to 2025-10-15', '2025-10-01', '2025-10-16', '2025-10-01 to 2025-10-15'],
  ['on 2026-10-12', '2026-10-12', '2026-10-13', 'Mon Oct 12, 2026'],
  ['on March 3', '2026-03-03', '2026-03-04', 'Tue Mar 3, 2026'],
  ['the 3rd of March', '2026-03-03', '2026-03-04', 'Tue Mar 3, 2026'],
  ['last Friday', '2026-11-27', '2026-11-28', 'Fri Nov 27, 2026'],
  ['3 days ago', '2026-11-26', '2026-11-27', 'Thu Nov 26, 2026'],
  ['Oct 1-15', '2026-10-01', '2026-10-16', '2026-10-01 to 2026-10-15'],
  ['10/1 to 10/15', '2026-10-01', '2026-10-16', '2026-10-01 to 2026-10-15'],
  ['from August to October', '2026-08-01', '2026-11-01', '2026-08-01 to 2026-10-31'],
  ['the past 10 days', '2026-11-19', '2026-11-29', 'last 10 days'],
  ['for two weeks', '2026-11-09', '2026-11-23', 'last 2 weeks'],
  ['quarter to date', '2026-10-01', '2026-11-29', 'this quarter so far'],
  ['since the beginning of October', '2026-10-01', '2026-11-29', 'since 2026-10-01'],
  ['during August', '2026-08-01', '2026-09-01', 'August 2026'],
  ['in May', '2026-05-01', '2026-06-01', 'May 2026'],
  ['the third quarter', '2026-07-01', '2026-10-01', 'Q3 2026'],
  ['3rd quarter', '2026-07-01', '2026-10-01', 'Q3 2026'],
  // A day of the month without its month is the latest one that has happened; a short month is skipped.
  ['on the 20th', '2026-11-20', '2026-11-21', 'Fri Nov 20, 2026'],
  ['on the 31st', '2026-10-31', '2026-11-01', 'Sat Oct 31, 2026'],
  ['the day before yesterday', '2026-11-27', '2026-11-28', 'Fri Nov 27, 2026'],
  // Holidays said as dates are their latest date, or the one in the year said.
  ['on halloween', '2026-10-31', '2026-11-01', 'Sat Oct 31, 2026'],
  ['on christmas eve', '2025-12-24', '2025-12-25', 'Wed Dec 24, 2025'],
  ["over new year's day", '2026-01-01', '2026-01-02', 'Thu Jan 1, 2026'],
  ['christmas 2024', '2024-12-25', '2024-12-26', 'Wed Dec 25, 2024'],
  ['on black friday', '2026-11-27', '2026-11-28', 'Fri Nov 27, 2026'],
  ['for cyber monday', '2025-12-01', '2025-12-02', 'Mon Dec 1, 2025'],
  // Ranges of days with the month after them, or none (the latest month the range has begun in).
  ['1-15 nov', '2026-11-01', '2026-11-16', '2026-11-01 to 2026-11-15'],
  ['the 3rd to the 9th of October', '2026-10-03', '2026-10-10', '2026-10-03 to 2026-10-09'],
  ['from the 9th to the 15th', '2026-11-09', '2026-11-16', '2026-11-09 to 2026-11-15'],
  ['between the 2nd and 10th', '2026-11-02', '2026-11-11', '2026-11-02 to 2026-11-10'],
  // "The week of" a day is the Monday–Sunday week that holds it.
  ['the week of oct 12', '2026-10-12', '2026-10-19', '2026-10-12 to 2026-10-18'],
  ['the week of sept 16', '2026-09-14', '2026-09-21', '2026-09-14 to 2026-09-20'],
  ['the week starting nov 4', '2026-11-04', '2026-11-11', '2026-11-04 to 2026-11-10'],
  ['week ending nov 22', '2026-11-16', '2026-11-23', '2026-11-16 to 2026-11-22'],
  // A month or quarter of last year, and "last November": the latest one that is over.
  ['november last year', '2025-11-01', '2025-12-01', 'November 2025'],
  ['Q3 of last year', '2025-07-01', '2025-10-01', 'Q3 2025'],
  ['last november', '2025-11-01', '2025-12-01', 'November 2025'],
  ['last october', '2026-10-01', '2026-11-01', 'October 2026'],
  // Today is a Sunday: "last weekend" is the one before this one, "over the weekend" this one so far.
  ['last weekend', '2026-11-21', '2026-11-23', 'weekend of 2026-11-21'],
  ['over the weekend', '2026-11-28', '2026-11-29', 'weekend of 2026-11-28 so far'],
  // Shorthand and loose counts for rolling windows.
  ['last 30d', '2026-10-30', '2026-11-29', 'last 30 days'],
  ['L7D', '2026-11-22', '2026-11-29', 'last 7 days'],
  ['past 2w', '2026-11-09', '2026-11-23', 'last 2 weeks'],
  ['the last couple of weeks', '2026-11-09', '2026-11-23', 'last 2 weeks'],
  ['the past few days', '2026-11-26', '2026-11-29', 'last 3 days'],
  // Halves of a year and of a month.
  ['H1', '2026-01-01', '2026-07-01', 'H1 2026'],
  ['H2 2025', '2025-07-01', '2026-01-01', 'H2 2025'],
  ['the second half of last year', '2025-07-01', '2026-01-01', 'H2 2025'],
  ['the first half of november', '2026-11-01', '2026-11-16', '2026-11-01 to 2026-11-15'],
  ['the first two weeks of october', '2026-10-01', '2026-10-15', '2026-10-01 to 2026-10-14'],
  ['the last 10 days of september', '2026-09-21', '2026-10-01', '2026-09-21 to 2026-09-30'],
  ['between the 2nd and the 15th of this month', '2026-11-02', '2026-11-16', '2026-11-02 to 2026-11-15'],
  ['on wednesday the 18th', '2026-11-18', '2026-11-19', 'Wed Nov 18, 2026'],
  ['2026/10/07', '2026-10-07', '2026-10-08', 'Wed Oct 7, 2026'],
];

describe.each(ZONES)('findTimeRange in %s', (zone) => {
  it.each(CASES)('reads "%s" as [%s, %s)', (phrase, start, end, label) => {
    const r = rangeOf(phrase, zone);
    expect({ start: r.start.toISODate(), end: r.end.toISODate(), label: r.label }).toEqual({ start, end, label });
    expectLocalMidnight(r.start, zone);
    expectLocalMidnight(r.end, zone);
  });

  it('counts complete ISO weeks, starting on Monday', () => {
    for (const phrase of ['last 4 weeks', 'last week', 'this week']) {
      const r = rangeOf(phrase, zone);
      expect(r.start.weekday).toBe(1);
    }
    // Today is a Sunday: the week in progress (23–29 Nov) is not complete, so it is left out.
    expect(rangeOf('last 4 weeks', zone).end.toISODate()).toBe('2026-11-23');
    expect(days(rangeOf('last 4 weeks', zone))).toBe(28);
  });

  it('reports the matched words so the caller can remove them', () => {
    expect(findTimeRange('weekly active users last 4 weeks by plan', NOW, zone)?.matched).toBe('last 4 weeks');
    expect(findTimeRange('searches since Oct 1 daily', NOW, zone)?.matched).toBe('since Oct 1');
    expect(findTimeRange('signups from Oct 1 to Oct 15 by plan', NOW, zone)?.matched).toBe('from Oct 1 to Oct 15');
  });

  it('returns null when no range is named', () => {
    expect(findTimeRange('weekly active users by plan', NOW, zone)).toBeNull();
    // Not dates: "from" a source, "may" the verb, a version, a count.
    expect(findTimeRange('signups from hubspot', NOW, zone)).toBeNull();
    expect(findTimeRange('may I see the signups', NOW, zone)).toBeNull();
    expect(findTimeRange('instances on 5.1', NOW, zone)).toBeNull();
    expect(findTimeRange('top 5 countries', NOW, zone)).toBeNull();
    expect(findTimeRange('the 3 biggest plans', NOW, zone)).toBeNull();
    // An ordinal that ranks something else, a holiday used as a name.
    expect(findTimeRange('the 3rd largest plan', NOW, zone)).toBeNull();
    expect(findTimeRange('the 2nd week', NOW, zone)).toBeNull();
    expect(findTimeRange('the christmas campaign', NOW, zone)).toBeNull();
    expect(findTimeRange('average searches a day', NOW, zone)).toBeNull();
    expect(findTimeRange('', NOW, zone)).toBeNull();
  });

  it.each([
    ['from Oct 15 to Oct 1', /ends \(2026-10-01\) before it starts \(2026-10-15\)/],
    ['since blorp', /couldn't read "blorp" as a date/],
    ['from last flurble to Oct 3', /couldn't read "last flurble" as a date/],
    ['Q1 2027', /Q1 2027 is in the future/],
    ['in 2027', /2027 is in the future/],
    ['in December 2026', /December 2026 is in the future/],
    ['since 2026-12-25', /"2026-12-25" is in the future/],
    ['since 2019-01-01', new RegExp(`longer than ${MAX_RANGE_DAYS} days`)],
    ['next week', /"next week" is in the future/],
    ['tomorrow', /"tomorrow" is in the future/],
    ['last 0 days', /"last 0 days" is an empty range/],
    ['the past zero weeks', /empty range/],
    ['last 10 years', new RegExp(`longer than ${MAX_RANGE_DAYS} days`)],
    ['1st to 31st of nov', /November has no 31st/],
    ['on the 32nd', /The 32nd is not a day of the month/],
  ])('rejects "%s"', (phrase, message) => {
    expect(() => findTimeRange(phrase, NOW, zone)).toThrow(TimeRangeError);
    expect(() => findTimeRange(phrase, NOW, zone)).toThrow(message);
  });

  it('reads "this weekend" on a weekday as the coming one, which has no data yet', () => {
    const wednesday = new Date('2026-11-25T15:00:00Z');
    expect(() => findTimeRange('this weekend', wednesday, zone)).toThrow(/This weekend is in the future/);
    expect(rangeOf('over the weekend', zone, wednesday).start.toISODate()).toBe('2026-11-21');
  });

  it('allows the longest range up to MAX_RANGE_DAYS', () => {
    expect(days(rangeOf('last 3 years', zone))).toBeLessThanOrEqual(MAX_RANGE_DAYS);
    expect(rangeOf('last 3 years', zone).start.toISODate()).toBe('2023-01-01');
  });
});

describe('findTimeRange relative to now', () => {
  it('reads a quarter not yet started this year as last year’s', () => {
    const r = rangeOf('Q3', 'UTC', new Date('2026-02-10T12:00:00Z'));
    expect([r.start.toISODate(), r.end.toISODate(), r.label]).toEqual(['2025-07-01', '2025-10-01', 'Q3 2025']);
  });

  it('reads the current month as this year’s, partial', () => {
    const r = rangeOf('October', 'UTC', new Date('2026-10-15T12:00:00Z'));
    expect([r.start.toISODate(), r.end.toISODate(), r.label]).toEqual([
      '2026-10-01',
      '2026-10-15',
      'October 2026 so far',
    ]);
  });

  it('uses the date in the zone, not in UTC', () => {
    // 03:00 UTC on the 29th is still the evening of the 28th in New York.
    const now = new Date('2026-11-29T03:00:00Z');
    expect(rangeOf('yesterday', 'UTC', now).start.toISODate()).toBe('2026-11-28');
    expect(rangeOf('yesterday', 'America/New_York', now).start.toISODate()).toBe('2026-11-27');
    expect(todayIn(now, 'America/New_York').toISODate()).toBe('2026-11-28');
  });
});

describe('daylight saving time in New York', () => {
  const zone = 'America/New_York';

  it('keeps local-midnight bounds on a range spanning the 1 Nov 2026 change', () => {
    const r = rangeOf('last 4 weeks', zone);
    expectLocalMidnight(r.start, zone);
    expectLocalMidnight(r.end, zone);
    expect(r.start.toISO()).toBe('2026-10-26T00:00:00.000-04:00');
    expect(r.end.toISO()).toBe('2026-11-23T00:00:00.000-05:00');
    // 28 calendar days, one of them 25 hours long.
    expect(r.end.diff(r.start, 'hours').hours).toBe(28 * 24 + 1);
  });

  it('starts a range on the day of the change at its local midnight', () => {
    const r = rangeOf('this month', zone);
    expect(r.start.toISO()).toBe('2026-11-01T00:00:00.000-04:00');
    expect(r.end.toISO()).toBe('2026-11-29T00:00:00.000-05:00');
    expect(rangeOf('last month', zone).end.toISO()).toBe('2026-11-01T00:00:00.000-04:00');
  });

  it('keeps local-midnight bounds across the spring change', () => {
    const r = rangeOf('March', zone);
    expect(r.start.toISO()).toBe('2026-03-01T00:00:00.000-05:00');
    expect(r.end.toISO()).toBe('2026-04-01T00:00:00.000-04:00');
  });
});

describe('previousRange', () => {
  it.each(ZONES)('has the same number of days and ends where the range starts (%s)', (zone) => {
    for (const phrase of [
      'last 4 weeks',
      'last 7 days',
      'last month',
      'this month',
      'Q3',
      'YTD',
      'from Oct 1 to Oct 15',
    ]) {
      const r = rangeOf(phrase, zone);
      const prev = previousRange(r);
      expect({ phrase, days: days(prev) }).toEqual({ phrase, days: days(r) });
      expect(prev.end.toISO()).toBe(r.start.toISO());
      expectLocalMidnight(prev.start, zone);
      expectLocalMidnight(prev.end, zone);
    }
  });

  it('shifts the last 4 weeks back by 4 weeks across the DST change', () => {
    const prev = previousRange(rangeOf('last 4 weeks', 'America/New_York'));
    expect([prev.start.toISODate(), prev.end.toISODate(), prev.label]).toEqual([
      '2026-09-28',
      '2026-10-26',
      'previous 28 days',
    ]);
    expect(prev.start.weekday).toBe(1);
  });

  it('compares the 15-day range with the 15 days before it', () => {
    const prev = previousRange(rangeOf('from Oct 1 to Oct 15', 'UTC'));
    expect([prev.start.toISODate(), prev.end.toISODate()]).toEqual(['2026-09-16', '2026-10-01']);
  });
});

describe('lastComplete', () => {
  it.each(ZONES)('builds default windows of complete units (%s)', (zone) => {
    const cases: Array<[number, 'day' | 'week' | 'month' | 'quarter' | 'year', string, string, string]> = [
      [4, 'week', '2026-10-26', '2026-11-23', 'last 4 weeks'],
      [14, 'day', '2026-11-15', '2026-11-29', 'last 14 days'],
      [1, 'month', '2026-10-01', '2026-11-01', 'last month'],
      [1, 'quarter', '2026-07-01', '2026-10-01', 'last quarter'],
      [1, 'year', '2025-01-01', '2026-01-01', 'last year'],
    ];
    for (const [n, unit, start, end, label] of cases) {
      const r = lastComplete(n, unit, NOW, zone);
      expect({ start: r.start.toISODate(), end: r.end.toISODate(), label: r.label }).toEqual({ start, end, label });
      expectLocalMidnight(r.start, zone);
      expectLocalMidnight(r.end, zone);
    }
  });

  it('matches what "last 4 weeks" says', () => {
    const said = rangeOf('last 4 weeks', 'America/New_York');
    const byDefault = lastComplete(4, 'week', NOW, 'America/New_York');
    expect([byDefault.start.toISO(), byDefault.end.toISO()]).toEqual([said.start.toISO(), said.end.toISO()]);
  });
});
