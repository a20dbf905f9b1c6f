/**
 * Slack's native chart and table blocks (data_visualization, table), built from numbers the answer already has, so a
 * chart never costs a warehouse query. Shapes and limits follow Slack's block reference (see slack-limits.md); the
 * Block Kit test helper checks every one of them on the wire. Pure.
 */
import type { Block } from '@slack/types';
import { DateTime } from 'luxon';
import type { Grain, Metric } from '../queries/catalog.js';
import { formatValue } from './format.js';

/** Slack's documented limits for the newer blocks, shared with the builders so clipping happens in one place. */
export const CHART_LIMITS = {
  title: 50,
  axisLabel: 50,
  category: 20,
  seriesName: 20,
  series: 6,
  /** Data points per series (client libraries validate at most 20). */
  points: 20,
  chartsPerMessage: 2,
  tableRows: 100,
  tableCells: 20,
} as const;

export interface DataPoint {
  label: string;
  value: number;
}

export interface DataSeries {
  name: string;
  data: DataPoint[];
}

export interface AxisConfig {
  categories: string[];
  x_label?: string;
  y_label?: string;
}

export interface XyChart {
  type: 'line' | 'bar' | 'area';
  series: DataSeries[];
  axis_config: AxisConfig;
}

export interface PieChart {
  type: 'pie';
  segments: DataPoint[];
}

/** Slack's data visualization block; @slack/types does not describe it yet. */
export interface DataVisualizationBlock extends Block {
  type: 'data_visualization';
  title: string;
  chart: XyChart | PieChart;
}

export type TableCell = { type: 'raw_text'; text: string };

/** Slack's table block: rows of cells, the first row read as the header. */
export interface TableBlock extends Block {
  type: 'table';
  rows: TableCell[][];
  column_settings?: Array<{ align?: 'left' | 'center' | 'right'; is_wrapped?: boolean }>;
}

/** Blocks that older clients and older Slack APIs may not know: dropped when Slack answers `invalid_blocks`. */
export const NEW_BLOCK_TYPES: ReadonlySet<string> = new Set(['data_visualization', 'table', 'data_table']);

export const isChartBlock = (b: { type?: string }): b is DataVisualizationBlock => b.type === 'data_visualization';

const clip = (text: string, max: number) => {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
};

/** Labels clipped to the category limit and kept unique, since every series must use exactly these labels. */
export function uniqueLabels(labels: string[], max: number = CHART_LIMITS.category): string[] {
  const seen = new Set<string>();
  return labels.map((raw) => {
    let label = clip(raw.trim() || '(blank)', max);
    for (let n = 2; seen.has(label); n++) label = `${clip(raw, max - String(n).length - 1)}~${n}`;
    seen.add(label);
    return label;
  });
}

export function dataVisualization(title: string, chart: XyChart | PieChart, blockId?: string): DataVisualizationBlock {
  return {
    type: 'data_visualization',
    title: clip(title, CHART_LIMITS.title),
    chart,
    ...(blockId ? { block_id: blockId } : {}),
  };
}

/** An x/y chart over shared categories; points a series lacks are drawn as 0 so labels match across series. */
export function xyChart(
  type: XyChart['type'],
  categories: string[],
  series: Array<{ name: string; values: Array<number | null> }>,
  axis: { x?: string; y?: string } = {},
): XyChart {
  const names = uniqueLabels(
    series.slice(0, CHART_LIMITS.series).map((s) => s.name),
    CHART_LIMITS.seriesName,
  );
  return {
    type,
    series: series.slice(0, CHART_LIMITS.series).map((s, i) => ({
      name: names[i]!,
      data: categories.map((label, j) => ({ label, value: finite(s.values[j]) })),
    })),
    axis_config: {
      categories,
      ...(axis.x ? { x_label: clip(axis.x, CHART_LIMITS.axisLabel) } : {}),
      ...(axis.y ? { y_label: clip(axis.y, CHART_LIMITS.axisLabel) } : {}),
    },
  };
}

const finite = (v: number | null | undefined) => (v !== null && v !== undefined && Number.isFinite(v) ? v : 0);

const GRAIN_FORMAT: Record<Grain, string> = { day: 'LLL d', week: 'LLL d', month: 'LLL yyyy', quarter: "'Q'q yyyy" };

