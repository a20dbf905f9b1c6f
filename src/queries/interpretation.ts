/**
 * The machine-readable reading of a question: what `ask --json` prints, what feedback records, and what the
 * evaluation bank's expectations are written in. Also the one-line human form shown at the top of every answer.
 */
import type { DateTime } from 'luxon';
import type { Grain } from './catalog.js';
import type { ComparisonKind, FilterOp, MetricQuestion, QueryFilter, QuestionError } from './question.js';
import type { TimeRange } from './time-range.js';

export interface FilterSpec {
  dimension: string;
  op: FilterOp;
  values: string[];
}

export interface MetricInterpretation {
  /** Intents that carry a metric query ("why_changed"; later "watch") reuse every field with another value. */
  intent: 'metric' | 'why_changed';
  metric: string;
  filters: FilterSpec[];
  breakdown: string[];
  /** Inclusive ISO dates in `timezone`; default = the metric's own window, not asked for. */
  range: { start: string; end: string; default: boolean };
  timezone: string;
  grain: Grain;
  rollup: 'total' | 'average';
  comparison: null | { start: string; end: string; kind: ComparisonKind; like_for_like: boolean };
  order: null | { direction: 'desc' | 'asc'; limit: number };
  unused: string[];
}

export interface DefinitionInterpretation {
  intent: 'definition';
  metrics: string[];
}

export interface WhereIsInterpretation {
  intent: 'where_is';
  topic: string | null;
  metric: string | null;
}

export interface RequestInterpretation {
  intent: 'request';
}

export interface AskBackInterpretation {
  intent: 'ask_back';
  reason: 'ambiguous_value' | 'ambiguous_metric' | 'two_readings';
  word: string;
  choices: Interpretation[];
}

export type RefusalReason =
  | 'unknown_metric'
  | 'derived_measure'
  | 'future'
  | 'bad_range'
  | 'too_long'
  | 'empty'
  | 'not_available';

export interface RefusalInterpretation {
  intent: 'refuse';
  reason: RefusalReason;
  message?: string;
  suggestions: string[];
  request: true;
}

export type Interpretation =
  | MetricInterpretation
  | DefinitionInterpretation
  | WhereIsInterpretation
  | RequestInterpretation
  | AskBackInterpretation
  | RefusalInterpretation;

const iso = (d: DateTime) => d.toISODate()!;
const lastDay = (r: TimeRange) => r.end.minus({ days: 1 });

export function filterSpec(f: QueryFilter): FilterSpec {
  return { dimension: f.dimension.name, op: f.op, values: [...f.values] };
}

export function metricInterpretation(q: MetricQuestion): MetricInterpretation {
  return {
    intent: q.intent ?? 'metric',
    metric: q.metric.name,
    filters: q.filters.map(filterSpec),
    breakdown: q.breakdowns.map((d) => d.name),
    range: { start: iso(q.range.start), end: iso(lastDay(q.range)), default: q.defaultRange },
    timezone: q.range.start.zoneName ?? 'UTC',
    grain: q.grain,
    rollup: q.rollup,
    comparison: q.comparison
      ? {
          start: iso(q.comparison.range.start),
          end: iso(lastDay(q.comparison.range)),
          kind: q.comparison.kind,
          like_for_like: q.comparison.likeForLike,
        }
      : null,
    order: q.order ? { ...q.order } : null,
    unused: [...q.unused],
  };
}

