/**
 * "What changed?": one sentence naming the top drivers, then a table, then a chart; the same numbers as text for
 * search, notifications and clients without the newer blocks. Pure.
 */
import type { Metric } from '../queries/catalog.js';
import type { ChangeExplanation, SegmentChange } from '../queries/what-changed.js';
import { type AnyBlock, clip, context, escapeMrkdwn, header, type Message, section } from './blocks.js';
import { dataVisualization, tableBlock, uniqueLabels, xyChart } from './charts.js';
import { formatChange, formatValue, formatWithUnit } from './format.js';
import { buttonId } from './ids.js';

export const WHAT_CHANGED_ACTION = buttonId('what_changed');
export const WHAT_CHANGED_TABLE_BLOCK = 'what_changed_table';
export const WHAT_CHANGED_CHART_BLOCK = 'what_changed_chart';

const PER_DIMENSION = 5;
const TABLE_ROWS = 15;
const CHART_BARS = 8;

const MINUS = '\u2212';

/** A signed change in the metric's format: "−310", "+1.2 pp" for rates and shares. */
export function formatDelta(value: number, metric: Metric): string {
  const sign = value > 0 ? '+' : value < 0 ? MINUS : '';
  if (metric.format.style === 'percent') {
    const digits = Math.max(1, metric.format.decimals);
    return `${sign}${Math.abs(value * 100).toFixed(digits)} pp`;
  }
  return `${sign}${formatValue(Math.abs(value), metric.format)}`;
}

const segmentName = (s: SegmentChange) => `${s.dimension.label.toLowerCase()} = ${s.key}`;
const bold = (s: SegmentChange) => `*${escapeMrkdwn(segmentName(s))}*`;
const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : `${Math.round(v * 100)}%`);

/** The one sentence that names the top drivers. */
export function driverSentence(e: ChangeExplanation): string {
  const metric = e.question.metric;
  if (e.change === null) return `There is no previous period to compare ${metric.label.toLowerCase()} with.`;
  if (e.change === 0) return `${metric.label} did not change, so there is nothing to explain.`;
  const direction = e.change < 0 ? 'drop' : 'increase';
  const [top, ...rest] = e.drivers;
  if (!top) return `No single value of ${dimensionList(e)} moved in the direction of the ${direction}.`;
  if (e.kind === 'overlapping') {
    const moves = e.drivers
      .slice(0, 2)
      .map((s) => `${bold(s)} (${formatDelta(s.change, metric)}${relative(s)})`)
      .join(' and ');
    return (
      `The biggest moves behind the ${direction} were ${moves}; these groups overlap ` +
      `(one ${countNoun(metric)} can be in several), so their changes don't add up to the total.`
    );
  }
  const of = `${formatDelta(top.contribution!, metric)} of ${formatDelta(e.change, metric)}`;
  const lead = (top.share ?? 0) >= 0.5 ? 'Most of the' : 'The largest part of the';
  let sentence = `${lead} ${direction} came from ${bold(top)} (${of}${e.kind === 'ratio' ? mixOrRate(top) : ''})`;
  const other = rest.find((s) => s.dimension.name !== top.dimension.name);
  if (other) {
    sentence += `; by ${other.dimension.label.toLowerCase()}, from *${escapeMrkdwn(other.key)}* (${formatDelta(other.contribution!, metric)})`;
  }
  return `${sentence}.`;
}

const relative = (s: SegmentChange) =>
  s.previous ? `, ${s.change > 0 ? '+' : MINUS}${Math.abs(Math.round((s.change / s.previous) * 100))}%` : '';

const countNoun = (m: Metric) => m.format.unit?.replace(/s$/, '') ?? 'item';

function mixOrRate(s: SegmentChange): string {
  const mix = Math.abs(s.mix ?? 0);
  const rate = Math.abs(s.rate ?? 0);
  return rate >= mix ? ', mostly its own rate' : ', mostly its share of the total';
}

function dimensionList(e: ChangeExplanation): string {
  return e.dimensions.map((d) => d.dimension.label.toLowerCase()).join(', ') || 'any dimension';
}

function columns(e: ChangeExplanation) {
  const base = [{ header: 'Dimension' }, { header: 'Value' }];
  const right = (header: string) => ({ header, align: 'right' as const });
  if (e.kind === 'additive') return [...base, right('Before'), right('Now'), right('Change'), right('Share')];
  if (e.kind === 'ratio')
    return [...base, right('Before'), right('Now'), right('Mix'), right('Rate'), right('Effect'), right('Share')];
  return [...base, right('Before'), right('Now'), right('Change'), right('Change %')];
}

function cells(e: ChangeExplanation, s: SegmentChange): string[] {
  const metric = e.question.metric;
  const v = (x: number | null) => formatValue(x, metric.format);
  const base = [s.dimension.label, s.key, v(s.previous), v(s.current)];
  if (e.kind === 'additive') return [...base, formatDelta(s.contribution!, metric), pct(s.share)];
  if (e.kind === 'ratio') {
    return [
      ...base,
      formatDelta(s.mix ?? 0, metric),
      formatDelta(s.rate ?? 0, metric),
      formatDelta(s.contribution ?? 0, metric),
      pct(s.share),
    ];
  }
  return [...base, formatDelta(s.change, metric), s.previous ? pct(s.change / s.previous) : '–'];
}

