/** Block Kit for watches and alerts: confirmation, scheduled posts, alert messages, listings. Pure. */
import type { Button, KnownBlock } from '@slack/types';
import { DateTime } from 'luxon';
import type { Metric } from '../queries/catalog.js';
import { interpretationLine } from '../queries/interpretation.js';
import type { MetricAnswer } from '../queries/metric-service.js';
import type { MetricQuestion } from '../queries/question.js';
import { encodeQuestion } from '../queries/question-codec.js';
import { previousRange } from '../queries/time-range.js';
import type { WatchRow } from '../store/watch-store.js';
import type { Evaluation } from '../watches/detect.js';
import type { Condition } from '../watches/grammar.js';
import { describeSchedule } from '../watches/schedule.js';
import { seriesChart } from './answer-charts.js';
import {
  type AnyBlock,
  actions,
  button,
  clip,
  context,
  divider,
  escapeMrkdwn,
  header,
  type Message,
  section,
} from './blocks.js';
import { formatValue, formatWithUnit, sparkline } from './format.js';
import { buttonPattern } from './ids.js';
import { WHAT_CHANGED_ACTION } from './what-changed.js';

export const WATCH_SAVE_ACTION = 'watch_save';
export const WATCH_CANCEL_ACTION = 'watch_cancel';
export const WATCH_PAUSE_ACTION = 'watch_pause';
export const WATCH_RESUME_ACTION = 'watch_resume';
export const WATCH_DELETE_ACTION = 'watch_delete';
export const WATCH_SNOOZE_DAY_ACTION = 'watch_snooze_day';
export const WATCH_SNOOZE_WEEK_ACTION = 'watch_snooze_week';
/** Every watch button: the verb, then an index so ids stay unique within a listing. */
export const WATCH_ACTION_PATTERN = buttonPattern(
  /^watch_(save|cancel|pause|resume|delete|snooze_day|snooze_week)(?:_\d+)?$/,
);
/** Block ids say where a button was pressed, so the reply can refresh that surface. */
export const WATCH_LIST_BLOCK = 'watch_list';
export const WATCH_POST_BLOCK = 'watch_post';
export const WATCH_HOME_BLOCK = 'watch_home';

const time = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toFormat('ccc LLL d, HH:mm');

/** The interpretation of a question in one line, the same line answers start with. */
export function describeQuestion(q: MetricQuestion): string {
  return escapeMrkdwn(interpretationLine(q));
}

const pct = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(1)}%`;

/** "drops more than 20% week over week", in words. */
export function describeCondition(c: Condition, metric: Metric, floor?: number): string {
  const floorText = (f?: number) =>
    f !== undefined
      ? ` and by at least ${formatValue(f, metric.format)}`
      : ', and by at least the floor set by its typical volume';
  switch (c.type) {
    case 'change': {
      const verb = c.direction === 'drop' ? 'drops' : c.direction === 'rise' ? 'rises' : 'changes';
      const base =
        c.baseline === 'week_over_week'
          ? 'week over week'
          : `vs the average of the same weekday over the last ${c.weeks} week${c.weeks === 1 ? '' : 's'}`;
      return `${verb} more than ${pct(c.percent)} ${base}${floorText(floor)}`;
    }
    case 'threshold':
      return `is ${c.op} ${c.percent ? pct(c.value) : formatValue(c.value, metric.format)}`;
    case 'anomaly':
      return `looks unusual against the same weekday over the last 8 weeks (median and spread; ${c.sensitivity} sensitivity)${floor !== undefined ? floorText(floor) : ''}`;
  }
}

function where(row: WatchRow): string {
  return row.spec.destination === 'dm' ? 'to you in a DM' : `in <#${row.destination}>`;
}