/** The interpretation of a question the parser could not answer with a number. */
export function errorInterpretation(error: QuestionError): Interpretation {
  const names = (ms?: ReadonlyArray<{ name: string }>) => (ms ?? []).slice(0, 3).map((m) => m.name);
  switch (error.kind) {
    case 'definition':
      return { intent: 'definition', metrics: error.metrics.map((m) => m.name) };
    case 'ask_back':
      return {
        intent: 'ask_back',
        reason: error.reason,
        word: error.word,
        choices: error.choices.map(metricInterpretation),
      };
    case 'unknown_metric':
      return refusal('unknown_metric', names(error.suggestions));
    case 'derived_measure':
      return refusal('derived_measure', names(error.suggestions), `${error.phrase} is not defined in the catalog`);
    case 'future':
      return refusal('future', names(error.suggestions), error.message);
    case 'bad_range':
      return refusal('bad_range', names(error.suggestions), error.message);
    case 'too_long':
      return refusal('too_long', names(error.suggestions));
    case 'empty':
      return refusal('empty', names(error.suggestions));
    case 'disallowed_breakdown':
      return refusal(
        'not_available',
        [error.metric.name],
        `${error.metric.label} can't be broken down by ${error.dimension.label.toLowerCase()}`,
      );
    case 'disallowed_filter':
      return refusal(
        'not_available',
        names(error.suggestions),
        `${error.metric.label} can't be filtered by ${error.dimension.label.toLowerCase()}`,
      );
    case 'unknown_dimension':
      return refusal('not_available', [error.metric.name], `no breakdown called "${error.phrase}"`);
  }
}

function refusal(reason: RefusalReason, suggestions: string[], message?: string): RefusalInterpretation {
  return { intent: 'refuse', reason, ...(message ? { message } : {}), suggestions, request: true };
}

const OPS: Record<FilterOp, string> = { eq: '=', neq: '≠', in: 'in', not_in: 'not in', prefix: 'starts with' };

function filterText(f: QueryFilter): string {
  const label = f.dimension.label.toLowerCase();
  const values = f.values.map((v) => {
    const alias = f.dimension.values[v]?.[0];
    return alias && /^[A-Z]{2,3}$/.test(v) ? `${v} (${alias})` : v;
  });
  if (f.op === 'prefix') return `${label} ${f.values[0]}.x`;
  if (f.op === 'in' || f.op === 'not_in') return `${label} ${OPS[f.op]} ${values.join(', ')}`;
  return `${label} ${OPS[f.op]} ${values[0]}`;
}

/** "Jan 3 – Jan 9, 2026", "Oct 12, 2026". */
export function describeDates(r: TimeRange): string {
  const last = lastDay(r);
  const fmt = (d: DateTime, year: boolean) => d.toFormat(year ? 'LLL d, yyyy' : 'LLL d');
  if (r.start.hasSame(last, 'day')) return fmt(r.start, true);
  return `${fmt(r.start, r.start.year !== last.year)} – ${fmt(last, true)}`;
}

const ADVERB: Record<Grain, string> = { day: 'daily', week: 'weekly', month: 'monthly', quarter: 'quarterly' };

/**
 * One compact line: metric · filters · breakdown · exact dates with time zone · grain · comparison, so a
 * misunderstanding is visible at a glance. Plain text (the view escapes it).
 */
export function interpretationLine(q: MetricQuestion): string {
  const parts: string[] = [q.metric.label];
  for (const f of q.filters) parts.push(filterText(f));
  if (q.breakdowns.length > 0) parts.push(`by ${q.breakdowns.map((d) => d.label.toLowerCase()).join(' × ')}`);
  if (q.order) parts.push(`${q.order.direction === 'desc' ? 'top' : 'bottom'} ${q.order.limit}`);
  const zone = q.range.start.zoneName ?? 'UTC';
  parts.push(`${describeDates(q.range)} (${zone})${q.defaultRange ? ' — default window' : ''}`);
  parts.push(q.rollup === 'average' ? `${ADVERB[q.grain]} average` : ADVERB[q.grain]);
  if (q.comparison) {
    const c = q.comparison;
    const what =
      c.kind === 'same_weekday_last_week'
        ? 'same weekday a week earlier'
        : c.kind === 'previous_year'
          ? 'same dates a year earlier'
          : c.kind === 'previous_calendar'
            ? 'previous calendar period'
            : 'previous period';
    parts.push(`vs ${describeDates(c.range)} (${what}${c.likeForLike ? ', same elapsed days' : ''})`);
  }
  return parts.join(' · ');
}
