/** Block Kit for a metric answer, its SQL, and the messages for each way a question can fail. */
import type { Button } from '@slack/types';
import { DateTime } from 'luxon';
import type { Dimension, Metric, MetricCatalog } from '../queries/catalog.js';
import { describeDates, interpretationLine } from '../queries/interpretation.js';
import type { MetricAnswer } from '../queries/metric-service.js';
import type { MetricQuestion, QuestionError } from '../queries/question.js';
import { encodeQuestion } from '../queries/question-codec.js';
import {
  answerTextSummary,
  breakdownChart,
  breakdownTableBlock,
  breakdownTrendChart,
  seriesChart,
  twoWayTableBlock,
} from './answer-charts.js';
import {
  type AnyBlock,
  actions,
  button,
  clip,
  context,
  divider,
  escapeMrkdwn,
  fields,
  header,
  type Message,
  section,
} from './blocks.js';
import { feedbackBlock } from './feedback.js';
import { formatBytes, formatChange, formatValue, formatWithUnit, grainAdverb, sparkline } from './format.js';
import { buttonId, indexedButtons } from './ids.js';
import { WHAT_CHANGED_ACTION } from './what-changed.js';

export const SHARE_ANSWER_ACTION = buttonId('share_answer');
export const SHOW_SQL_ACTION = buttonId('show_sql');
export const ASK_SUGGESTION_ACTION = 'ask_suggestion';
/** Every "did you mean" button, wherever a view lists suggestions. */
export const ASK_SUGGESTION_ACTIONS = indexedButtons(ASK_SUGGESTION_ACTION);
export const OPEN_DATA_REQUEST_ACTION = buttonId('open_data_request');
export const OPEN_LOOKER_ACTION = buttonId('open_looker');
export const ANSWER_ACTIONS_BLOCK = 'answer_actions';
/** Ask-back choices and one-click alternatives: each button carries a whole question. */
const ASK_CHOICE_ACTION = 'ask_choice';
export const ASK_CHOICE_ACTIONS = indexedButtons(ASK_CHOICE_ACTION);
export const INTERPRETATION_BLOCK = 'interpretation';
export const UNUSED_BLOCK = 'didnt_use';
/** The one partial-period rule, stated in the footer of every answer whose periods can be cut. */
export const PARTIAL_PERIOD_RULE =
  'Periods at the edges of a range are cut to the range; averages per period use whole periods only.';

const BREAKDOWN_TOP = 8;

const isAdditive = (m: Metric) => m.aggregation.type === 'count' || m.aggregation.type === 'sum';

export function describeRange(answer: Pick<MetricAnswer, 'question'>): string {
  return describeDates(answer.question.range);
}

function breakdownTable(answer: MetricAnswer): string {
  const rows = answer.breakdown ?? [];
  const { format } = answer.question.metric;
  const limit = answer.question.order ? answer.question.order.limit : BREAKDOWN_TOP;
  const top = rows.slice(0, limit);
  const rest = rows.slice(limit);
  const label = (r: { key: string; key2?: string }) => clip(r.key2 !== undefined ? `${r.key} · ${r.key2}` : r.key, 32);
  const lines = top.map((r) => [label(r), formatValue(r.value, format)] as const);
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
  return clip(`\`\`\`\n${body.join('\n')}\n\`\`\``, 2900);
}

/** The interpretation line, first in every answer: what was understood, at a glance. */
export function interpretationBlock(question: MetricQuestion): AnyBlock {
  return {
    ...context(`:mag: ${escapeMrkdwn(interpretationLine(question))}`),
    block_id: INTERPRETATION_BLOCK,
  } as AnyBlock;
}

/**
 * "I didn't use: *on mobile*", with one-click alternatives (other readings) and the request button, so nothing the
 * person said disappears without a trace.
 */
export function unusedBlocks(question: MetricQuestion, asked?: string): AnyBlock[] {
  if (question.unused.length === 0) return [];
  const said = question.unused.map((u) => `*${escapeMrkdwn(clip(u, 60))}*`).join(', ');
  const why = (question.corrections ?? []).filter((c) => c.includes("can't"));
  const blocks: AnyBlock[] = [
    {
      ...section(
        `:warning: I didn't use: ${said}. The number below is for the rest of the question.` +
          (why.length > 0 ? `\n_${escapeMrkdwn(why.join('; '))}._` : ''),
      ),
      block_id: UNUSED_BLOCK,
    } as AnyBlock,
  ];
  const buttons: Button[] = (question.alternatives ?? []).slice(0, 3).map((alt, i) =>
    button(clip(interpretationLine(alt).split(' · ').slice(0, 2).join(' · '), 75), `${ASK_CHOICE_ACTION}_${i}`, {
      value: encodeQuestion(alt),
    }),
  );
  buttons.push(requestButton(asked?.trim() || interpretationLine(question)));
  blocks.push(actions('didnt_use_actions', buttons));
  return blocks;
}