/** Shown before saving: what will run, when and where, with Save and Cancel. */
export function watchConfirmMessage(
  row: WatchRow,
  question: MetricQuestion,
  opts: { next: DateTime; note?: string },
): Message {
  const what =
    row.kind === 'watch'
      ? `Post ${describeQuestion(question)}`
      : `Tell you when ${describeQuestion({ ...question, breakdowns: [] })} ${describeCondition(row.spec.condition!, question.metric, row.spec.floor)}`;
  const blocks: AnyBlock[] = [
    section(`*Save this ${row.kind}?*\n${what}\n${describeSchedule(row.spec.schedule)}, ${where(row)}.`),
  ];
  if (opts.note) blocks.push(context(escapeMrkdwn(opts.note)));
  blocks.push(
    context(
      `First run: ${opts.next.toFormat('ccc LLL d, HH:mm')} (${row.spec.schedule.timezone}). ` +
        'Dates move with each run; access rules are checked at every run.',
    ),
    actions('watch_confirm', [
      button(`Save ${row.kind}`, WATCH_SAVE_ACTION, { value: row.id, style: 'primary' }),
      button('Cancel', WATCH_CANCEL_ACTION, { value: row.id }),
    ]),
  );
  return {
    response_type: 'ephemeral',
    replace_original: true,
    text: `Save this ${row.kind}? ${stripMrkdwn(what)}, ${describeSchedule(row.spec.schedule)}.`,
    blocks,
  };
}

const stripMrkdwn = (s: string) => s.replace(/\*/g, '');

export function watchSavedMessage(row: WatchRow, next: DateTime): Message {
  const text =
    `Saved. Your ${row.kind} “${escapeMrkdwn(clip(row.spec.text, 200))}” runs ${describeSchedule(row.spec.schedule)}, ` +
    `${where(row)}; next run ${next.toFormat('ccc LLL d, HH:mm')}. Manage it with \`/analytics watches\`.`;
  return { response_type: 'ephemeral', replace_original: true, text: stripMrkdwn(text), blocks: [section(text)] };
}

/**
 * A plain notice. `text` may echo what someone typed, so it is escaped in the fallback as well as the block, unless
 * it is `ours` (built only from our records, e.g. a creator's mention).
 */
export function watchNoticeMessage(text: string, ours = false): Message {
  const safe = ours ? text : escapeMrkdwn(text);
  return { response_type: 'ephemeral', replace_original: true, text: safe, blocks: [section(safe)] };
}

function manageButtons(row: WatchRow): Button[] {
  const buttons: Button[] = [];
  if (row.kind === 'alert') {
    buttons.push(
      button('Snooze a day', WATCH_SNOOZE_DAY_ACTION, { value: row.id }),
      button('Snooze a week', WATCH_SNOOZE_WEEK_ACTION, { value: row.id }),
    );
  }
  buttons.push(button('Pause', WATCH_PAUSE_ACTION, { value: row.id }), deleteButton(row.id, WATCH_DELETE_ACTION));
  return buttons;
}

function deleteButton(id: string, actionId: string): Button {
  return {
    ...button('Delete', actionId, { value: id, style: 'danger' }),
    confirm: {
      title: { type: 'plain_text', text: 'Delete it?' },
      text: { type: 'plain_text', text: 'It stops running and disappears from the list.' },
      confirm: { type: 'plain_text', text: 'Delete' },
      deny: { type: 'plain_text', text: 'Keep' },
    },
  };
}

/** A scheduled watch's post: the answer as built for a visible message, with who set it up and how to stop it. */
export function watchPostMessage(base: Message, row: WatchRow): Message {
  const blocks: AnyBlock[] = [
    ...base.blocks.slice(0, 45),
    context(
      `:repeat: ${row.spec.schedule.every === 'daily' ? 'Daily' : row.spec.schedule.every === 'weekly' ? 'Weekly' : 'Monthly'} watch set up by <@${row.creator}> · ` +
        `\`/analytics watch ${escapeMrkdwn(clip(row.spec.text, 150))}\``,
    ),
    actions(WATCH_POST_BLOCK, manageButtons(row)),
  ];
  return { text: base.text, blocks };
}

/**
 * What "What changed?" on an alert decomposes: the period checked against the one before it (for daily checks, the
 * day against the same weekday a week earlier, so weekdays are compared like for like).
 */
function changeQuestion(question: MetricQuestion, bucket: string): MetricQuestion {
  const zone = question.range.start.zoneName ?? 'UTC';
  const start = DateTime.fromISO(bucket, { zone });
  const end = start.plus({ [`${question.grain}s`]: 1 });
  if (question.grain === 'day') {
    const weekBefore = { start: start.minus({ days: 7 }), end: end.minus({ days: 7 }), label: 'a week earlier' };
    return {
      ...question,
      range: { start, end, label: start.toFormat('ccc LLL d') },
      defaultRange: false,
      comparison: { range: weekBefore, kind: 'same_weekday_last_week', likeForLike: false },
    };
  }
  const range = { start, end, label: `the ${question.grain} of ${start.toFormat('LLL d')}` };
  return {
    ...question,
    range,
    defaultRange: false,
    comparison: { range: previousRange(range), kind: 'previous_period', likeForLike: false },
  };
}

