/**
 * Reads a metric question ("weekly active users last 4 weeks by plan vs previous") against the catalog.
 * Pure: no I/O. Each part (comparison, grain, breakdown, filter, time range) is recognised and removed in turn;
 * what remains names the metric, matched exactly on names and synonyms first, then fuzzily with Fuse.js.
 */
import { distance } from 'fastest-levenshtein';
import Fuse from 'fuse.js';
import type { DateTimeUnit } from 'luxon';
import { type Dimension, GRAINS, type Grain, type Metric, type MetricCatalog } from './catalog.js';
import { findTimeRange, lastComplete, type TimeRange, TimeRangeError } from './time-range.js';

export const MAX_QUESTION_LENGTH = 500;

export interface MetricQuestion {
  metric: Metric;
  range: TimeRange;
  /** True when the person named no range and the metric's default window applies. */
  defaultRange: boolean;
  grain: Grain;
  /** Set when the grain differs from what was asked, with the reason. */
  grainNote?: string;
  breakdown?: Dimension;
  filter?: { dimension: Dimension; value: string };
  compare: boolean;
}

export type QuestionError =
  | { kind: 'empty' }
  | { kind: 'too_long'; length: number; max: number }
  | { kind: 'unknown_metric'; query: string; suggestions: Metric[] }
  | { kind: 'bad_range'; message: string }
  | { kind: 'disallowed_breakdown'; metric: Metric; dimension: Dimension; allowed: Dimension[] }
  | { kind: 'unknown_dimension'; phrase: string; metric: Metric; allowed: Dimension[] };

export type ParseResult = { ok: true; question: MetricQuestion } | { ok: false; error: QuestionError };

export interface ParseContext {
  now: Date;
  timezone: string;
}