export interface AnswerViewOptions {
  /** The question as typed: prefills the request button of the "didn't use" section. */
  asked?: string;
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
  const avg = question.rollup === 'average' ? ` (average per ${question.grain})` : '';
  const cmp = answer.comparisonRange;
  const cmpText = question.comparison
    ? `${describeDates(cmp)}${question.comparison.likeForLike ? ', the same elapsed days' : ''}`
    : `the previous period (${describeDates(cmp)})`;
  const changeText =
    answer.change === null && answer.previous !== null && answer.coverage.previous !== 'full'
      ? 'no % change (the data does not cover both periods)'
      : formatChange(answer.change);
  // Without a previous period there is nothing to compare: say that once, not "no comparison no previous period".
  const prevText =
    answer.previous !== null
      ? `${changeText} vs ${formatWithUnit(answer.previous, fmt)} in ${cmpText}`
      : `No data for ${cmpText} to compare with.`;

  const blocks: AnyBlock[] = [
    interpretationBlock(question),
    section(`*${formatWithUnit(answer.current, fmt)}*${avg} · ${escapeMrkdwn(question.range.label)}\n${prevText}`),
  ];
  blocks.push(...unusedBlocks(question, opts.asked));
  const notes = [
    ...(question.corrections ?? []).filter((c) => !c.includes("can't")).map((c) => `I ${c}.`),
    ...answer.coverage.notes,
  ];
  if (notes.length > 0) blocks.push(context(escapeMrkdwn(clip(notes.join(' '), 2900))));

  const points = answer.series;
  if (points.length > 1) {
    const spark = sparkline(points.map((p) => p.value));
    const first = points[0]!;
    const last = points[points.length - 1]!;
    let text = `\`${spark}\`  ${grainAdverb(question.grain)}, ${first.bucket} → ${last.bucket}`;
    text += `\nmin ${formatValue(Math.min(...points.map((p) => p.value ?? Number.POSITIVE_INFINITY)), fmt)}`;
    text += ` · max ${formatValue(Math.max(...points.map((p) => p.value ?? Number.NEGATIVE_INFINITY)), fmt)}`;
    text += ` · latest ${formatValue(last.value, fmt)}`;
    const partial = points.filter((p) => p.partial).map((p) => p.bucket);
    if (partial.length > 0) text += `\npartial ${question.grain}: ${partial.join(', ')}`;
    if (question.comparison && answer.previousSeries.length > 1) {
      text += `\n\`${sparkline(answer.previousSeries.map((p) => p.value))}\`  ${describeDates(cmp)}`;
    }
    blocks.push(section(text));
  } else if (points.length === 0) {
    blocks.push(section('_No data in this range._'));
  }
  if (question.grainNote) blocks.push(context(question.grainNote));
  // Native chart and table blocks follow their text versions; delivery drops them if Slack rejects them.
  // A two-way breakdown gets a pivot table but no chart: the charts draw one dimension.
  const visuals =
    question.breakdowns.length === 1
      ? [breakdownChart(answer), breakdownTrendChart(answer), breakdownTableBlock(answer)]
      : question.breakdowns.length === 0
        ? [seriesChart(answer)]
        : [twoWayTableBlock(answer)];

