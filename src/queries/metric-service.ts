/**
 * Answers metric questions: compile, run on the warehouse, shape the result. Caches answers by
 * (metric, range, grain, breakdown, filter) for a TTL and shares one warehouse job between identical questions in
 * flight. Records every answer for cost and usage audits (logs + /metrics).
 */

import { DateTime } from 'luxon';
import type { Logger } from '../logger.js';
import { metricLabel, type Telemetry } from '../telemetry.js';
import { BudgetExceededError, type QueryBudget } from './budget.js';
import { createCachedJobs } from './cached-jobs.js';
import type { Grain, Metric, MetricCatalog } from './catalog.js';
import { comparisonRange, compileMetricQuery } from './compile.js';
import type { MetricQuestion } from './question.js';
import type { TimeRange } from './time-range.js';
import { type CompiledQuery, type Dialect, failureOutcome, type Warehouse } from './warehouse.js';

export interface SeriesPoint {
  bucket: string;
  value: number | null;
  /** Set when the period is cut by the range (a week that starts before the range); see the partial-period rule. */
  partial?: boolean;
}

/** First and last day (ISO dates, inclusive) with rows in a metric's table. */
export interface DataCoverage {
  first: string;
  last: string;
}

export interface CoverageReport {
  first: string | null;
  last: string | null;
  /** The asked range, and the period compared with, each: fully inside the data, partly, or not at all. */
  current: 'full' | 'partial' | 'none';
  previous: 'full' | 'partial' | 'none';
  notes: string[];
}

export interface MetricAnswer {
  question: MetricQuestion;
  /** Headline for the asked range (total or average of periods, per the metric's rollup). */
  current: number | null;
  previous: number | null;
  /** Relative change vs the previous period, e.g. 0.049 for +4.9%; null when undefined. */
  change: number | null;
  series: SeriesPoint[];
  previousSeries: SeriesPoint[];
  breakdown?: Array<{ key: string; key2?: string; value: number | null }>;
  /** The breakdown per bucket of the current period, where the query has it (counts, sums, averages of periods). */
  breakdownSeries?: Array<{ key: string; bucket: string; value: number | null }>;
  /** The period the change is computed against (asked for, or the same length just before). */
  comparisonRange: TimeRange;
  coverage: CoverageReport;
  /** Latest timestamp/date seen in the range (ISO), i.e. how fresh the data is. */
  latest: string | null;
  query: CompiledQuery;
  warehouse: Dialect;
  bytesProcessed: number | null;
  bytesBilled: number | null;
  warehouseCacheHit: boolean;
  /** True when this bot answered from its own cache without asking the warehouse. */
  cached: boolean;
  answeredAt: string;
  durationMs: number;
}

export interface Asker {
  userId: string;
  channelId?: string;
}

export interface MetricService {
  answer(question: MetricQuestion, asker: Asker): Promise<MetricAnswer>;
}

export interface MetricServiceOptions {
  catalog: MetricCatalog;
  warehouse: Warehouse;
  telemetry: Telemetry;
  logger: Logger;
  ttlMs: number;
  clock?: () => Date;
  maxEntries?: number;
  /** Daily bytes budgets: a new warehouse job is refused once one is spent, and what it billed is recorded. */
  budget?: QueryBudget;
  /** Where each metric's data starts and ends (from the value index); unknown when absent. */
  coverage?: (metric: Metric) => DataCoverage | null;
}

export function cacheKey(q: MetricQuestion): string {
  const cmp = comparisonRange(q);
  return JSON.stringify([
    q.metric.name,
    q.range.start.toISO(),
    q.range.end.toISO(),
    cmp.start.toISO(),
    cmp.end.toISO(),
    q.grain,
    q.rollup,
    q.breakdowns.map((d) => d.name),
    q.filters.map((f) => [f.dimension.name, f.op, f.values]),
    q.order ?? null,
  ]);
}

type Computed = Omit<MetricAnswer, 'question' | 'cached' | 'durationMs'>;

