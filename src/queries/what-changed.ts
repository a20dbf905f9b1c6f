/**
 * "What changed?": decomposes a metric's change between the asked period and the one before it along every dimension
 * the catalog allows for the metric, and ranks the parts.
 *
 * - Counts and sums add up: each value's contribution is its own change, and the contributions add up exactly to the
 *   total change (every row falls in exactly one value, NULL included).
 * - Ratios and averages do not: the change of the whole is split into mix (the value's share of the denominator
 *   moved) and rate (the value's own ratio moved), with midpoint weights so that mix + rate over all values adds up
 *   exactly to the total change.
 * - Distinct counts and averages of periods overlap (a user can be in two values across a period), so each value's own
 *   change is ranked and nothing is presented as adding up, nor is an "other" made by subtraction.
 *
 * One warehouse query per dimension, each cached and shared between identical requests in flight, like answers.
 */
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import type { QueryBudget } from './budget.js';
import { createCachedJobs } from './cached-jobs.js';
import type { Dimension, Metric, MetricCatalog } from './catalog.js';
import { comparisonRange, compileChangeQuery } from './compile.js';
import type { Asker, MetricAnswer, MetricService } from './metric-service.js';
import type { MetricQuestion } from './question.js';
import { failureOutcome, type Warehouse } from './warehouse.js';

export type ChangeKind = 'additive' | 'ratio' | 'overlapping';

export interface SegmentChange {
  dimension: Dimension;
  key: string;
  previous: number | null;
  current: number | null;
  /** The value's own change (current − previous; for ratios, of its own rate). */
  change: number;
  /** Its part of the total change (additive: its own change; ratio: mix + rate). Absent when segments overlap. */
  contribution?: number;
  /** contribution / total change. */
  share?: number;
  mix?: number;
  rate?: number;
}

export interface DimensionChange {
  dimension: Dimension;
  /** Ranked: largest part of the change (or own change, when overlapping) first. */
  segments: SegmentChange[];
}

export interface ChangeExplanation {
  question: MetricQuestion;
  kind: ChangeKind;
  current: number | null;
  previous: number | null;
  /** current − previous. */
  change: number | null;
  dimensions: DimensionChange[];
  /** Across every dimension, the segments that moved the total most in its direction, best first. */
  drivers: SegmentChange[];
  /** Warehouse queries this explanation ran (0 when every dimension came from the cache). */
  queries: number;
  bytesProcessed: number;
}

export interface ChangeExplainer {
  explain(question: MetricQuestion, asker: Asker): Promise<ChangeExplanation>;
}

export interface ChangeExplainerOptions {
  catalog: MetricCatalog;
  warehouse: Warehouse;
  metrics: MetricService;
  telemetry: Telemetry;
  logger: Logger;
  ttlMs: number;
  clock?: () => Date;
  maxEntries?: number;
  /** The same daily bytes budgets as answers: a new query is refused once one is spent; what it billed is recorded. */
  budget?: QueryBudget;
}

export function changeKind(metric: Metric): ChangeKind {
  const type = metric.aggregation.type;
  if (type === 'count_distinct') return 'overlapping';
  // An average of per-period ratios is not the ratio of the parts' sums, so its parts cannot be split exactly.
  if (type === 'ratio' || type === 'average') return metric.rollup === 'average' ? 'overlapping' : 'ratio';
  // Sums and counts averaged over periods still add up per period, and so over the range.
  return 'additive';
}

/**
 * The dimensions a change can be decomposed along: the metric's own, less those the question fixes to one value
 * (a dimension filtered to several values, or excluded, still varies).
 */
export function changeDimensions(catalog: MetricCatalog, question: MetricQuestion): Dimension[] {
  const fixed = new Set(question.filters.filter((f) => f.op === 'eq').map((f) => f.dimension.name));
  return question.metric.dimensions
    .filter((d) => !fixed.has(d))
    .map((d) => catalog.dimension(d))
    .filter((d): d is Dimension => Boolean(d));
}

interface Part {
  key: string;
  period: 'current' | 'previous';
  num: number;
  den: number | null;
}

interface DimensionRows {
  parts: Part[];
  bytes: number;
}

function cacheKeyFor(q: MetricQuestion, dimension: Dimension): string {
  return JSON.stringify([
    'change',
    q.metric.name,
    q.range.start.toISO(),
    q.range.end.toISO(),
    q.metric.rollup === 'average' ? q.grain : null,
    q.filters.map((f) => [f.dimension.name, f.op, f.values]),
    comparisonRange(q).start.toISO(),
    comparisonRange(q).end.toISO(),
    dimension.name,
  ]);
}