/** Bucket dates (YYYY-MM-DD) as short axis labels: "Nov 9" for days and weeks, "Nov 2026", "Q4 2026". */
export function bucketLabels(buckets: string[], grain: Grain): string[] {
  const fmt = (b: string, f: string) => {
    const d = DateTime.fromISO(b, { zone: 'UTC' });
    return d.isValid ? d.toFormat(f) : b;
  };
  let labels = buckets.map((b) => fmt(b, GRAIN_FORMAT[grain]));
  // Days in different years can share "Nov 9": the ISO date is unambiguous and still fits.
  if (new Set(labels).size < labels.length) labels = buckets.map((b) => b.slice(0, 10));
  return uniqueLabels(labels);
}

/** The last `max` points of a series, and whether it was cut (the chart says so in its axis label). */
export function lastPoints<T>(points: T[], max: number = CHART_LIMITS.points): { points: T[]; cut: boolean } {
  return points.length > max ? { points: points.slice(-max), cut: true } : { points, cut: false };
}

export interface TableColumn {
  header: string;
  align?: 'left' | 'right';
}

/** A table block: header row plus at most 99 data rows, every row the same width. */
export function tableBlock(columns: TableColumn[], rows: string[][], blockId?: string): TableBlock {
  const cols = columns.slice(0, CHART_LIMITS.tableCells);
  const cell = (text: string): TableCell => ({ type: 'raw_text', text: text.trim() === '' ? '–' : text });
  return {
    type: 'table',
    ...(blockId ? { block_id: blockId } : {}),
    rows: [
      cols.map((c) => cell(c.header)),
      ...rows.slice(0, CHART_LIMITS.tableRows - 1).map((r) => cols.map((_, i) => cell(r[i] ?? ''))),
    ],
    column_settings: cols.map((c) => ({ align: c.align ?? 'left' })),
  };
}

/** Formatted for a table cell or chart legend in the metric's own format. */
export const formatCell = (value: number | null, metric: Metric) => formatValue(value, metric.format);

/**
 * The trend in words, for image alt text and screen readers: where each series starts and ends and its extremes.
 * Works from the chart itself, so the words always describe exactly what is drawn.
 */
export function describeChart(block: DataVisualizationBlock, format: (v: number) => string = defaultFormat): string {
  const { chart } = block;
  if (chart.type === 'pie') {
    const total = chart.segments.reduce((a, s) => a + s.value, 0);
    const parts = chart.segments.map((s) => `${s.label} ${total ? Math.round((s.value / total) * 100) : 0}%`);
    return `Pie chart: ${block.title}. ${parts.join(', ')}.`;
  }
  const cats = chart.axis_config.categories;
  const kind = { line: 'Line chart', bar: 'Bar chart', area: 'Area chart' }[chart.type];
  const categorical = chart.type === 'bar' && chart.series.length === 1;
  const span = cats.length > 1 && !categorical ? ` from ${cats[0]} to ${cats[cats.length - 1]}` : '';
  const sentences = chart.series.map((s) => {
    const values = s.data.map((d) => d.value);
    if (categorical) {
      const ranked = [...s.data].sort((a, b) => b.value - a.value);
      return `${ranked
        .slice(0, 5)
        .map((d) => `${d.label} ${format(d.value)}`)
        .join(', ')}${ranked.length > 5 ? `, and ${ranked.length - 5} more` : ''}`;
    }
    const first = values[0] ?? 0;
    const last = values[values.length - 1] ?? 0;
    const change = first !== 0 ? (last - first) / Math.abs(first) : null;
    const verb = last > first ? 'rose' : last < first ? 'fell' : 'stayed flat';
    const pct =
      change !== null && verb !== 'stayed flat'
        ? ` (${change > 0 ? '+' : '−'}${Math.abs(Math.round(change * 100))}%)`
        : '';
    const hi = Math.max(...values);
    const lo = Math.min(...values);
    const peak = s.data[values.indexOf(hi)]?.label;
    return `${s.name} ${verb} from ${format(first)} to ${format(last)}${pct}, peaking at ${format(hi)}${peak ? ` on ${peak}` : ''} (low ${format(lo)})`;
  });
  return `${kind}: ${block.title}${span}. ${sentences.join('; ')}.`;
}

const wholeNumbers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const twoDecimals = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const defaultFormat = (v: number) => (Math.abs(v) >= 100 ? wholeNumbers : twoDecimals).format(v);