const FILLER =
  /\b(how many|how much|what(?:'s| is| was| were| are)?|show(?: me)?|give me|tell me|get|the|a|an|number of|count of|total|our|us|did|do|does|we|have|had|get|there|please|of|in|during|over|for|on|is|was|were|are|per|been|and|plot|chart|graph|trend)\b/gi;

const GRAIN_WORDS: Record<string, Grain> = {
  daily: 'day',
  day: 'day',
  weekly: 'week',
  week: 'week',
  monthly: 'month',
  month: 'month',
  quarterly: 'quarter',
  quarter: 'quarter',
};

const ADVERB: Record<Grain, string> = { day: 'daily', week: 'weekly', month: 'monthly', quarter: 'quarterly' };
const GRAIN_DAYS: Record<Grain, number> = { day: 1, week: 7, month: 30, quarter: 91 };
const MAX_POINTS = 400;

const normalise = (s: string) =>
  s
    .toLowerCase()
    .replace(/[_-]+/g, ' ')
    .replace(/[^\p{L}\p{N} ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();

interface MetricEntry {
  metric: Metric;
  phrases: string[];
}

/** Built once per catalog: the phrase index and the Fuse index. */
export class QuestionParser {
  readonly #entries: MetricEntry[];
  readonly #fuse: Fuse<MetricEntry>;
  readonly #dimensions: Dimension[];
  /** Every name and synonym as a whole-phrase pattern, longest first; built once, not per question. */
  readonly #phrasePatterns: Array<{ metric: Metric; re: RegExp; phrase: string }>;

  constructor(private readonly catalog: MetricCatalog) {
    this.#entries = catalog.metrics.map((metric) => ({
      metric,
      phrases: [metric.name, metric.label, ...metric.synonyms].map(normalise),
    }));
    this.#fuse = new Fuse(this.#entries, {
      keys: ['phrases'],
      includeScore: true,
      ignoreLocation: true,
      threshold: 0.45,
    });
    this.#phrasePatterns = this.#entries
      .flatMap((entry) => entry.phrases.filter(Boolean).map((phrase) => ({ metric: entry.metric, phrase })))
      .sort((a, b) => b.phrase.length - a.phrase.length)
      .map(({ metric, phrase }) => {
        const pattern = phrase.split(' ').map(escapeRegExp).join('[\\s_-]+');
        return {
          metric,
          phrase,
          re: new RegExp(`(?<![\\p{L}\\p{N}])${pattern}(?![\\p{L}\\p{N}])`, 'iu'),
        };
      });
    const names = new Set(catalog.metrics.flatMap((m) => m.dimensions));
    this.#dimensions = [...names].map((n) => catalog.dimension(n)!).filter(Boolean);
  }

  /** Closest metrics to free text, best first (for "did you mean" and for unanswerable questions). */
  suggest(text: string, limit = 3): Metric[] {
    return this.#ranked(text)
      .filter((c) => c.tokenScore >= 0.6)
      .slice(0, limit)
      .map((c) => c.metric);
  }

  /**
   * Fuse finds candidates; each is then checked token by token with edit distance, because Fuse's bitap score
   * alone rates short words against long phrases too kindly ("churn" would match "searches").
   */
  #ranked(text: string): Array<{ metric: Metric; tokenScore: number }> {
    const q = normalise(text);
    if (!q) return [];
    const queryTokens = significantTokens(q);
    if (queryTokens.length === 0) return [];
    return this.#fuse
      .search(q, { limit: 8 })
      .map((r) => ({
        metric: r.item.metric,
        tokenScore: Math.max(...r.item.phrases.map((p) => tokenScore(queryTokens, significantTokens(p)))),
      }))
      .sort((a, b) => b.tokenScore - a.tokenScore);
  }

  /** The longest metric name or synonym said outright, with a pattern that removes it from the text. */
  private findNamedMetric(text: string): { metric: Metric; re: RegExp } | null {
    // A plain substring check first: the Unicode-aware patterns are only run for phrases that can match.
    const plainText = ` ${normalise(text)} `;
    for (const { metric, re, phrase } of this.#phrasePatterns) {
      if (plainText.includes(phrase) && re.test(text)) return { metric, re };
    }
    return null;
  }

  /** The metric a phrase names: a whole-phrase match on a name or synonym, else a confident fuzzy match. */
  matchMetric(text: string): Metric | null {
    const q = ` ${normalise(text)} `;
    let best: { metric: Metric; length: number } | null = null;
    for (const entry of this.#entries) {
      for (const phrase of entry.phrases) {
        if (phrase && q.includes(` ${phrase} `) && (!best || phrase.length > best.length)) {
          best = { metric: entry.metric, length: phrase.length };
        }
      }
    }
    if (best) return best.metric;
    const [top] = this.#ranked(text.replace(FILLER, ' '));
    return top && top.tokenScore >= 0.75 ? top.metric : null;
  }

  parse(input: string, ctx: ParseContext): ParseResult {
    // Slack formatting (mentions, links) is not part of the question.
    let text = input
      .replace(/<[@#!][^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (text.length > MAX_QUESTION_LENGTH) {
      return { ok: false, error: { kind: 'too_long', length: text.length, max: MAX_QUESTION_LENGTH } };
    }
    if (!text) return { ok: false, error: { kind: 'empty' } };
    const take = (re: RegExp): RegExpExecArray | null => {
      const m = re.exec(text);
      if (m) text = `${text.slice(0, m.index)} ${text.slice(m.index + m[0].length)}`.replace(/\s+/g, ' ').trim();
      return m;
    };

    // A metric named outright is found first, so its words ("daily active users") are not read as a grain.
    const named = this.findNamedMetric(text);
    if (named) take(named.re);

    const compare = Boolean(
      take(
        /\b(?:vs\.?|versus|compared (?:to|with)|against)\s+(?:the\s+)?(?:previous|prior|last|preceding)(?:\s+(?:period|week|month|quarter|year))?\b/i,
      ),
    );
    // Every grain phrase is removed ("searches per day, daily"); the last one said wins.
    let requestedGrain: Grain | undefined;
    for (
      let m =
        take(/\b(daily|weekly|monthly|quarterly)\b/i) ?? take(/\b(?:by|per|each|every)\s+(day|week|month|quarter)\b/i);
      m;
      m = take(/\b(daily|weekly|monthly|quarterly)\b/i) ?? take(/\b(?:by|per|each|every)\s+(day|week|month|quarter)\b/i)
    ) {
      requestedGrain = GRAIN_WORDS[m[1]!.toLowerCase()];
    }

    // A filter value is one word or a quoted phrase, so "where plan = enterprise yesterday" keeps its range.
    const filterMatch = take(
      /\bwhere\s+([\p{L}_ -]{1,40}?)\s*(?:=|==|:|\bis\b|\bequals\b)\s*(?:"([^"]{1,100})"|'([^']{1,100})'|“([^”]{1,100})”|([\p{L}\p{N}_.@+-]{1,100}))/iu,
    );
    const breakdownMatch = take(
      /\b(?:broken down by|split by|grouped by|group by|by|for each|per)\s+([\p{L}_ -]{1,40}?)(?=\s*$|\s*[,;?.!]|\s+(?:in|over|during|since|from|between|last|past|this|vs|versus|compared|for|where|q[1-4]|yesterday|today)\b)/iu,
    );

    let found: ReturnType<typeof findTimeRange>;
    try {
      found = findTimeRange(text, ctx.now, ctx.timezone);
    } catch (error) {
      if (error instanceof TimeRangeError) return { ok: false, error: { kind: 'bad_range', message: error.message } };
      throw error;
    }
    if (found) take(new RegExp(escapeRegExp(found.matched), 'i'));

    const metric = named?.metric ?? this.matchMetric(text);
    if (!metric) {
      const query = normalise(text.replace(FILLER, ' ')) || text;
      return { ok: false, error: { kind: 'unknown_metric', query, suggestions: this.suggest(query) } };
    }
    const allowed = metric.dimensions.map((d) => this.catalog.dimension(d)!).filter(Boolean);

    let breakdown: Dimension | undefined;
    if (breakdownMatch) {
      const result = this.resolveDimension(breakdownMatch[1]!, metric, allowed);
      if (!result.ok) return result;
      breakdown = result.dimension;
    }
    let filter: MetricQuestion['filter'];
    if (filterMatch) {
      const result = this.resolveDimension(filterMatch[1]!, metric, allowed);
      if (!result.ok) return result;
      filter = {
        dimension: result.dimension,
        value: (filterMatch[2] ?? filterMatch[3] ?? filterMatch[4] ?? filterMatch[5]!).trim(),
      };
    }

    const range =
      found?.range ??
      lastComplete(metric.default_window.last, metric.default_window.unit as DateTimeUnit, ctx.now, ctx.timezone);
    const { grain, note } = chooseGrain(metric, range, requestedGrain);
    if (spanDays(range) / GRAIN_DAYS[grain] > MAX_POINTS) {
      return {
        ok: false,
        error: {
          kind: 'bad_range',
          message: `${range.label} has too many ${grain}s to chart; ask for a coarser grain.`,
        },
      };
    }
    return {
      ok: true,
      question: { metric, range, defaultRange: !found, grain, grainNote: note, breakdown, filter, compare },
    };
  }

  private resolveDimension(
    phrase: string,
    metric: Metric,
    allowed: Dimension[],
  ): { ok: true; dimension: Dimension } | { ok: false; error: QuestionError } {
    const q = normalise(phrase);
    const matches = (d: Dimension) => [d.name, d.label, ...d.synonyms].map(normalise).includes(q);
    const own = allowed.find(matches);
    if (own) return { ok: true, dimension: own };
    const other = this.#dimensions.find(matches);
    if (other) return { ok: false, error: { kind: 'disallowed_breakdown', metric, dimension: other, allowed } };
    const fuzzy = new Fuse(allowed, { keys: ['name', 'label', 'synonyms'], includeScore: true, threshold: 0.3 });
    const [top] = fuzzy.search(q, { limit: 1 });
    if (top) return { ok: true, dimension: top.item };
    return { ok: false, error: { kind: 'unknown_dimension', phrase: phrase.trim(), metric, allowed } };
  }
}

