/** Block Kit for a metric answer, its SQL, and the messages for each way a question can fail. */
import type { Button } from '@slack/types';
import { DateTime } from 'luxon';
import type { Dimension, Metric, MetricCatalog } from '../queries/catalog.js';
import type { MetricAnswer } from '../queries/metric-service.js';
import type { QuestionError } from '../queries/question.js';
import { encodeQuestion } from '../queries/question-codec.js';
import {
  answerTextSummary,
  breakdownChart,
  breakdownTableBlock,
  breakdownTrendChart,
  seriesChart,
} from './answer-charts.js';
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
import { feedbackBlock } from './feedback.js';
import { formatBytes, formatChange, formatValue, formatWithUnit, grainAdverb, sparkline } from './format.js';
import { WHAT_CHANGED_ACTION } from './what-changed.js';

export const SHARE_ANSWER_ACTION = 'share_answer';
export const SHOW_SQL_ACTION = 'show_sql';
export const ASK_SUGGESTION_ACTION = 'ask_suggestion';
export const OPEN_DATA_REQUEST_ACTION = 'open_data_request';
export const OPEN_LOOKER_ACTION = 'open_looker';
export const ANSWER_ACTIONS_BLOCK = 'answer_actions';

const BREAKDOWN_TOP = 8;

const isAdditive = (m: Metric) => m.aggregation.type === 'count' || m.aggregation.type === 'sum';

export function describeRange(answer: Pick<MetricAnswer, 'question'>): string {
  const { start, end } = answer.question.range;
  const last = end.minus({ days: 1 });
  const fmt = (d: DateTime) => d.toFormat('LLL d, yyyy');
  return start.hasSame(last, 'day') ? fmt(start) : `${fmt(start)} – ${fmt(last)}`;
}

function breakdownTable(answer: MetricAnswer): string {
  const rows = answer.breakdown ?? [];
  const { format } = answer.question.metric;
  const top = rows.slice(0, BREAKDOWN_TOP);
  const rest = rows.slice(BREAKDOWN_TOP);
  const lines = top.map((r) => [clip(r.key, 24), formatValue(r.value, format)] as const);
  if (rest.length > 0) {
    if (isAdditive(answer.question.metric)) {
      const other = rest.reduce((sum, r) => sum + (r.value ?? 0), 0);
      lines.push([`Other (${rest.length})`, formatValue(other, format)]);
    } else {
      // Distinct counts and ratios do not add up, so the tail is named, not summed.
      lines.push([`…and ${rest.length} more`, '']);
    }
  }
  const width = Math.max(...lines.map(([k]) => k.length), 4);
  const max = Math.max(...top.map((r) => r.value ?? 0), 0);
  const bar = (v: number | null) => (max > 0 && v ? '█'.repeat(Math.max(1, Math.round((v / max) * 12))) : '');
  const body = lines.map(
    ([k, v], i) => `${k.padEnd(width)}  ${v.padStart(10)}  ${i < top.length ? bar(top[i]!.value) : ''}`,
  );
  return `\`\`\`\n${body.join('\n')}\n\`\`\``;
}

export interface AnswerViewOptions {
  /** Set when posted in the channel: who shared it, and no share/SQL buttons. */
  sharedBy?: string;
  /** Already visible to everyone (a thread reply): no share button. */
  visible?: boolean;
  /** Our record of this answer: adds 👍/👎, which carry only this id. */
  feedbackId?: string;
}