/** The rows shown: the drivers first, then the largest moves against the direction, from every dimension. */
function tableRows(e: ChangeExplanation): SegmentChange[] {
  const size = (s: SegmentChange) => Math.abs(e.kind === 'overlapping' ? s.change : (s.contribution ?? 0));
  const all = e.dimensions.flatMap((d) => d.segments).sort((a, b) => size(b) - size(a));
  return all.slice(0, TABLE_ROWS);
}

function textTable(e: ChangeExplanation): string {
  const metric = e.question.metric;
  const lines: string[] = [];
  for (const d of e.dimensions) {
    lines.push(`By ${d.dimension.label.toLowerCase()}:`);
    for (const s of d.segments.slice(0, PER_DIMENSION)) {
      const amount =
        e.kind === 'overlapping'
          ? `${formatDelta(s.change, metric).padStart(10)}${relative(s)}`
          : `${formatDelta(s.contribution!, metric).padStart(10)}  ${pct(s.share).padStart(5)}`;
      const detail =
        e.kind === 'ratio'
          ? `  (mix ${formatDelta(s.mix ?? 0, metric)}, rate ${formatDelta(s.rate ?? 0, metric)})`
          : '';
      lines.push(`  ${clip(s.key, 20).padEnd(20)} ${amount}${detail}`);
    }
    if (d.segments.length > PER_DIMENSION) lines.push(`  …and ${d.segments.length - PER_DIMENSION} more`);
  }
  let body = lines.join('\n');
  if (body.length > 2800) body = `${body.slice(0, 2790)}\n…`;
  return `\`\`\`\n${body}\n\`\`\``;
}

const METHOD: Record<ChangeExplanation['kind'], string> = {
  additive: 'Each value’s change is its contribution; the contributions add up exactly to the total change.',
  ratio:
    'Each value’s effect = mix (its share of the base moved) + rate (its own rate moved); the effects add up to the total change.',
  overlapping:
    'Groups overlap (the same one can count in several), so each value’s own change is ranked; they do not add up to the total.',
};

export function whatChangedMessage(e: ChangeExplanation): Message {
  const { question } = e;
  const metric = question.metric;
  const fmt = metric.format;
  const where =
    question.filters.length > 0
      ? ` where ${question.filters.map((f) => `${f.dimension.label.toLowerCase()} ${f.op === 'eq' ? 'is' : f.op.replace('_', ' ')} “${escapeMrkdwn(f.values.join(', '))}”`).join(' and ')}`
      : '';
  const change =
    e.current !== null && e.previous !== null && e.previous !== 0
      ? (e.current - e.previous) / Math.abs(e.previous)
      : null;
  const headline =
    `*${metric.label}*${where}: ${formatWithUnit(e.current, fmt)} ${escapeMrkdwn(question.range.label)} ` +
    `vs ${formatWithUnit(e.previous, fmt)} the period before (${formatChange(change)}` +
    `${e.change !== null ? `, ${formatDelta(e.change, metric)}` : ''}).`;
  const sentence = driverSentence(e);
  const blocks: AnyBlock[] = [header(clip(`What changed: ${metric.label}`, 150)), section(headline), section(sentence)];
  const rows = tableRows(e);
  if (rows.length > 0) {
    blocks.push(section(textTable(e)));
    blocks.push(
      tableBlock(
        columns(e),
        rows.map((s) => cells(e, s)),
        WHAT_CHANGED_TABLE_BLOCK,
      ),
    );
    const bars = rows.slice(0, CHART_BARS);
    // Rates are charted in percentage points, as the table and sentence state them.
    const scale = fmt.style === 'percent' ? 100 : 1;
    const value = (s: SegmentChange) => scale * (e.kind === 'overlapping' ? s.change : (s.contribution ?? 0));
    blocks.push(
      dataVisualization(
        `${metric.label}: ${e.kind === 'overlapping' ? 'change by group' : 'contributions to the change'}`,
        xyChart(
          'bar',
          uniqueLabels(bars.map((s) => `${s.key} (${s.dimension.label.toLowerCase()})`)),
          [{ name: e.kind === 'overlapping' ? 'Change' : 'Contribution', values: bars.map(value) }],
          {
            x: 'Dimension value',
            y: fmt.style === 'percent' ? 'Change (percentage points)' : `Change (${fmt.unit ?? metric.label})`,
          },
        ),
        WHAT_CHANGED_CHART_BLOCK,
      ),
    );
  } else {
    blocks.push(section(`_${escapeMrkdwn(metric.label)} has no dimensions to break the change down by._`));
  }
  blocks.push(
    context(
      `${METHOD[e.kind]} Compared: ${question.range.start.toISODate()} to ${question.range.end.minus({ days: 1 }).toISODate()} ` +
        `vs the ${Math.round(question.range.end.diff(question.range.start, 'days').days)} days before · ` +
        `${e.queries === 0 ? 'answered from the bot cache' : `${e.queries} warehouse ${e.queries === 1 ? 'query' : 'queries'}`}`,
    ),
  );
  const text = `What changed in ${metric.label}${where.replace(/[“”*]/g, '"')}: ${sentence.replace(/\*/g, '')}`;
  return { response_type: 'ephemeral', replace_original: false, text: clip(text, 3000), blocks };
}
