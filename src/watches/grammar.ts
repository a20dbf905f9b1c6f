/**
 * The wording around a question in `/analytics watch …` and `/analytics alert when …`: schedule, time, destination
 * and the alert condition. Pure. What is left is the question itself, which the same question pipeline as answers
 * reads; every other word must be understood here, or the command is refused with the words named.
 */
import { isTimeZone } from '../config.js';

export type Frequency = 'daily' | 'weekly' | 'monthly';
export type Destination = 'here' | 'dm';
export type Sensitivity = 'low' | 'medium' | 'high';

export interface Schedule {
  every: Frequency;
  /** ISO weekday (1 = Monday) for weekly schedules. */
  weekday: number;
  hour: number;
  minute: number;
  /** IANA zone when one was given; otherwise the creator's zone is filled in later. */
  timezone?: string;
}

export type Condition =
  /** Relative change of the latest period against the mean of the same period `weeksBack` weeks back. */
  | {
      type: 'change';
      direction: 'drop' | 'rise' | 'any';
      percent: number;
      baseline: 'week_over_week' | 'same_weekday';
      weeks: number;
    }
  | { type: 'threshold'; op: 'above' | 'below'; value: number; percent: boolean }
  | { type: 'anomaly'; sensitivity: Sensitivity };

export interface WatchDraftSpec {
  kind: 'watch' | 'alert';
  question: string;
  schedule: Schedule;
  /** True when the schedule was not said (alerts have a default cadence). */
  defaultSchedule: boolean;
  destination: Destination;
  condition?: Condition;
  /** "and by at least N": the absolute change an alert needs; otherwise derived from the metric's volume. */
  floor?: number;
}

export type GrammarResult = { ok: true; spec: WatchDraftSpec } | { ok: false; error: string };

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const NUMBER_WORDS: Record<string, number> = { two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8 };
const DEFAULT_HOUR = 9;

export const WATCH_USAGE =
  '`/analytics watch <question> daily|weekly|monthly [at 9:00] [here|dm]`, e.g. ' +
  '`/analytics watch signups by source weekly at 9:30 here`';
export const ALERT_USAGE =
  '`/analytics alert when <metric> drop|rise more than 20% week over week`, ' +
  '`… vs the same weekday over the last 4 weeks [and by at least 50]`, `… is above 60%`, or ' +
  '`/analytics alert when <metric> look unusual [with high sensitivity]`';

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

interface Suffix {
  time?: { hour: number; minute: number; timezone?: string };
  destination?: Destination;
  rest: string;
  error?: string;
}

/** Strips trailing `at 9:00 [zone]` and `here|dm` (either order). */
function stripSuffix(text: string): Suffix {
  let rest = squash(text);
  const out: Suffix = { rest };
  for (let i = 0; i < 3; i++) {
    const dest =
      /\s*\b(here|in here|in this channel|in the channel|dm|in a dm|by dm|as a dm|to me|in my dms?)\s*[.!]?$/i.exec(
        rest,
      );
    if (dest && !out.destination) {
      out.destination = /dm|me/i.test(dest[1]!) ? 'dm' : 'here';
      rest = rest.slice(0, dest.index).trim();
      continue;
    }
    const at =
      /\s*\bat\s+(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?:\s+([A-Za-z]+(?:\/[A-Za-z_+-]+){1,2}|UTC|GMT))?\s*[.!]?$/i.exec(
        rest,
      );
    if (at && !out.time) {
      let hour = Number(at[1]);
      const minute = at[2] ? Number(at[2]) : 0;
      const meridiem = at[3]?.toLowerCase().replace(/\./g, '');
      if (meridiem) {
        if (hour < 1 || hour > 12) return { rest, error: `“${at[0].trim()}” is not a time of day.` };
        hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
      }
      if (hour > 23 || minute > 59) return { rest, error: `“${at[0].trim()}” is not a time of day.` };
      let timezone = at[4];
      if (timezone && /^(utc|gmt)$/i.test(timezone)) timezone = 'UTC';
      if (timezone && !isTimeZone(timezone))
        return { rest, error: `I don't know the time zone “${timezone}”; use one like Europe/Berlin or UTC.` };
      out.time = { hour, minute, timezone };
      rest = rest.slice(0, at.index).trim();
      continue;
    }
    break;
  }
  out.rest = rest;
  return out;
}

/**
 * The schedule is the daily|weekly|monthly word that ends the text (before `at`, `here`, `dm`); an earlier one is
 * the question's grain, and "daily active users" stays a metric name.
 */