export function metricAnswerMessage(answer: MetricAnswer, opts: AnswerViewOptions = {}): Message {
  const { question } = answer;
  const { metric } = question;
  const fmt = metric.format;
  const rangeText = `${escapeMrkdwn(question.range.label)} (${describeRange(answer)})`;
  const by = question.breakdown ? ` by ${question.breakdown.label.toLowerCase()}` : '';
  const where = question.filter
    ? `, where ${question.filter.dimension.label.toLowerCase()} is “${escapeMrkdwn(question.filter.value)}”`
    : '';
  // Without a previous period there is nothing to compare: say that once, not "no comparison no previous period".
  const prevText =
    answer.previous !== null
      ? `${formatChange(answer.change)} vs ${formatWithUnit(answer.previous, fmt)} in the previous period`
      : 'No previous period to compare with.';
  const avg = metric.rollup === 'average' ? ` (average per ${question.grain})` : '';

  const blocks: AnyBlock[] = [
    header(clip(`${metric.label}${by}`, 150)),
    section(`*${formatWithUnit(answer.current, fmt)}*${avg} · ${rangeText}${where}\n${prevText}`),
  ];

  const points = answer.series;
  if (points.length > 1) {
    const spark = sparkline(points.map((p) => p.value));
    const first = points[0]!;
    const last = points[points.length - 1]!;
    let text = `\`${spark}\`  ${grainAdverb(question.grain)}, ${first.bucket} → ${last.bucket}`;
    text += `\nmin ${formatValue(Math.min(...points.map((p) => p.value ?? Number.POSITIVE_INFINITY)), fmt)}`;
    text += ` · max ${formatValue(Math.max(...points.map((p) => p.value ?? Number.NEGATIVE_INFINITY)), fmt)}`;
    text += ` · latest ${formatValue(last.value, fmt)}`;
    if (question.compare && answer.previousSeries.length > 1) {
      text += `\n\`${sparkline(answer.previousSeries.map((p) => p.value))}\`  previous period`;
    }
    blocks.push(section(text));
  } else if (points.length === 0) {
    blocks.push(section('_No data in this range._'));
  }
  if (question.grainNote) blocks.push(context(question.grainNote));
  // Native chart and table blocks follow their text versions; delivery drops them if Slack rejects them.
  const visuals = question.breakdown
    ? [breakdownChart(answer), breakdownTrendChart(answer), breakdownTableBlock(answer)]
    : [seriesChart(answer)];

  if (answer.breakdown) {
    blocks.push(
      answer.breakdown.length > 0
        ? section(`*By ${question.breakdown!.label.toLowerCase()}*\n${breakdownTable(answer)}`)
        : section(`_No ${question.breakdown!.label.toLowerCase()} values in this range._`),
    );
  }
  for (const block of visuals) if (block) blocks.push(block);

  const zone = question.range.start.zoneName ?? 'UTC';
  const freshness = answer.latest ? `data through ${formatLatest(answer.latest, zone)}` : 'no data in range';
  const cost = answer.cached
    ? 'answered from the bot cache'
    : answer.warehouseCacheHit
      ? 'warehouse cache hit (0 B billed)'
      : answer.bytesProcessed !== null
        ? `scanned ${formatBytes(answer.bytesProcessed)}`
        : `${answer.warehouse === 'duckdb' ? 'embedded DuckDB demo data' : answer.warehouse}`;
  blocks.push(
    context(
      `*Definition:* ${clip(escapeMrkdwn(metric.description), 600)}`,
      `*Range:* ${question.range.start.toISODate()} to ${question.range.end.minus({ days: 1 }).toISODate()} (${zone}) · ${freshness} · ${cost}`,
    ),
  );

  const value = encodeQuestion(question);
  const buttons: Button[] = [];
  if (!opts.sharedBy && !opts.visible)
    buttons.push(button('Share in channel', SHARE_ANSWER_ACTION, { value, style: 'primary' }));
  if (!opts.sharedBy) buttons.push(button('Show SQL', SHOW_SQL_ACTION, { value }));
  if (answer.previous !== null) buttons.push(button('What changed?', WHAT_CHANGED_ACTION, { value }));
  if (metric.looker_url) buttons.push(button('Open in Looker', OPEN_LOOKER_ACTION, { url: metric.looker_url }));
  if (buttons.length > 0) blocks.push(actions(ANSWER_ACTIONS_BLOCK, buttons));
  if (opts.sharedBy) blocks.push(context(`Shared by <@${opts.sharedBy}> · asked with \`/analytics\``));
  if (opts.feedbackId) blocks.push(feedbackBlock(opts.feedbackId));

  const text =
    `${metric.label}${by}, ${question.range.label}: ${formatWithUnit(answer.current, fmt)}` +
    (answer.previous !== null ? ` (${formatChange(answer.change)} vs previous period)` : '') +
    `. ${answerTextSummary(answer)}`.trimEnd();
  return { response_type: opts.sharedBy || opts.visible ? 'in_channel' : 'ephemeral', text, blocks };
}

