/**
 * Answers metric questions: compile, run on the warehouse, shape the result. Caches answers by
 * (metric, range, grain, breakdown, filter) for a TTL and shares one warehouse job between identical questions in
 * flight. Records every answer for cost and usage audits (logs + /metrics).
 */
import type { Logger } from '../logger.js';
import { metricLabel, type Telemetry } from '../telemetry.js';
import { BudgetExceededError, type QueryBudget } from './budget.js';
import type { MetricCatalog } from './catalog.js';
import { compileMetricQuery } from './compile.js';
import type { MetricQuestion } from './question.js';
import { type CompiledQuery, type Dialect, failureOutcome, type Warehouse } from './warehouse.js';

export interface SeriesPoint {
  bucket: string;
  value: number | null;
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
  breakdown?: Array<{ key: string; value: number | null }>;
  /** The breakdown per bucket of the current period, where the query has it (counts, sums, averages of periods). */
  breakdownSeries?: Array<{ key: string; bucket: string; value: number | null }>;
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
}

export function cacheKey(q: MetricQuestion): string {
  return JSON.stringify([
    q.metric.name,
    q.range.start.toISO(),
    q.range.end.toISO(),
    q.grain,
    q.breakdown?.name ?? null,
    q.filter ? [q.filter.dimension.name, q.filter.value] : null,
  ]);
}

type Computed = Omit<MetricAnswer, 'question' | 'cached' | 'durationMs'>;

export function createMetricService(opts: MetricServiceOptions): MetricService {
  const { catalog, warehouse, telemetry, ttlMs } = opts;
  const clock = opts.clock ?? (() => new Date());
  const maxEntries = opts.maxEntries ?? 500;
  const log = opts.logger.child({ component: 'metrics' });
  const cache = new Map<string, { at: number; value: Computed }>();
  const inFlight = new Map<string, Promise<Computed>>();

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
        ...shape(question, result.rows),
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
        breakdown: question.breakdown?.name,
      };
      const hit = cache.get(key);
      if (hit && clock().getTime() - hit.at < ttlMs) {
        const durationMs = performance.now() - started;
        telemetry.metricAnswers.inc({ metric: metricLabel(question.metric), outcome: 'ok', cache: 'hit' });
        log.info({ ...audit, botCache: true, bytesBilled: 0, durationMs }, 'metric answered');
        return { ...hit.value, question, cached: true, durationMs };
      }
      let pending = inFlight.get(key);
      const shared = Boolean(pending);
      if (!pending) {
        try {
          opts.budget?.check(asker.userId, clock());
        } catch (error) {
          if (error instanceof BudgetExceededError) {
            telemetry.refusals.inc({ reason: error.scope === 'user' ? 'user_bytes_budget' : 'daily_bytes_budget' });
            log.info({ ...audit, budget: error.scope, spent: error.spentBytes }, 'bytes budget reached');
          }
          throw error;
        }
        pending = compute(question)
          .then((value) => {
            // The person whose question started the job pays for it; people sharing it in flight do not.
            opts.budget?.record(asker.userId, value.bytesBilled ?? value.bytesProcessed ?? 0, clock());
            return value;
          })
          .finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      try {
        const value = await pending;
        if (!shared) {
          cache.set(key, { at: clock().getTime(), value });
          while (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
        }
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
        telemetry.metricAnswers.inc({ metric: metricLabel(question.metric), outcome: 'error', cache: 'miss' });
        log.warn({ ...audit, err: error, durationMs: performance.now() - started }, 'metric question failed');
        throw error;
      }
    },
  };
}

/** Warehouse rows (tagged by part) to the answer's numbers. */
export function shape(question: MetricQuestion, rows: Record<string, unknown>[]) {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const bucketOf = (v: unknown) => String(v).slice(0, 10);
  const series: SeriesPoint[] = [];
  const previousSeries: SeriesPoint[] = [];
  let currentTotal: number | null = null;
  let previousTotal: number | null = null;
  let latest: string | null = null;
  const perKey = new Map<string, Array<number | null>>();
  const breakdownSeries: Array<{ key: string; bucket: string; value: number | null }> = [];
  for (const row of rows) {
    const value = num(row.value);
    if (row.part === 'series')
      (row.period === 'current' ? series : previousSeries).push({ bucket: bucketOf(row.bucket), value });
    else if (row.part === 'total') {
      if (row.period === 'current') {
        currentTotal = value;
        latest = normaliseTimestamp(row.latest);
      } else previousTotal = value;
    } else if (row.part === 'breakdown') {
      const key = row.dim === null || row.dim === undefined ? '(none)' : String(row.dim);
      perKey.set(key, [...(perKey.get(key) ?? []), value]);
      if (row.bucket !== null && row.bucket !== undefined)
        breakdownSeries.push({ key, bucket: bucketOf(row.bucket), value });
    }
  }
  const byAverage = question.metric.rollup === 'average';
  // One row per key, or (average rollup) one per key and period: averaged over the periods in the range,
  // counting periods where the key had no rows as zero so the parts stay comparable with the headline.
  const periods = Math.max(1, series.length);
  const breakdown = [...perKey].map(([key, values]) => {
    const nums = values.filter((v): v is number => v !== null);
    // Counts and sums come per bucket: their parts add up to the key's total.
    if (!byAverage) return { key, value: values.length > 1 ? nums.reduce((a, b) => a + b, 0) : (values[0] ?? null) };
    return { key, value: nums.length > 0 ? nums.reduce((a, b) => a + b, 0) / periods : null };
  });
  series.sort((a, b) => a.bucket.localeCompare(b.bucket));
  previousSeries.sort((a, b) => a.bucket.localeCompare(b.bucket));
  breakdown.sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
  const average = (points: SeriesPoint[]) => {
    const vals = points.map((p) => p.value).filter((v): v is number => v !== null);
    return vals.length > 0 ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
  };
  const current = byAverage ? average(series) : currentTotal;
  const previous = byAverage ? average(previousSeries) : previousTotal;
  const change =
    current !== null && previous !== null && previous !== 0 ? (current - previous) / Math.abs(previous) : null;
  return {
    current,
    previous,
    change,
    series,
    previousSeries,
    breakdown: question.breakdown ? breakdown : undefined,
    breakdownSeries: question.breakdown && breakdownSeries.length > 0 ? breakdownSeries : undefined,
    latest,
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