/** An alert that fired: what fired, the value against its baseline or threshold, the chart, and controls. */
export function alertMessage(row: WatchRow, answer: MetricAnswer, ev: Evaluation): Message {
  const { metric } = answer.question;
  const series = answer.series;
  const c = row.spec.condition!;
  const fmt = metric.format;
  const value = formatWithUnit(ev.value, fmt);
  const ref = formatValue(ev.reference, fmt);
  const changePct = ev.change === null ? '' : `${ev.change > 0 ? '+' : '−'}${Math.abs(ev.change * 100).toFixed(1)}%`;
  const day = DateTime.fromISO(ev.bucket).toFormat('ccc LLL d');
  let headline: string;
  let detail: string;
  switch (c.type) {
    case 'change':
      headline = `${metric.label} ${ev.change !== null && ev.change < 0 ? 'dropped' : 'rose'} ${changePct.replace(/^[+−]/, '')} ${c.baseline === 'week_over_week' ? 'week over week' : `vs the same weekday (last ${c.weeks} weeks)`}`;
      detail =
        `*${value}* for ${day} vs *${ref}* ${c.baseline === 'week_over_week' ? 'the week before' : `on average on the same weekday over the last ${c.weeks} weeks`} (${changePct}).\n` +
        `Fires on a ${c.direction === 'any' ? 'change' : c.direction} of more than ${pct(c.percent)} and at least ${formatValue(ev.floor, fmt)}${ev.floorIsDefault ? ' (floor from its typical volume)' : ''}.`;
      break;
    case 'threshold':
      headline = `${metric.label} is ${c.op} ${ref}`;
      detail = `*${value}* for ${day}; the threshold is ${c.op} *${ref}*.`;
      break;
    case 'anomaly': {
      const a = ev.anomaly!;
      headline = `${metric.label} looks unusual: ${ev.value !== null && ev.reference !== null && ev.value < ev.reference ? 'lower' : 'higher'} than expected`;
      detail =
        `*${value}* for ${day}. Expected *${formatValue(a.low, fmt)} – ${formatValue(a.high, fmt)}* ` +
        `(median ${ref} on the same weekday over the last 8 weeks).\n` +
        `That is ${Math.abs(a.score).toFixed(1)} robust standard deviations ${a.score < 0 ? 'below' : 'above'} the median ` +
        `(${c.sensitivity} sensitivity fires beyond ${a.limit}).`;
      break;
    }
  }
  const points = series.map((p) => p.value);
  const blocks: AnyBlock[] = [header(clip(`:rotating_light: ${headline}`, 150)), section(detail)];
  if (points.length > 1) {
    blocks.push(section(`\`${sparkline(points)}\`  ${series[0]!.bucket} → ${series[series.length - 1]!.bucket}`));
    const chart = seriesChart(answer);
    if (chart) blocks.push(chart);
  }
  // Where the catalog lets the metric be broken down, the alert offers the same decomposition as answers.
  const explain =
    metric.dimensions.length > 0 && c.type !== 'threshold'
      ? [
          button('What changed?', WHAT_CHANGED_ACTION, {
            value: encodeQuestion(changeQuestion(answer.question, ev.bucket)),
          }),
        ]
      : [];
  blocks.push(
    context(
      `Alert set up by <@${row.creator}>: \`/analytics alert ${escapeMrkdwn(clip(row.spec.text, 150))}\` · checked ${describeSchedule(row.spec.schedule)}`,
    ),
    actions(WATCH_POST_BLOCK, [...explain, ...manageButtons(row)]),
  );
  return {
    text: `${headline}: ${value} for ${day} (${c.type === 'threshold' ? 'threshold' : 'expected'} ${ref})`,
    blocks,
  };
}