function takeFrequency(text: string): { every: Frequency; weekday?: number; rest: string } | null {
  const last =
    /(?:^|\s)(daily|weekly|monthly|every day|every week|every month)(?:\s+on\s+(mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?))?\s*$/i.exec(
      text,
    );
  if (!last) return null;
  const word = last[1]!.toLowerCase();
  const every: Frequency = /dai|day/.test(word) ? 'daily' : /week/.test(word) ? 'weekly' : 'monthly';
  const weekday = last[2] ? WEEKDAYS.indexOf(last[2].toLowerCase().replace(/s$/, '')) + 1 : undefined;
  if (weekday && every !== 'weekly') return null;
  const rest = squash(`${text.slice(0, last.index)} ${text.slice(last.index + last[0].length)}`);
  return { every, weekday, rest };
}

function schedule(every: Frequency, weekday: number | undefined, time: Suffix['time']): Schedule {
  return {
    every,
    weekday: weekday ?? 1,
    hour: time?.hour ?? DEFAULT_HOUR,
    minute: time?.minute ?? 0,
    ...(time?.timezone ? { timezone: time.timezone } : {}),
  };
}

/** `<question> daily|weekly|monthly [at 9:00] [here|dm]`. */
export function parseWatch(input: string): GrammarResult {
  const suffix = stripSuffix(input);
  if (suffix.error) return { ok: false, error: suffix.error };
  const freq = takeFrequency(suffix.rest);
  if (!freq) {
    return { ok: false, error: `Say how often: daily, weekly or monthly. Usage: ${WATCH_USAGE}` };
  }
  if (!freq.rest) return { ok: false, error: `Which metric should I post? Usage: ${WATCH_USAGE}` };
  return {
    ok: true,
    spec: {
      kind: 'watch',
      question: freq.rest,
      schedule: schedule(freq.every, freq.weekday, suffix.time),
      defaultSchedule: false,
      destination: suffix.destination ?? 'here',
    },
  };
}

const CHANGE_RE =
  /\s+(drops?|dropped|falls?|fell|declines?|decreases?|goes down|go down|dips?|rises?|rose|increases?|grows?|jumps?|spikes?|goes up|go up|changes?|moves?)\s+(?:by\s+)?(?:more than|over|at least|by more than|>=?)?\s*(\d+(?:\.\d+)?)\s*(?:%|percent)(.*)$/i;
const THRESHOLD_RE =
  /\s+(?:is|are|goes|go|gets|get|rises|rise|falls|fall|drops|drop|climbs|climb)?\s*(above|over|more than|greater than|exceeds?|higher than|below|under|less than|lower than)\s+(\d+(?:\.\d+)?)\s*(%|percent)?(.*)$/i;
const ANOMALY_RE =
  /\s+(?:looks?|seems?|is|are|goes|go|gets?|becomes?)\s+(unusual|anomalous|abnormal|weird|odd|strange)\b(.*)$/i;
const WEEK_OVER_WEEK_RE =
  /^\s*(?:week over week|week on week|wow|w\/w|vs\.? (?:the )?(?:previous|prior|last) week|compared (?:to|with) (?:the )?(?:previous|prior|last) week)\b/i;
const SAME_WEEKDAY_RE =
  /^\s*(?:vs\.?|versus|compared (?:to|with)|against)\s+(?:the\s+)?same\s+(?:weekday|day of (?:the )?week|day)\s+(?:over|in|of|across)\s+the\s+(?:last|past|previous)\s+(\d|two|three|four|five|six|seven|eight)\s+weeks\b/i;
const FLOOR_RE = /^\s*,?\s*(?:and|but only if it changes|but only)?\s*by at least\s+(\d+(?:[.,]\d+)*)\b/i;
const SENSITIVITY_RE =
  /^\s*,?\s*(?:with\s+)?(?:(low|medium|normal|high)\s+sensitivity|sensitivity\s*(?:[:=]|of)?\s*(low|medium|normal|high))\b/i;