function formatLatest(latest: string, zone: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(latest)) return latest;
  const d = DateTime.fromISO(latest, { zone });
  return d.isValid ? d.toFormat('yyyy-MM-dd HH:mm ZZZZ') : latest;
}

export function sqlMessage(answer: MetricAnswer): Message {
  const params = Object.entries(answer.query.params)
    .map(([k, p]) => `${k} (${p.type}) = ${JSON.stringify(p.value)}`)
    .join('\n');
  const sql = clip(answer.query.sql, 2800);
  return {
    response_type: 'ephemeral',
    replace_original: false,
    text: `SQL for ${answer.question.metric.label}`,
    blocks: [
      section(`*SQL for ${answer.question.metric.label}* (${answer.warehouse} dialect)\n\`\`\`${sql}\`\`\``),
      section(`*Parameters* (bound, never pasted into the SQL)\n\`\`\`${clip(params, 2900)}\`\`\``),
    ],
  };
}

/**
 * The ack for a question: plain text (Slack shows it to the asker only), which keeps the ack path as cheap as a
 * bare ack under bursts. The answer replaces it through response_url.
 */
export function workingMessage(question: string): string {
  return `:hourglass_flowing_sand: Looking up “${escapeMrkdwn(clip(question.replace(/\s+/g, ' '), 200))}”…`;
}

const requestButton = (query: string) =>
  button('Request data from the team', OPEN_DATA_REQUEST_ACTION, { value: clip(query, 150) });

/** `asked` is the question as typed: it prefills the data request when no metric matches. */
export function questionErrorMessage(error: QuestionError, asked?: string): Message {
  const ephemeral = (text: string, blocks: AnyBlock[]): Message => ({
    response_type: 'ephemeral',
    replace_original: true,
    text,
    blocks,
  });
  const dims = (list: Dimension[]) => list.map((d) => `\`${d.label.toLowerCase()}\``).join(', ') || 'nothing';
  switch (error.kind) {
    case 'empty':
      return ephemeral('Ask me about a metric, e.g. /analytics signups last 4 weeks', [
        section(
          'Ask me about a metric, for example `/analytics signups last 4 weeks`. `/analytics list` shows them all.',
        ),
      ]);
    case 'too_long':
      return ephemeral(`That question is too long (${error.length} characters; the limit is ${error.max}).`, [
        section(
          `That question is too long (${error.length.toLocaleString('en-US')} characters; the limit is ${error.max}). ` +
            'Name a metric and, optionally, a time range and a breakdown: `/analytics signups last month by plan`.',
        ),
      ]);
    case 'bad_range':
      return ephemeral(`I couldn't use that time range: ${escapeMrkdwn(error.message)}`, [
        section(`I couldn't use that time range: ${escapeMrkdwn(error.message)}`),
        context(
          'Ranges I understand: _yesterday, last 7 days, last 4 weeks, this month, last quarter, Q3, in 2025, since Oct 1, from Oct 1 to Oct 15_.',
        ),
      ]);
    case 'disallowed_breakdown':
      return ephemeral(`${error.metric.label} can't be broken down by ${error.dimension.label.toLowerCase()}.`, [
        section(
          `*${error.metric.label}* can't be broken down by \`${error.dimension.label.toLowerCase()}\`: ` +
            `that column is not part of its definition. It can be broken down by ${dims(error.allowed)}.`,
        ),
      ]);
    case 'unknown_dimension':
      return ephemeral(`I don't know a breakdown called "${escapeMrkdwn(clip(error.phrase, 60))}".`, [
        section(
          `I don't know a breakdown called “${escapeMrkdwn(clip(error.phrase, 60))}”. ` +
            `*${error.metric.label}* can be broken down by ${dims(error.allowed)}.`,
        ),
      ]);
    case 'unknown_metric': {
      const blocks: AnyBlock[] = [
        section(
          `I don't have a metric matching “${escapeMrkdwn(clip(error.query, 80))}” in the catalog, ` +
            'so I won’t guess a number.',
        ),
      ];
      const buttons: Button[] = error.suggestions
        .slice(0, 3)
        .map((m, i) => button(m.label, `${ASK_SUGGESTION_ACTION}_${i}`, { value: m.name }));
      if (buttons.length > 0) blocks.push(section('*Did you mean…*'), actions('suggestions', buttons));
      blocks.push(
        section('Not there? `/analytics list` shows every metric, or ask the team for it as a data request.'),
        actions('request', [requestButton(asked?.trim() || error.query)]),
      );
      const names = error.suggestions.map((m) => m.label).join(', ');
      return ephemeral(
        `I don't have a metric matching "${escapeMrkdwn(clip(error.query, 80))}".${names ? ` Did you mean: ${escapeMrkdwn(names)}?` : ''}`,
        blocks,
      );
    }
  }
  return ephemeral('Something is off with that question.', [section('Something is off with that question.')]);
}