  if (answer.breakdown) {
    const by = question.breakdowns.map((d) => d.label.toLowerCase()).join(' × ');
    blocks.push(
      answer.breakdown.length > 0
        ? section(`*By ${by}*\n${breakdownTable(answer)}`)
        : section(`_No ${by} values in this range._`),
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
  const rule = question.grain !== 'day' ? ` · ${PARTIAL_PERIOD_RULE}` : '';
  blocks.push(
    context(
      `*Definition:* ${clip(escapeMrkdwn(metric.description), 600)}`,
      `*Range:* ${question.range.start.toISODate()} to ${question.range.end.minus({ days: 1 }).toISODate()} (${zone}) · ${freshness} · ${cost}${rule}`,
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

  const unusedText = question.unused.length > 0 ? ` I didn't use: ${escapeMrkdwn(question.unused.join(', '))}.` : '';
  const text =
    `${escapeMrkdwn(interpretationLine(question))}: ${formatWithUnit(answer.current, fmt)}` +
    (answer.previous !== null
      ? ` (${answer.change === null ? 'no % change' : formatChange(answer.change)} vs ${describeDates(cmp)})`
      : '') +
    `.${unusedText} ${answerTextSummary(answer)}`.trimEnd();
  return { response_type: opts.sharedBy || opts.visible ? 'in_channel' : 'ephemeral', text: clip(text, 3000), blocks };
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

/** The closest metrics as buttons, and the request button: every refusal offers both. */
function nextSteps(suggestions: readonly Metric[] | undefined, asked: string): AnyBlock[] {
  const blocks: AnyBlock[] = [];
  const buttons: Button[] = (suggestions ?? [])
    .slice(0, 3)
    .map((m, i) => button(m.label, `${ASK_SUGGESTION_ACTION}_${i}`, { value: m.name }));
  if (buttons.length > 0) blocks.push(section('*Closest metrics I can answer:*'), actions('suggestions', buttons));
  blocks.push(
    section('Not there? `/analytics list` shows every metric, or ask the team for it as a data request.'),
    actions('request', [requestButton(asked || 'A metric that is not in the catalog')]),
  );
  return blocks;
}

/** A metric's definition, for "what counts as…" (side by side when two are named). */
export function definitionMessage(metrics: readonly Metric[], catalog?: MetricCatalog): Message {
  const describe = (m: Metric) => {
    const dims = m.dimensions.map((d) => catalog?.dimension(d)?.label.toLowerCase() ?? d).join(', ');
    const source = catalog?.sources[m.source]?.label ?? m.source;
    const aka = m.synonyms.length > 0 ? `\n_Also called:_ ${escapeMrkdwn(m.synonyms.slice(0, 5).join(', '))}` : '';
    return clip(
      `*${escapeMrkdwn(m.label)}* (\`${m.name}\`)\n${escapeMrkdwn(m.description)}${aka}\n_Source:_ ${escapeMrkdwn(source)}` +
        (dims ? `\n_Break down by:_ ${escapeMrkdwn(dims)}` : ''),
      1900,
    );
  };
  const blocks: AnyBlock[] =
    metrics.length > 1
      ? [section('*Definitions, side by side*'), fields(metrics.slice(0, 2).map(describe))]
      : [section(describe(metrics[0]!))];
  if (metrics.length === 2 && metrics[0] === metrics[1]) blocks.push(context('Both names mean the same metric.'));
  blocks.push(
    context(
      'Definitions come from the metric catalog (metrics.yml). Ask for a number, e.g. “' +
        escapeMrkdwn(metrics[0]!.label.toLowerCase()) +
        ' last week”.',
    ),
  );
  const buttons = metrics
    .slice(0, 2)
    .map((m, i) => button(`${m.label}: the numbers`, `${ASK_SUGGESTION_ACTION}_${i}`, { value: m.name }));
  blocks.push(actions('definition_actions', buttons));
  return {
    response_type: 'ephemeral',
    replace_original: true,
    text: escapeMrkdwn(metrics.map((m) => `${m.label}: ${m.description}`).join(' | ')),
    blocks,
  };
}

/** Two plausible readings: ask back with one button per reading. */
export function askBackMessage(error: Extract<QuestionError, { kind: 'ask_back' }>, asked: string): Message {
  const intro =
    error.reason === 'ambiguous_value'
      ? `“${escapeMrkdwn(clip(error.word, 60))}” can mean more than one thing here. Which did you mean?`
      : `I can read that more than one way (${escapeMrkdwn(clip(error.word, 120))}). Which did you mean?`;
  const buttons = error.choices
    .slice(0, 4)
    .map((q, i) => button(clip(choiceLabel(q), 75), `${ASK_CHOICE_ACTION}_${i}`, { value: encodeQuestion(q) }));
  const lines = error.choices.slice(0, 4).map((q, i) => `${i + 1}. ${escapeMrkdwn(interpretationLine(q))}`);
  return {
    response_type: 'ephemeral',
    replace_original: true,
    text: `Which did you mean? ${escapeMrkdwn(error.choices.map(choiceLabel).join(' / '))}`,
    blocks: [
      section(`:thinking_face: ${intro}`),
      section(clip(lines.join('\n'), 2900)),
      actions('ask_back_choices', buttons),
      actions('request', [requestButton(asked)]),
    ],
  };
}

/** A short label for a reading: the metric and its filters. */
function choiceLabel(q: MetricQuestion): string {
  const filters = q.filters.map(
    (f) => `${f.dimension.label.toLowerCase()} ${f.op === 'eq' ? '=' : f.op} ${f.values.join(', ')}`,
  );
  return [q.metric.label, ...filters].join(' · ');
}

/** `asked` is the question as typed: it prefills the data request. */
export function questionErrorMessage(error: QuestionError, asked?: string, catalog?: MetricCatalog): Message {
  const ephemeral = (text: string, blocks: AnyBlock[]): Message => ({
    response_type: 'ephemeral',
    replace_original: true,
    text,
    blocks,
  });
  const typed = asked?.trim() ?? '';
  const dims = (list: Dimension[]) => list.map((d) => `\`${d.label.toLowerCase()}\``).join(', ') || 'nothing';
  switch (error.kind) {
    case 'empty':
      return ephemeral('Ask me about a metric, e.g. /analytics signups last 4 weeks', [
        section(
          'Ask me about a metric, for example `/analytics signups last 4 weeks`. `/analytics list` shows them all.',
        ),
        ...nextSteps(error.suggestions, ''),
      ]);
    case 'too_long':
      return ephemeral(`That question is too long (${error.length} characters; the limit is ${error.max}).`, [
        section(
          `That question is too long (${error.length.toLocaleString('en-US')} characters; the limit is ${error.max}). ` +
            'Name a metric and, optionally, a time range and a breakdown: `/analytics signups last month by plan`.',
        ),
        ...nextSteps(error.suggestions, typed.slice(0, 150)),
      ]);
    case 'definition':
      return definitionMessage(error.metrics, catalog);
    case 'ask_back':
      return askBackMessage(error, typed || error.word);
    case 'future':
      return ephemeral(escapeMrkdwn(error.message), [
        section(`:crystal_ball: ${escapeMrkdwn(error.message)} I only answer from data that exists.`),
        ...nextSteps(error.suggestions, typed),
      ]);
    case 'bad_range':
      return ephemeral(`I couldn't use that time range: ${escapeMrkdwn(error.message)}`, [
        section(`I couldn't use that time range: ${escapeMrkdwn(error.message)}`),
        context(
          'Ranges I understand: _yesterday, on March 3, last Friday, the past 10 days, last 4 weeks, this month, QTD, Q3, during August, in 2025, since the beginning of October, from Oct 1 to Oct 15_.',
        ),
        ...nextSteps(error.suggestions, typed),
      ]);
    case 'derived_measure':
      return ephemeral(
        `"${escapeMrkdwn(error.phrase)}" is not a measure the metric catalog defines, so I won't compute it. Closest metrics and a request button below.`,
        [
          section(
            `*${escapeMrkdwn(clip(error.phrase, 60))}* is not a measure the metric catalog defines, so I won't compute one ` +
              'on the fly: a made-up ratio would not match anyone else’s number. The closest defined metrics are below; ' +
              'the team can add it to the catalog as a request.',
          ),
          ...nextSteps(error.suggestions, typed),
        ],
      );
    case 'disallowed_breakdown':
      return ephemeral(`${error.metric.label} can't be broken down by ${error.dimension.label.toLowerCase()}.`, [
        section(
          `*${error.metric.label}* can't be broken down by \`${error.dimension.label.toLowerCase()}\`: ` +
            `that column is not part of its definition. It can be broken down by ${dims(error.allowed)}.`,
        ),
        ...nextSteps([error.metric], typed),
      ]);
    case 'disallowed_filter': {
      const label = error.dimension.label.toLowerCase();
      const text = `${error.metric.label} has no ${label}, so I can't give it for ${error.value}.`;
      return ephemeral(escapeMrkdwn(text), [
        section(
          `*${escapeMrkdwn(error.metric.label)}* has no \`${escapeMrkdwn(label)}\`, so I can't give it for ` +
            `“${escapeMrkdwn(clip(error.value, 60))}” — and I won't answer the total instead.`,
        ),
        ...nextSteps(error.suggestions, typed),
      ]);
    }
    case 'unknown_dimension':
      return ephemeral(`I don't know a breakdown called "${escapeMrkdwn(clip(error.phrase, 60))}".`, [
        section(
          `I don't know a breakdown called “${escapeMrkdwn(clip(error.phrase, 60))}”. ` +
            `*${error.metric.label}* can be broken down by ${dims(error.allowed)}.`,
        ),
        ...nextSteps([error.metric], typed),
      ]);
    case 'unknown_metric': {
      const blocks: AnyBlock[] = [
        section(
          `I don't have a metric matching “${escapeMrkdwn(clip(error.query, 80))}” in the catalog, ` +
            'so I won’t guess a number.',
        ),
        ...nextSteps(error.suggestions, typed || error.query),
      ];
      const names = error.suggestions.map((m) => m.label).join(', ');
      return ephemeral(
        `I don't have a metric matching "${escapeMrkdwn(clip(error.query, 80))}".${names ? ` Closest: ${escapeMrkdwn(names)}.` : ''}`,
        blocks,
      );
    }
  }
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

/** "Share in channel" where the bot is not a member (or may not post): how to let it in. */
export function notInChannelMessage(): Message {
  const text =
    "I can't post in this conversation because I'm not a member of it. " +
    'Invite me with `/invite @analytics-bot`, then press *Share in channel* again.';
  return { response_type: 'ephemeral', replace_original: false, text, blocks: [section(text)] };
}
