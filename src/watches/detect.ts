/**
 * Whether an alert fires, from one series of per-period values. Pure.
 *
 * The baseline is the same period in earlier weeks (the same weekday for daily checks), so weekly seasonality never
 * looks like a change. Anomalies use the median and the median absolute deviation (MAD) of the last 8 such periods:
 * the value is unusual when it sits more than k scaled MADs from the median (k from the sensitivity), a rule that
 * one outlier in the baseline cannot bend. Every alert also needs an absolute change of at least its floor, so
 * low-volume noise never pages anyone.
 */
import { DateTime } from 'luxon';
import type { Grain, Metric } from '../queries/catalog.js';
import type { Condition, Sensitivity } from './grammar.js';

export const ANOMALY_WEEKS = 8;
/** Robust z-score limits; 3.5 is the usual cut-off for the MAD-based score (Iglewicz and Hoaglin). */
export const SENSITIVITY_LIMIT: Record<Sensitivity, number> = { low: 5, medium: 3.5, high: 2.5 };
/** Scales the MAD to a standard deviation for normally distributed data. */
const MAD_SCALE = 1.4826;

export interface Evaluation {
  fired: boolean;
  /** The period evaluated (bucket start, YYYY-MM-DD). */
  bucket: string;
  value: number | null;
  /** Mean of the baseline periods (change), their median (anomaly), or the threshold. */
  reference: number | null;
  baselineBuckets: string[];
  /** Relative change against the reference. */
  change: number | null;
  /** The absolute change needed, or null when the condition has none (thresholds). */
  floor: number | null;
  floorIsDefault: boolean;
  anomaly?: { low: number; high: number; score: number; limit: number };
  /** Why it stayed quiet, in words (also for dry runs). */
  quiet?: string;
}

const isRatio = (m: Metric) => m.aggregation.type === 'ratio' || m.format.style === 'percent';
const additive = (m: Metric) =>
  (m.aggregation.type === 'count' || m.aggregation.type === 'sum') && m.rollup !== 'average';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The default floor, from the metric's typical volume: counts vary by about the square root of their size, so a
 * change under three times that is noise; sums need 1% of their typical value; rates need one percentage point.
 */
export function defaultFloor(metric: Metric, typical: number): number {
  if (isRatio(metric)) return 0.01;
  if (metric.aggregation.type === 'sum') return Math.max(1, Math.abs(typical) * 0.01);
  return Math.max(1, Math.ceil(3 * Math.sqrt(Math.max(0, typical))));
}

/** Bucket keys `k` periods before `bucket` (same weekday for days). */
export function baselineBuckets(bucket: string, grain: Grain, count: number): string[] {
  const start = DateTime.fromISO(bucket, { zone: 'UTC' });
  const unit = grain === 'day' || grain === 'week' ? 'weeks' : grain === 'month' ? 'months' : 'quarters';
  return Array.from({ length: count }, (_, i) => start.minus({ [unit]: i + 1 }).toISODate()!);
}

/** How many baseline periods a condition reads. */
export function baselineCount(condition: Condition): number {
  if (condition.type === 'anomaly') return ANOMALY_WEEKS;
  if (condition.type === 'change') return condition.weeks;
  return 0;
}

/** Threshold as stored in the metric's own units (60% → 0.6 for rates). */
export function thresholdValue(metric: Metric, c: Extract<Condition, { type: 'threshold' }>): number {
  return isRatio(metric) && (c.percent || c.value > 1) ? c.value / 100 : c.value;
}

export function evaluate(opts: {
  metric: Metric;
  condition: Condition;
  grain: Grain;
  bucket: string;
  values: ReadonlyMap<string, number | null>;
  floor?: number;
}): Evaluation {
  const { metric, condition, grain, bucket, values } = opts;
  // A period with no rows is zero for counts and sums, and unknown for rates and averages.
  const read = (key: string) => (values.has(key) ? (values.get(key) ?? null) : additive(metric) ? 0 : null);
  const value = read(bucket);
  const keys = baselineBuckets(bucket, grain, baselineCount(condition));
  const base = keys.map(read).filter((v): v is number => v !== null && Number.isFinite(v));
  const result: Evaluation = {
    fired: false,
    bucket,
    value,
    reference: null,
    baselineBuckets: keys,
    change: null,
    floor: null,
    floorIsDefault: opts.floor === undefined,
  };
  if (value === null) return { ...result, quiet: `no value for ${bucket}` };

  if (condition.type === 'threshold') {
    const t = thresholdValue(metric, condition);
    const fired = condition.op === 'above' ? value > t : value < t;
    return {
      ...result,
      reference: t,
      change: t !== 0 ? (value - t) / Math.abs(t) : null,
      fired,
      quiet: fired ? undefined : `not ${condition.op} the threshold`,
    };
  }

  const minimum = condition.type === 'anomaly' ? 5 : condition.weeks;
  if (base.length < minimum) {
    return { ...result, quiet: `not enough history (${base.length} of ${keys.length} earlier periods have data)` };
  }
  const typical = median(base);
  const floor = opts.floor ?? defaultFloor(metric, typical);
  result.floor = floor;

  if (condition.type === 'change') {
    const reference = base.reduce((a, b) => a + b, 0) / base.length;
    result.reference = reference;
    if (reference === 0) return { ...result, quiet: 'the baseline is zero, so a relative change is undefined' };
    const change = (value - reference) / Math.abs(reference);
    result.change = change;
    const directionOk = condition.direction === 'any' || (condition.direction === 'drop' ? change < 0 : change > 0);
    const bigEnough = Math.abs(change) * 100 > condition.percent;
    const aboveFloor = Math.abs(value - reference) >= floor;
    const fired = directionOk && bigEnough && aboveFloor;
    const quiet = fired
      ? undefined
      : !directionOk || !bigEnough
        ? `changed ${(change * 100).toFixed(1)}%, within the ${condition.percent}% limit`
        : `the change is below the floor of ${floor}`;
    return { ...result, fired, quiet };
  }

  const limit = SENSITIVITY_LIMIT[condition.sensitivity];
  const mad = median(base.map((v) => Math.abs(v - typical)));
  // A flat baseline has no spread; the floor then sets the smallest change that counts.
  const sigma = Math.max(MAD_SCALE * mad, floor / limit);
  const score = (value - typical) / sigma;
  const low = Math.max(additive(metric) || !isRatio(metric) ? 0 : Number.NEGATIVE_INFINITY, typical - limit * sigma);
  const high = typical + limit * sigma;
  const fired = Math.abs(score) > limit && Math.abs(value - typical) >= floor;
  return {
    ...result,
    reference: typical,
    change: typical !== 0 ? (value - typical) / Math.abs(typical) : null,
    anomaly: { low, high, score, limit },
    fired,
    quiet: fired ? undefined : `within the expected range (score ${score.toFixed(1)}, limit ±${limit})`,
  };
}