export type AnswerFailure =
  | { kind: 'restricted'; metric: Metric }
  | { kind: 'timeout'; seconds: number }
  | { kind: 'bytes_limit'; limitBytes: number; metric: Metric }
  | { kind: 'warehouse_error' };

export function answerFailureMessage(failure: AnswerFailure): Message {
  let text: string;
  switch (failure.kind) {
    case 'restricted':
      text =
        `*${failure.metric.label}* is restricted: ${escapeMrkdwn(failure.metric.access?.reason ?? '')} ` +
        'Ask in the analytics channel if you need it.';
      break;
    case 'timeout':
      text =
        `The warehouse didn't answer within ${failure.seconds} s, so I stopped the query. ` +
        'Try a shorter range or no breakdown, or ask again in a minute.';
      break;
    case 'bytes_limit':
      text =
        `Answering this would scan more than the ${formatBytes(failure.limitBytes)} per-query limit. ` +
        `Try a shorter range for *${failure.metric.label}*, or ask the team to build it as a Looker dashboard.`;
      break;
    default:
      text =
        'The warehouse returned an error, so there is no number to show. The team has been notified in the logs; ' +
        'try again shortly.';
  }
  return { response_type: 'ephemeral', replace_original: true, text: text.replace(/\*/g, ''), blocks: [section(text)] };
}

/** `metrics`: the ones this person may ask for (restricted ones they cannot ask are left out by the caller). */
export function metricListMessage(catalog: MetricCatalog, metrics: readonly Metric[] = catalog.metrics): Message {
  const blocks: AnyBlock[] = [header('Metrics I can answer')];
  const bySource = new Map<string, Metric[]>();
  for (const m of metrics) bySource.set(m.source, [...(bySource.get(m.source) ?? []), m]);
  for (const [source, metrics] of bySource) {
    const info = catalog.sources[source];
    const lines = metrics.map((m) => {
      const lock = m.access ? ' :lock:' : '';
      const syn = m.synonyms.length > 0 ? ` _(also: ${m.synonyms.slice(0, 3).join(', ')})_` : '';
      return `• *${m.label}*${lock} \`${m.name}\`${syn}`;
    });
    // Long sources are split across sections to stay under the 3,000-character text limit.
    let chunk = `*${info?.label ?? source}*`;
    for (const line of lines) {
      if (chunk.length + line.length + 1 > 2900) {
        blocks.push(section(chunk));
        chunk = '';
      }
      chunk += `\n${line}`;
    }
    blocks.push(section(chunk));
    if (blocks.length >= 46) break;
  }
  blocks.push(
    divider(),
    context('Ask with `/analytics &lt;metric&gt; [time range] [by &lt;dimension&gt;] [vs previous]`.'),
  );
  const text = `Metrics I can answer: ${metrics.map((m) => m.label).join(', ')}`;
  return { response_type: 'ephemeral', text: clip(text, 3000), blocks: blocks.slice(0, 50) };
}
