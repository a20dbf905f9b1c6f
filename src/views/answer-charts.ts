/**
 * The charts and table of a metric answer: a line for the series (two when comparing), a bar for a breakdown, a layered
 * area for the breakdown over time, and a table block for the breakdown. All from numbers the answer already has.
 * Pure.
 */
import type { Dimension, Metric } from '../queries/catalog.js';
import type { MetricAnswer } from '../queries/metric-service.js';
import {
  bucketLabels,
  CHART_LIMITS,
  type DataVisualizationBlock,
  dataVisualization,
  formatCell,
  lastPoints,
  type TableBlock,
  tableBlock,
  uniqueLabels,
  xyChart,
} from './charts.js';
import { formatValue } from './format.js';

export const SERIES_CHART_BLOCK = 'answer_chart_series';
export const BREAKDOWN_CHART_BLOCK = 'answer_chart_breakdown';
export const BREAKDOWN_TREND_BLOCK = 'answer_chart_breakdown_trend';
export const BREAKDOWN_TABLE_BLOCK = 'answer_table_breakdown';

/** Bars shown before the rest is folded into "Other" (counts and sums) or left out (everything else). */
const BAR_TOP = 9;
/** Layered areas: top series, plus "Other" where the metric adds up (at most six series in all). */
const AREA_TOP = 5;

export const isAdditive = (m: Metric) => m.aggregation.type === 'count' || m.aggregation.type === 'sum';

const GRAIN_TITLE = { day: 'Day', week: 'Week starting', month: 'Month', quarter: 'Quarter' } as const;

function yLabel(metric: Metric): string {
  return metric.format.unit ? `${metric.label} (${metric.format.unit})` : metric.label;
}

/** A line over the answer's buckets; with a comparison, the previous period as a second line aligned by position. */
export function seriesChart(answer: MetricAnswer): DataVisualizationBlock | null {
  const { question } = answer;
  if (answer.series.length < 2) return null;
  const { points, cut } = lastPoints(answer.series);
  const offset = answer.series.length - points.length;
  const categories = bucketLabels(
    points.map((p) => p.bucket),
    question.grain,
  );
  const series = [
    { name: question.comparison ? 'This period' : question.metric.label, values: points.map((p) => p.value) },
  ];
  if (question.comparison && answer.previousSeries.length > 1) {
    series.push({
      name: 'Previous period',
      values: points.map((_, j) => answer.previousSeries[offset + j]?.value ?? null),
    });
  }
  const x = `${GRAIN_TITLE[question.grain]}${cut ? ` (latest ${points.length})` : ''}`;
  return dataVisualization(
    `${question.metric.label}, ${question.range.label}`,
    xyChart('line', categories, series, { x, y: yLabel(question.metric) }),
    SERIES_CHART_BLOCK,
  );
}

/** The breakdown rows as chart/table rows: the top ones, plus "Other" summed where the metric adds up. */
function topRows(answer: MetricAnswer, top: number): Array<{ key: string; value: number | null }> {
  const rows = answer.breakdown ?? [];
  if (rows.length <= top + 1) return rows;
  const shown = rows.slice(0, top);
  if (!isAdditive(answer.question.metric)) return shown;
  const rest = rows.slice(top);
  return [...shown, { key: `Other (${rest.length})`, value: rest.reduce((a, r) => a + (r.value ?? 0), 0) }];
}

export function breakdownChart(answer: MetricAnswer): DataVisualizationBlock | null {
  const { question } = answer;
  if (question.breakdowns.length !== 1 || !answer.breakdown || answer.breakdown.length === 0) return null;
  const rows = topRows(answer, BAR_TOP);
  const categories = uniqueLabels(rows.map((r) => r.key));
  const dim = question.breakdowns[0]!.label;
  return dataVisualization(
    `${question.metric.label} by ${dim.toLowerCase()}`,
    xyChart('bar', categories, [{ name: question.metric.label, values: rows.map((r) => r.value) }], {
      x: dim,
      y: yLabel(question.metric),
    }),
    BREAKDOWN_CHART_BLOCK,
  );
}

