/** The chart and table block builders keep Slack's limits whatever the data: long labels, many series, long series. */
import {
  bucketLabels,
  CHART_LIMITS,
  dataVisualization,
  describeChart,
  lastPoints,
  tableBlock,
  uniqueLabels,
  xyChart,
} from '../../src/views/charts.js';
import { assertBlockKit } from '../helpers/block-kit.js';

const message = (...blocks: unknown[]) => ({ text: 'fallback', blocks });

describe('chart builders', () => {
  it('clips category labels to 20 characters and keeps them unique', () => {
    const labels = uniqueLabels([
      'Enterprise customers in EMEA',
      'Enterprise customers in APAC',
      'Enterprise customers in EMEA',
      '',
    ]);
    for (const l of labels) expect(Array.from(l).length).toBeLessThanOrEqual(CHART_LIMITS.category);
    expect(new Set(labels).size).toBe(4);
    expect(labels[3]).toBe('(blank)');
  });

  it('keeps at most six uniquely named series, every one on the same categories', () => {
    const series = Array.from({ length: 9 }, (_, i) => ({
      name: 'A very long series name indeed',
      values: [i, null, Number.NaN],
    }));
    const chart = xyChart('area', ['a', 'b', 'c'], series, { x: 'x'.repeat(60), y: 'y'.repeat(60) });
    expect(chart.series).toHaveLength(6);
    expect(new Set(chart.series.map((s) => s.name)).size).toBe(6);
    for (const s of chart.series) {
      expect(s.data.map((d) => d.label)).toEqual(['a', 'b', 'c']);
      expect(s.data.every((d) => Number.isFinite(d.value))).toBe(true);
    }
    const block = dataVisualization('t'.repeat(80), chart);
    expect(Array.from(block.title)).toHaveLength(50);
    assertBlockKit(message(block), 'message');
  });

  it('labels buckets briefly and unambiguously', () => {
    expect(bucketLabels(['2026-11-02', '2026-11-09'], 'week')).toEqual(['Nov 2', 'Nov 9']);
    expect(bucketLabels(['2026-10-01', '2026-11-01'], 'month')).toEqual(['Oct 2026', 'Nov 2026']);
    expect(bucketLabels(['2026-07-01', '2026-10-01'], 'quarter')).toEqual(['Q3 2026', 'Q4 2026']);
    // The same day in two years: ISO dates instead.
    expect(bucketLabels(['2025-11-09', '2026-11-09'], 'day')).toEqual(['2025-11-09', '2026-11-09']);
  });

  it('charts the latest 20 points of a longer series and says it was cut', () => {
    const { points, cut } = lastPoints(Array.from({ length: 28 }, (_, i) => i));
    expect(points).toHaveLength(20);
    expect(points[0]).toBe(8);
    expect(cut).toBe(true);
  });

  it('builds a table within 100 rows and 20 columns, with right-aligned number columns', () => {
    const columns = Array.from({ length: 25 }, (_, i) => ({
      header: `c${i}`,
      align: i ? ('right' as const) : ('left' as const),
    }));
    const rows = Array.from({ length: 150 }, (_, r) => columns.map((_, c) => (c === 1 ? '' : `${r}.${c}`)));
    const table = tableBlock(columns, rows);
    expect(table.rows).toHaveLength(100);
    expect(table.rows[0]).toHaveLength(20);
    expect(table.column_settings?.[1]).toEqual({ align: 'right' });
    expect(table.rows[1]![1]).toEqual({ type: 'raw_text', text: '–' }); // never an empty cell
    assertBlockKit(message(table), 'message');
  });

  it('states the trend in words for alt text', () => {
    const block = dataVisualization(
      'Searches, last 14 days',
      xyChart('line', ['Nov 1', 'Nov 2', 'Nov 3'], [{ name: 'Searches', values: [1200, 1500, 900] }]),
    );
    expect(describeChart(block)).toBe(
      'Line chart: Searches, last 14 days from Nov 1 to Nov 3. Searches fell from 1,200 to 900 (−25%), peaking at 1,500 on Nov 2 (low 900).',
    );
  });
});