export function createMetricService(opts: MetricServiceOptions): MetricService {
  const { catalog, warehouse, telemetry, ttlMs } = opts;
  const clock = opts.clock ?? (() => new Date());
  const log = opts.logger.child({ component: 'metrics' });
  const jobs = createCachedJobs<Computed>({
    ttlMs,
    clock,
    telemetry,
    budget: opts.budget,
    maxEntries: opts.maxEntries,
    bytesOf: (value) => value.bytesBilled ?? value.bytesProcessed ?? 0,
  });

  async function compute(question: MetricQuestion): Promise<Computed> {
    const query = compileMetricQuery(catalog, question, warehouse.kind);
    const labels = { metric: question.metric.name, source: question.metric.source, surface: 'slack' };
    try {
      const result = await warehouse.query(query, { labels });
      telemetry.warehouseQueries.inc({ warehouse: warehouse.kind, outcome: result.cacheHit ? 'cache_hit' : 'ok' });
      if (result.bytesProcessed) {
        telemetry.warehouseBytes.inc(
          { warehouse: warehouse.kind, metric: metricLabel(question.metric) },
          result.bytesProcessed,
        );
      }
      return {
        ...shape(question, result.rows, opts.coverage?.(question.metric) ?? null),
        query,
        warehouse: warehouse.kind,
        bytesProcessed: result.bytesProcessed,
        bytesBilled: result.bytesBilled,
        warehouseCacheHit: result.cacheHit,
        answeredAt: clock().toISOString(),
      };
    } catch (error) {
      telemetry.warehouseQueries.inc({ warehouse: warehouse.kind, outcome: failureOutcome(error) });
      throw error;
    }
  }

  return {
    async answer(question, asker) {
      const started = performance.now();
      const key = cacheKey(question);
      const audit = {
        audit: 'metric_answer',
        user: asker.userId,
        channel: asker.channelId,
        metric: question.metric.name,
        range: [question.range.start.toISODate(), question.range.end.toISODate()],
        grain: question.grain,
        breakdowns: question.breakdowns.map((d) => d.name),
        filters: question.filters.map((f) => `${f.dimension.name} ${f.op} ${f.values.join('|')}`),
      };
      const hit = jobs.fresh(key);
      if (hit) {
        const durationMs = performance.now() - started;
        telemetry.metricAnswers.inc({ metric: metricLabel(question.metric), outcome: 'ok', cache: 'hit' });
        log.info({ ...audit, botCache: true, bytesBilled: 0, durationMs }, 'metric answered');
        return { ...hit, question, cached: true, durationMs };
      }
      try {
        const { value, shared } = await jobs.run(key, asker.userId, () => compute(question));
        const durationMs = performance.now() - started;
        telemetry.metricAnswers.inc({
          metric: metricLabel(question.metric),
          outcome: 'ok',
          cache: shared ? 'shared' : 'miss',
        });
        log.info(
          {
            ...audit,
            botCache: false,
            sharedJob: shared,
            bytesProcessed: value.bytesProcessed,
            bytesBilled: value.bytesBilled,
            warehouseCacheHit: value.warehouseCacheHit,
            durationMs,
          },
          'metric answered',
        );
        return { ...value, question, cached: false, durationMs };
      } catch (error) {
        if (error instanceof BudgetExceededError) {
          log.info({ ...audit, budget: error.scope, spent: error.spentBytes }, 'bytes budget reached');
          throw error;
        }
        telemetry.metricAnswers.inc({ metric: metricLabel(question.metric), outcome: 'error', cache: 'miss' });
        log.warn({ ...audit, err: error, durationMs: performance.now() - started }, 'metric question failed');
        throw error;
      }
    },
  };
}

const GRAIN_UNIT = { day: 'day', week: 'week', month: 'month', quarter: 'quarter' } as const;

/** Measures that are zero over no rows (ratios and averages of no rows are undefined). */
const ZERO_WHEN_EMPTY = new Set(['count', 'count_distinct', 'sum']);