export function createChangeExplainer(opts: ChangeExplainerOptions): ChangeExplainer {
  const { catalog, warehouse, telemetry, ttlMs } = opts;
  const clock = opts.clock ?? (() => new Date());
  const log = opts.logger.child({ component: 'what-changed' });
  const jobs = createCachedJobs<DimensionRows>({
    ttlMs,
    clock,
    telemetry,
    budget: opts.budget,
    maxEntries: opts.maxEntries,
    bytesOf: (rows) => rows.bytes,
  });

  async function run(question: MetricQuestion, dimension: Dimension, periods: Periods): Promise<DimensionRows> {
    const query = compileChangeQuery(catalog, question, dimension, warehouse.kind);
    const labels = { metric: question.metric.name, source: question.metric.source, surface: 'what_changed' };
    try {
      const result = await warehouse.query(query, { labels });
      telemetry.warehouseQueries.inc({ warehouse: warehouse.kind, outcome: result.cacheHit ? 'cache_hit' : 'ok' });
      return { parts: toParts(question.metric, result.rows, periods), bytes: result.bytesProcessed ?? 0 };
    } catch (error) {
      telemetry.warehouseQueries.inc({ warehouse: warehouse.kind, outcome: failureOutcome(error) });
      throw error;
    }
  }

  /** One dimension's rows: from the cache, from a query already in flight, or from a new query. */
  async function rowsFor(
    question: MetricQuestion,
    dimension: Dimension,
    periods: Periods,
    asker: Asker,
  ): Promise<{ rows: DimensionRows; queried: boolean }> {
    const key = cacheKeyFor(question, dimension);
    const hit = jobs.fresh(key);
    if (hit) return { rows: hit, queried: false };
    const { value: rows, shared } = await jobs.run(key, asker.userId, () => run(question, dimension, periods));
    return { rows, queried: !shared };
  }

  return {
    async explain(question, asker) {
      const started = performance.now();
      const dims = changeDimensions(catalog, question);
      // Parts that add up (counts, sums, ratio parts) give the headline themselves: one query per dimension in all.
      // Overlapping parts and averages of periods need the answer's headline and bucket count (normally a cache hit:
      // the asker has just seen the answer).
      const selfContained =
        dims.length > 0 && changeKind(question.metric) !== 'overlapping' && question.metric.rollup !== 'average';
      const answer = selfContained ? undefined : await opts.metrics.answer(question, asker);
      const periods = { current: answer?.series.length ?? 0, previous: answer?.previousSeries.length ?? 0 };
      const results = await Promise.all(dims.map((d) => rowsFor(question, d, periods, asker)));
      const explanation = decompose(
        question,
        answer ?? totalsOf(question.metric, results[0]!.rows.parts),
        dims.map((dimension, i) => ({ dimension, parts: results[i]!.rows.parts })),
      );
      explanation.queries = results.filter((r) => r.queried).length;
      explanation.bytesProcessed = results.reduce((a, r) => a + (r.queried ? r.rows.bytes : 0), 0);
      log.info(
        {
          audit: 'what_changed',
          user: asker.userId,
          channel: asker.channelId,
          metric: question.metric.name,
          range: [question.range.start.toISODate(), question.range.end.toISODate()],
          dimensions: dims.map((d) => d.name),
          queries: explanation.queries,
          bytesProcessed: explanation.bytesProcessed,
          durationMs: performance.now() - started,
        },
        'change explained',
      );
      return explanation;
    },
  };
}

interface Periods {
  current: number;
  previous: number;
}

/** The headline of both periods from one dimension's parts, where the parts add up (every row is in one value). */
export function totalsOf(metric: Metric, parts: Part[]): { current: number | null; previous: number | null } {
  const total = (period: Part['period']) => {
    const own = parts.filter((p) => p.period === period);
    const num = own.reduce((a, p) => a + p.num, 0);
    if (changeKind(metric) === 'ratio') {
      const den = own.reduce((a, p) => a + (p.den ?? 0), 0);
      return den ? num / den : null;
    }
    // A sum over no rows is NULL in SQL, a count is 0: the same as the answer's headline.
    return own.length === 0 && metric.aggregation.type === 'sum' ? null : num;
  };
  return { current: total('current'), previous: total('previous') };
}