/** The breakdown over the range's buckets as layered areas: top series, plus "Other" for counts and sums. */
export function breakdownTrendChart(answer: MetricAnswer): DataVisualizationBlock | null {
  const { question } = answer;
  const perBucket = answer.breakdownSeries;
  if (question.breakdowns.length !== 1 || !perBucket || perBucket.length === 0 || answer.series.length < 2) return null;
  const { points } = lastPoints(answer.series);
  const buckets = points.map((p) => p.bucket);
  const index = new Map(buckets.map((b, i) => [b, i]));
  const ranked = (answer.breakdown ?? []).map((r) => r.key);
  const additive = isAdditive(question.metric);
  const many = ranked.length > AREA_TOP + 1;
  const shown = many ? ranked.slice(0, additive ? AREA_TOP : AREA_TOP + 1) : ranked;
  const lines = new Map(shown.map((k) => [k, buckets.map(() => 0)]));
  const other = buckets.map(() => 0);
  for (const p of perBucket) {
    const i = index.get(p.bucket);
    if (i === undefined || p.value === null) continue;
    const line = lines.get(p.key);
    if (line) line[i]! += p.value;
    else other[i]! += p.value;
  }
  const series = [...lines].map(([name, values]) => ({ name, values: values as Array<number | null> }));
  if (many && additive) series.push({ name: 'Other', values: other });
  return dataVisualization(
    `${question.metric.label} by ${question.breakdowns[0]!.label.toLowerCase()} over time`,
    xyChart('area', bucketLabels(buckets, question.grain), series, {
      x: GRAIN_TITLE[question.grain],
      y: yLabel(question.metric),
    }),
    BREAKDOWN_TREND_BLOCK,
  );
}

/** The breakdown as a table block: value right-aligned and formatted; share of the total where parts add up. */
export function breakdownTableBlock(answer: MetricAnswer): TableBlock | null {
  const { question } = answer;
  if (question.breakdowns.length !== 1 || !answer.breakdown || answer.breakdown.length === 0) return null;
  const metric = question.metric;
  const additive = isAdditive(metric);
  const rows = topRows(answer, 98);
  const total = additive ? rows.reduce((a, r) => a + (r.value ?? 0), 0) : 0;
  const pct = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });
  return tableBlock(
    [
      { header: question.breakdowns[0]!.label },
      { header: metric.label, align: 'right' },
      ...(additive ? [{ header: 'Share', align: 'right' as const }] : []),
    ],
    rows.map((r) => [
      r.key,
      formatCell(r.value, metric),
      ...(additive ? [total ? pct.format((r.value ?? 0) / total) : '–'] : []),
    ]),
    BREAKDOWN_TABLE_BLOCK,
  );
}

/**
 * A two-way breakdown as a pivot table block: the first dimension down, the second across, so each number sits at
 * its pair of values. Columns beyond Slack's cell limit are left out and the header says how many.
 */
export function twoWayTableBlock(answer: MetricAnswer): TableBlock | null {
  const { question } = answer;
  if (question.breakdowns.length !== 2 || !answer.breakdown || answer.breakdown.length === 0) return null;
  const [down, across] = question.breakdowns as [Dimension, Dimension];
  const metric = question.metric;
  const rowKeys = [...new Set(answer.breakdown.map((r) => r.key))];
  const allColumns = [...new Set(answer.breakdown.map((r) => r.key2 ?? ''))];
  const columnKeys = allColumns.slice(0, CHART_LIMITS.tableCells - 1);
  const cellOf = new Map(answer.breakdown.map((r) => [JSON.stringify([r.key, r.key2 ?? '']), r.value]));
  const hidden = allColumns.length - columnKeys.length;
  return tableBlock(
    [
      { header: `${down.label} × ${across.label}${hidden > 0 ? ` (+${hidden} not shown)` : ''}` },
      ...columnKeys.map((k) => ({ header: k, align: 'right' as const })),
    ],
    rowKeys.map((k) => [
      k,
      ...columnKeys.map((c) => {
        const value = cellOf.get(JSON.stringify([k, c]));
        return value === undefined ? '–' : formatCell(value, metric);
      }),
    ]),
    BREAKDOWN_TABLE_BLOCK,
  );
}

/** The same numbers in words for the message `text` (notifications, search, screen readers, older clients). */
export function answerTextSummary(answer: MetricAnswer): string {
  const fmt = answer.question.metric.format;
  const parts: string[] = [];
  if (answer.breakdown && answer.breakdown.length > 0) {
    const rows = topRows(answer, 5);
    parts.push(
      `By ${answer.question.breakdowns[0]!.label.toLowerCase()}: ${rows.map((r) => `${r.key} ${formatValue(r.value, fmt)}`).join(', ')}${rows.length < answer.breakdown.length ? ', …' : ''}.`,
    );
  }
  const points = answer.series;
  if (points.length > 1) {
    const values = points.map((p) => p.value).filter((v): v is number => v !== null);
    parts.push(
      `Per ${answer.question.grain}: ${formatValue(points[0]!.value, fmt)} on ${points[0]!.bucket} → ` +
        `${formatValue(points[points.length - 1]!.value, fmt)} on ${points[points.length - 1]!.bucket}` +
        ` (min ${formatValue(Math.min(...values), fmt)}, max ${formatValue(Math.max(...values), fmt)}).`,
    );
  }
  return parts.join(' ');
}