/** Adds a zero for every period of `range` that has no row although the data covers all its days in the range. */
function fillEmptyPeriods(points: SeriesPoint[], range: TimeRange, grain: Grain, data: DataCoverage): void {
  const unit = GRAIN_UNIT[grain];
  const seen = new Set(points.map((p) => p.bucket));
  for (let at = range.start.startOf(unit); at < range.end; at = at.plus({ [`${unit}s`]: 1 })) {
    const bucket = at.toISODate()!;
    const next = at.plus({ [`${unit}s`]: 1 });
    const from = DateTime.max(at, range.start).toISODate()!;
    const to = DateTime.min(next, range.end).minus({ days: 1 }).toISODate()!;
    if (seen.has(bucket) || from < data.first || to > data.last) continue;
    const partial = isPartial(bucket, grain, range);
    points.push({ bucket, value: 0, ...(partial ? { partial } : {}) });
  }
}

/** True when the period starting at `bucket` is cut by the range. */
function isPartial(bucket: string, grain: Grain, range: TimeRange): boolean {
  if (grain === 'day') return false;
  const start = DateTime.fromISO(bucket, { zone: range.start.zone });
  const end = start.plus({ [`${GRAIN_UNIT[grain]}s`]: 1 });
  return start < range.start || end > range.end;
}

/** How much of a range the data covers (both inclusive, ISO days). */
function covered(range: TimeRange, cov: { first: string | null; last: string | null }): 'full' | 'partial' | 'none' {
  const first = range.start.toISODate()!;
  const last = range.end.minus({ days: 1 }).toISODate()!;
  const from = cov.first ?? '0000-01-01';
  const to = cov.last ?? '9999-12-31';
  if (last < from || first > to) return 'none';
  return first >= from && last <= to ? 'full' : 'partial';
}

/** The data-coverage report: the range and the comparison against the first and last day with data. */
export function coverageReport(
  question: MetricQuestion,
  coverage: DataCoverage | null,
  latest: string | null,
): CoverageReport {
  const first = coverage?.first ?? null;
  // The index is rebuilt on a schedule: a newer row seen by this answer moves the end of the data forward.
  // Without an index entry the coverage is unknown and nothing is flagged.
  const seen = latest ? latest.slice(0, 10) : null;
  const last = coverage ? (seen && seen > coverage.last ? seen : coverage.last) : null;
  const cov = { first, last };
  const current = covered(question.range, cov);
  const cmp = comparisonRange(question);
  const previous = covered(cmp, cov);
  const notes: string[] = [];
  const span = (r: TimeRange) => `${r.start.toISODate()} to ${r.end.minus({ days: 1 }).toISODate()}`;
  const data = first && last ? `the data runs from ${first} to ${last}` : last ? `the data ends on ${last}` : '';
  if (current !== 'full' && data) notes.push(`The range ${span(question.range)} is not fully covered: ${data}.`);
  if (previous !== 'full' && data && (question.comparison || current === 'full')) {
    notes.push(`The comparison period ${span(cmp)} is not fully covered (${data}), so there is no % change.`);
  }
  return { first, last, current, previous, notes };
}