/** Warehouse rows to parts per (value, period); averages of periods are averaged over the period's buckets. */
function toParts(metric: Metric, rows: Record<string, unknown>[], periods: Periods): Part[] {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const type = metric.aggregation.type;
  const perPeriod = metric.rollup === 'average' && type !== 'ratio' && type !== 'average';
  const parts = new Map<string, Part>();
  for (const row of rows) {
    const key = row.dim === null || row.dim === undefined ? '(none)' : String(row.dim);
    const period = row.period === 'current' ? 'current' : 'previous';
    const id = `${period}\u0000${key}`;
    const part = parts.get(id) ?? { key, period, num: 0, den: null };
    part.num += num(row.num) ?? 0;
    const den = num(row.den);
    if (den !== null) part.den = (part.den ?? 0) + den;
    parts.set(id, part);
  }
  if (perPeriod) {
    // Like the headline: the average over the period's buckets, a bucket without the value counting as zero.
    for (const part of parts.values()) part.num /= Math.max(1, periods[part.period]);
  }
  return [...parts.values()];
}

/** The decomposition itself: pure, so tests can check it on hand-made numbers too. */
export function decompose(
  question: MetricQuestion,
  answer: Pick<MetricAnswer, 'current' | 'previous'>,
  perDimension: Array<{ dimension: Dimension; parts: Part[] }>,
): ChangeExplanation {
  const kind = changeKind(question.metric);
  const current = answer.current;
  const previous = answer.previous;
  const total = current !== null && previous !== null ? current - previous : null;
  const dimensions = perDimension.map(({ dimension, parts }) => ({
    dimension,
    segments: rank(kind, segmentsOf(kind, dimension, parts, total)),
  }));
  const all = dimensions.flatMap((d) => d.segments);
  const sign = Math.sign(total ?? 0) || 1;
  const drivers =
    kind === 'overlapping'
      ? [...all].filter((s) => Math.sign(s.change) === sign).sort((a, b) => Math.abs(b.change) - Math.abs(a.change))
      : [...all]
          .filter((s) => Math.sign(s.contribution ?? 0) === sign)
          .sort((a, b) => Math.abs(b.contribution ?? 0) - Math.abs(a.contribution ?? 0));
  return { question, kind, current, previous, change: total, dimensions, drivers, queries: 0, bytesProcessed: 0 };
}

function segmentsOf(kind: ChangeKind, dimension: Dimension, parts: Part[], total: number | null): SegmentChange[] {
  const keys = [...new Set(parts.map((p) => p.key))];
  const get = (key: string, period: Part['period']) => parts.find((p) => p.key === key && p.period === period);
  const share = (c: number) => (total ? c / total : undefined);
  if (kind === 'ratio') {
    const sum = (period: Part['period'], f: (p: Part) => number) =>
      parts.filter((p) => p.period === period).reduce((a, p) => a + f(p), 0);
    const d0 = sum('previous', (p) => p.den ?? 0);
    const d1 = sum('current', (p) => p.den ?? 0);
    const r0All = d0 ? sum('previous', (p) => p.num) / d0 : 0;
    const r1All = d1 ? sum('current', (p) => p.num) / d1 : 0;
    const centre = (r0All + r1All) / 2;
    return keys.map((key) => {
      const p0 = get(key, 'previous');
      const p1 = get(key, 'current');
      const w0 = d0 && p0?.den ? p0.den / d0 : 0;
      const w1 = d1 && p1?.den ? p1.den / d1 : 0;
      let r0 = p0?.den ? p0.num / p0.den : null;
      let r1 = p1?.den ? p1.num / p1.den : null;
      // A value absent from one period has no rate there: all of its effect is mix.
      r0 ??= r1 ?? 0;
      r1 ??= r0;
      const rate = ((w0 + w1) / 2) * (r1 - r0);
      const mix = (w1 - w0) * ((r0 + r1) / 2 - centre);
      const contribution = rate + mix;
      return {
        dimension,
        key,
        previous: p0?.den ? p0.num / p0.den : null,
        current: p1?.den ? p1.num / p1.den : null,
        change: r1 - r0,
        contribution,
        share: share(contribution),
        mix,
        rate,
      };
    });
  }
  return keys.map((key) => {
    const value = (p?: Part) => (!p ? null : p.den === null ? p.num : p.den ? p.num / p.den : null);
    const prev = value(get(key, 'previous'));
    const cur = value(get(key, 'current'));
    const change = (cur ?? 0) - (prev ?? 0);
    return kind === 'additive'
      ? { dimension, key, previous: prev ?? 0, current: cur ?? 0, change, contribution: change, share: share(change) }
      : { dimension, key, previous: prev, current: cur, change };
  });
}

function rank(kind: ChangeKind, segments: SegmentChange[]): SegmentChange[] {
  const size = (s: SegmentChange) => Math.abs(kind === 'overlapping' ? s.change : (s.contribution ?? 0));
  return segments.sort((a, b) => size(b) - size(a) || a.key.localeCompare(b.key));
}