function statusLine(row: WatchRow, now: Date, next: (r: WatchRow) => DateTime): string {
  const tz = row.spec.schedule.timezone;
  if (row.status === 'paused')
    return `:double_vertical_bar: Paused${row.pauseReason ? `: ${escapeMrkdwn(row.pauseReason)}` : ''}`;
  const snoozed =
    row.snoozedUntil && row.snoozedUntil > now.getTime() ? ` · snoozed until ${time(row.snoozedUntil, tz)}` : '';
  return `Next: ${next(row).toFormat('ccc LLL d, HH:mm')}${snoozed}`;
}

function watchLine(row: WatchRow, now: Date, next: (r: WatchRow) => DateTime): string {
  const icon = row.kind === 'alert' ? ':rotating_light:' : ':repeat:';
  return (
    `${icon} \`${escapeMrkdwn(clip(row.spec.text, 200))}\`\n` +
    `${describeSchedule(row.spec.schedule)}, ${row.spec.destination === 'dm' ? `DM to <@${row.creator}>` : `in <#${row.destination}>`} · by <@${row.creator}> · ${statusLine(row, now, next)}`
  );
}

function rowButtons(row: WatchRow, i: number): Button[] {
  return [
    row.status === 'paused'
      ? button('Resume', `${WATCH_RESUME_ACTION}_${i}`, { value: row.id, style: 'primary' })
      : button('Pause', `${WATCH_PAUSE_ACTION}_${i}`, { value: row.id }),
    deleteButton(row.id, `${WATCH_DELETE_ACTION}_${i}`),
  ];
}

function listBlocks(rows: WatchRow[], now: Date, next: (r: WatchRow) => DateTime, max: number, blockId: string) {
  const blocks: AnyBlock[] = [];
  rows.slice(0, max).forEach((row, i) => {
    blocks.push(section(watchLine(row, now, next)), actions(`${blockId}_${i}`, rowButtons(row, i)));
  });
  if (rows.length > max) blocks.push(context(`…and ${rows.length - max} more.`));
  return blocks;
}

/** `/analytics watches`: this conversation's and the person's watches, with Pause/Resume/Delete. */
export function watchListMessage(rows: WatchRow[], now: Date, next: (r: WatchRow) => DateTime): Message {
  if (rows.length === 0) {
    const text =
      'No watches or alerts here or of yours yet. Set one up with `/analytics watch signups weekly` or ' +
      '`/analytics alert when searches drop more than 20% week over week`.';
    return { response_type: 'ephemeral', replace_original: true, text: stripMrkdwn(text), blocks: [section(text)] };
  }
  const blocks: AnyBlock[] = [header('Watches and alerts'), ...listBlocks(rows, now, next, 22, WATCH_LIST_BLOCK)];
  return {
    response_type: 'ephemeral',
    replace_original: true,
    text: `${rows.length} watch${rows.length === 1 ? '' : 'es'} and alerts here and of yours.`,
    blocks: blocks.slice(0, 50),
  };
}

/** The App Home section: the person's own watches. */
export function homeWatchBlocks(rows: WatchRow[], now: Date, next: (r: WatchRow) => DateTime): KnownBlock[] {
  const blocks: AnyBlock[] = [divider(), header('Your watches and alerts')];
  if (rows.length === 0) {
    blocks.push(section('None yet. Try `/analytics watch signups weekly` in a channel, or `… dm` for a DM.'));
  } else blocks.push(...listBlocks(rows, now, next, 15, WATCH_HOME_BLOCK));
  return blocks as KnownBlock[];
}

/** To the creator when a period's run was refused (a spent bytes budget); the watch stays on for the next period. */
export function watchSkippedNotice(row: WatchRow, reason: string): Message {
  const text =
    `Your ${row.kind} \`${escapeMrkdwn(clip(row.spec.text, 200))}\` (${where(row)}) did not run this time: ` +
    `${escapeMrkdwn(reason)}. It runs again at its next scheduled time.`;
  return { text: stripMrkdwn(text).replace(/`/g, ''), blocks: [section(text)] };
}

/** To the creator, once, when a watch is paused because its destination is no longer allowed. */
export function watchPausedNotice(row: WatchRow, reason: string): Message {
  const text =
    `I paused your ${row.kind} \`${escapeMrkdwn(clip(row.spec.text, 200))}\` (${where(row)}): ${escapeMrkdwn(reason)}. ` +
    'Fix that and press Resume in `/analytics watches`, or delete it there.';
  return { text: stripMrkdwn(text).replace(/`/g, ''), blocks: [section(text)] };
}