/** `when <question> drop more than 20% week over week [and by at least 50] [daily|weekly] [at 9:00] [here|dm]`, … */
export function parseAlert(input: string): GrammarResult {
  const text = squash(input).replace(/^(?:when|if)\s+/i, '');
  if (!text) return { ok: false, error: `What should I watch for? Usage: ${ALERT_USAGE}` };
  let question: string;
  let condition: Condition;
  let tail: string;
  const change = CHANGE_RE.exec(` ${text}`);
  const anomaly = ANOMALY_RE.exec(` ${text}`);
  const threshold = THRESHOLD_RE.exec(` ${text}`);
  if (change) {
    question = ` ${text}`.slice(0, change.index).trim();
    const verb = change[1]!.toLowerCase();
    const direction = /^(drop|fell|fall|decl|decr|goes down|go down|dip)/.test(verb)
      ? 'drop'
      : /^(chang|mov)/.test(verb)
        ? 'any'
        : 'rise';
    const percent = Number(change[2]);
    let rest = change[3] ?? '';
    let baseline: 'week_over_week' | 'same_weekday' = 'week_over_week';
    let weeks = 1;
    const wow = WEEK_OVER_WEEK_RE.exec(rest);
    const same = SAME_WEEKDAY_RE.exec(rest);
    if (wow) rest = rest.slice(wow[0].length);
    else if (same) {
      baseline = 'same_weekday';
      weeks = /^\d$/.test(same[1]!) ? Number(same[1]) : NUMBER_WORDS[same[1]!.toLowerCase()]!;
      if (weeks < 1 || weeks > 8)
        return { ok: false, error: 'Compare with between 1 and 8 weeks of the same weekday.' };
      rest = rest.slice(same[0].length);
    }
    if (!(percent > 0 && percent <= 1000)) return { ok: false, error: 'The change must be between 0% and 1000%.' };
    condition = { type: 'change', direction, percent, baseline, weeks };
    tail = rest;
  } else if (anomaly) {
    question = ` ${text}`.slice(0, anomaly.index).trim();
    let rest = anomaly[2] ?? '';
    let sensitivity: Sensitivity = 'medium';
    const sens = SENSITIVITY_RE.exec(rest);
    if (sens) {
      const word = (sens[1] ?? sens[2]!).toLowerCase();
      sensitivity = word === 'normal' ? 'medium' : (word as Sensitivity);
      rest = rest.slice(sens[0].length);
    }
    condition = { type: 'anomaly', sensitivity };
    tail = rest;
  } else if (threshold) {
    question = ` ${text}`.slice(0, threshold.index).trim();
    const op = /^(above|over|more|greater|exceed|higher)/i.test(threshold[1]!) ? 'above' : 'below';
    condition = { type: 'threshold', op, value: Number(threshold[2]), percent: Boolean(threshold[3]) };
    tail = threshold[4] ?? '';
  } else {
    return {
      ok: false,
      error: `I couldn't find the condition (a change, a threshold or "looks unusual"). Usage: ${ALERT_USAGE}`,
    };
  }
  if (!question) return { ok: false, error: `Which metric should I watch? Usage: ${ALERT_USAGE}` };

  let floor: number | undefined;
  const floorMatch = FLOOR_RE.exec(tail);
  if (floorMatch) {
    floor = Number(floorMatch[1]!.replace(/,/g, ''));
    if (!Number.isFinite(floor) || floor <= 0) return { ok: false, error: 'The floor must be a positive number.' };
    tail = tail.slice(floorMatch[0].length);
  }
  const sens = condition.type === 'anomaly' ? null : SENSITIVITY_RE.exec(tail);
  if (sens) return { ok: false, error: 'Sensitivity applies to “looks unusual” alerts only.' };

  const suffix = stripSuffix(tail);
  if (suffix.error) return { ok: false, error: suffix.error };
  const freq = suffix.rest ? takeFrequency(suffix.rest) : null;
  const leftover = squash(freq ? freq.rest : suffix.rest)
    .replace(/^[,.;]+|[,.;!?]+$/g, '')
    .trim();
  if (leftover) {
    return { ok: false, error: `I didn't understand “${leftover}” in that alert. Usage: ${ALERT_USAGE}` };
  }
  // Week over week is naturally a weekly check; the other conditions look at each day.
  const every: Frequency =
    freq?.every ?? (condition.type === 'change' && condition.baseline === 'week_over_week' ? 'weekly' : 'daily');
  if (condition.type === 'change' && condition.baseline === 'week_over_week' && every === 'monthly') {
    return { ok: false, error: 'Week over week compares weeks, so it runs daily or weekly, not monthly.' };
  }
  if (condition.type === 'change' && condition.baseline === 'same_weekday' && every !== 'daily') {
    return { ok: false, error: '“The same weekday over the last N weeks” compares days, so it runs daily.' };
  }
  return {
    ok: true,
    spec: {
      kind: 'alert',
      question,
      schedule: schedule(every, freq?.weekday, suffix.time),
      defaultSchedule: !freq,
      destination: suffix.destination ?? 'here',
      condition,
      ...(floor !== undefined ? { floor } : {}),
    },
  };
}