/** Warehouse rows (tagged by part) to the answer's numbers. */
export function shape(question: MetricQuestion, rows: Record<string, unknown>[], coverage: DataCoverage | null = null) {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const bucketOf = (v: unknown) => String(v).slice(0, 10);
  const series: SeriesPoint[] = [];
  const previousSeries: SeriesPoint[] = [];
  let currentTotal: number | null = null;
  let previousTotal: number | null = null;
  let latest: string | null = null;
  const perKey = new Map<
    string,
    { key: string; key2?: string; values: Array<{ bucket: string; value: number | null }> }
  >();
  const cmp = comparisonRange(question);
  const breakdownSeries: Array<{ key: string; bucket: string; value: number | null }> = [];
  for (const row of rows) {
    const value = num(row.value);
    if (row.part === 'series') {
      const current = row.period === 'current';
      const bucket = bucketOf(row.bucket);
      const partial = isPartial(bucket, question.grain, current ? question.range : cmp);
      (current ? series : previousSeries).push({ bucket, value, ...(partial ? { partial } : {}) });
    } else if (row.part === 'total') {
      if (row.period === 'current') {
        currentTotal = value;
        latest = normaliseTimestamp(row.latest);
      } else previousTotal = value;
    } else if (row.part === 'breakdown') {
      const key = row.dim === null || row.dim === undefined ? '(none)' : String(row.dim);
      const key2 =
        question.breakdowns.length > 1
          ? row.dim2 === null || row.dim2 === undefined
            ? '(none)'
            : String(row.dim2)
          : undefined;
      const id = JSON.stringify([key, key2]);
      const entry = perKey.get(id) ?? { key, ...(key2 !== undefined ? { key2 } : {}), values: [] };
      const bucket = row.bucket === null || row.bucket === undefined ? '' : bucketOf(row.bucket);
      entry.values.push({ bucket, value });
      perKey.set(id, entry);
      if (bucket && key2 === undefined) breakdownSeries.push({ key, bucket, value });
    }
  }
  const report = coverageReport(question, coverage, latest);
  // No rows on days the data covers is an answer: zero for counts and sums. A ratio or an average of no rows has no
  // value, and a day outside the data (or with unknown coverage) stays empty rather than pretend to be zero.
  if (ZERO_WHEN_EMPTY.has(question.metric.aggregation.type) && report.first && report.last) {
    const data = { first: report.first, last: report.last };
    fillEmptyPeriods(series, question.range, question.grain, data);
    fillEmptyPeriods(previousSeries, cmp, question.grain, data);
    if (currentTotal === null && report.current === 'full') currentTotal = 0;
    if (previousTotal === null && report.previous === 'full') previousTotal = 0;
  }
  series.sort((a, b) => a.bucket.localeCompare(b.bucket));
  previousSeries.sort((a, b) => a.bucket.localeCompare(b.bucket));
  const byAverage = question.rollup === 'average';
  // The partial-period rule: an average per period uses whole periods only, unless there are none.
  const counted = (points: SeriesPoint[]) => {
    const whole = points.filter((p) => !p.partial);
    return whole.length > 0 ? whole : points;
  };
  const average = (points: SeriesPoint[]) => {
    const vals = counted(points)
      .map((p) => p.value)
      .filter((v): v is number => v !== null);
    return vals.length > 0 ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
  };
  const buckets = new Set(counted(series).map((p) => p.bucket));
  // One row per key, or (average) one per key and period: averaged over the counted periods, a period where the
  // key had no rows counting as zero so the parts stay comparable with the headline.
  let breakdown = [...perKey.values()].map(({ key, key2, values }) => {
    const base = { key, ...(key2 !== undefined ? { key2 } : {}) };
    // Counts and sums come per bucket: their parts add up to the key's total.
    if (!byAverage) {
      const nums = values.map((v) => v.value).filter((v): v is number => v !== null);
      return { ...base, value: values.length > 1 ? nums.reduce((a, b) => a + b, 0) : (values[0]?.value ?? null) };
    }
    const nums = values.filter((v) => buckets.has(v.bucket) && v.value !== null).map((v) => v.value as number);
    return { ...base, value: nums.length > 0 ? nums.reduce((a, b) => a + b, 0) / Math.max(1, buckets.size) : null };
  });
  const dir = question.order?.direction === 'asc' ? 1 : -1;
  breakdown.sort((a, b) => dir * ((a.value ?? 0) - (b.value ?? 0)) || a.key.localeCompare(b.key));
  if (question.order) breakdown = breakdown.slice(0, question.order.limit);
  const current = byAverage ? average(series) : currentTotal;
  const previous = byAverage ? average(previousSeries) : previousTotal;
  // A change against a period the data does not cover would be fake.
  const trustworthy = report.current === 'full' && report.previous === 'full';
  const change =
    trustworthy && current !== null && previous !== null && previous !== 0
      ? (current - previous) / Math.abs(previous)
      : null;
  return {
    current,
    previous,
    change,
    series,
    previousSeries,
    breakdown: question.breakdowns.length > 0 ? breakdown : undefined,
    breakdownSeries: question.breakdowns.length === 1 && breakdownSeries.length > 0 ? breakdownSeries : undefined,
    latest,
    comparisonRange: cmp,
    coverage: report,
  };
}

/** "2026-11-23 04:59:18+00" (DuckDB, BigQuery strings) or a date, to ISO. */
function normaliseTimestamp(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = String(v);
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
  const iso = s
    .replace(' ', 'T')
    .replace(/([+-]\d{2})$/, '$1:00')
    .replace(/ UTC$/, 'Z');
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
}