const STOP = new Set(['per', 'the', 'of', 'on', 'by', 'and', 'a', 'an', 'in', 'to']);

function significantTokens(text: string): string[] {
  return text.split(' ').filter((t) => t.length > 1 && !STOP.has(t));
}

/** 1 - edit distance / length, so one typo in a long word still counts as the word. */
function similarity(a: string, b: string): number {
  return 1 - distance(a, b) / Math.max(a.length, b.length);
}

/**
 * How well query tokens are covered by a phrase's tokens: every query token must resemble some phrase token,
 * and the phrase must be mostly said. Returns 0..1.
 */
function tokenScore(query: string[], phrase: string[]): number {
  if (phrase.length === 0) return 0;
  const perToken = query.map((q) => Math.max(...phrase.map((p) => similarity(q, p))));
  const matched = phrase.filter((p) => query.some((q) => similarity(q, p) >= 0.7)).length;
  const coverage = matched / phrase.length;
  return Math.min(...perToken) * (0.5 + 0.5 * coverage);
}

function spanDays(range: TimeRange): number {
  // Plain milliseconds: luxon's diff is costly on the per-question path, and DST shifts round away.
  return Math.max(1, Math.round((range.end.toMillis() - range.start.toMillis()) / 86_400_000));
}

/**
 * Average-of-periods metrics (weekly/daily actives) have their grain fixed by definition; other metrics take the
 * asked grain, else their default, made finer when the range is too short to show at least two points.
 */
function chooseGrain(metric: Metric, range: TimeRange, requested?: Grain): { grain: Grain; note?: string } {
  if (metric.rollup === 'average' && metric.aggregation.type === 'count_distinct') {
    const note =
      requested && requested !== metric.default_grain
        ? `${metric.label} is defined per ${metric.default_grain}, so the series stays ${ADVERB[metric.default_grain]}.`
        : undefined;
    return { grain: metric.default_grain, note };
  }
  if (requested) return { grain: requested };
  let grain = metric.default_grain;
  while (grain !== 'day' && spanDays(range) < GRAIN_DAYS[grain] * 2) grain = GRAINS[GRAINS.indexOf(grain) - 1]!;
  return { grain };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
