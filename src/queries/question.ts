/**
 * Reads a question against the catalog and the value index: every meaningful word is either used or reported.
 *
 * Pure and cheap: the phrase tables (metric names and synonyms, dimensions, values and their aliases) are built once
 * per catalog and value snapshot, and a question is read in one pass over its words:
 *   1. comparison phrases and dates are found first (their words are spent),
 *   2. the remaining words are matched against the phrase table, longest phrase first,
 *   3. the roles are put together (metric, filters, breakdowns, grain, order, rollup) and checked against the metric,
 *   4. words left over that carry meaning are reported as unused, never dropped.
 * When two readings are plausible the result is an ask-back with both; when a part of the question cannot be used
 * the result is a refusal that still names the closest metrics.
 */
import type { DateTime } from 'luxon';
import { typoSimilarity } from '../lib/fuzzy.js';
import { clip } from '../lib/text.js';
import { type Dimension, GRAINS, type Grain, type Metric, type MetricCatalog } from './catalog.js';
import { correctDateWords, normalizeQuestion } from './question-text.js';
import {
  COUNT_PATTERN,
  countOf,
  lastComplete,
  parseDay,
  previousRange,
  type RangeMatch,
  type RangeUnit,
  scanTimeRanges,
  type TimeRange,
  TimeRangeError,
  todayIn,
  WEEKDAY_PATTERN,
  weekdayIndex,
} from './time-range.js';
import { readWhyQuestion } from './why-question.js';

/** "cc @someone" copies people in: the "cc" goes with the mentions. */
export const CC_MENTIONS = /\bcc:?(?:\s*,?\s*<[@!][^>]*>)+/gi;

/** Longest question read; longer text is refused before any matching work. */
export const MAX_QUESTION_LENGTH = 500;
/** Longest message even looked at: Slack markup is stripped before the question's own limit applies, but a pasted
 * log longer than this is refused without a single regex pass over it. */
export const MAX_MESSAGE_LENGTH = MAX_QUESTION_LENGTH * 4;

export type FilterOp = 'eq' | 'neq' | 'in' | 'not_in' | 'prefix';

export interface QueryFilter {
  dimension: Dimension;
  op: FilterOp;
  values: string[];
}

export type ComparisonKind = 'previous_period' | 'previous_calendar' | 'previous_year' | 'same_weekday_last_week';

export interface Comparison {
  range: TimeRange;
  kind: ComparisonKind;
  /** An in-progress period compared with the same elapsed days of the earlier one. */
  likeForLike: boolean;
}

export interface MetricQuestion {
  metric: Metric;
  range: TimeRange;
  /** True when the person named no range and the metric's default window applies. */
  defaultRange: boolean;
  grain: Grain;
  /** Set when the grain differs from what was asked, with the reason. */
  grainNote?: string;
  /** total: the aggregate over the range; average: the mean per grain period (whole periods only). */
  rollup: 'total' | 'average';
  breakdowns: Dimension[];
  filters: QueryFilter[];
  /** The comparison the person asked for; absent when none was asked. */
  comparison?: Comparison;
  order?: { direction: 'desc' | 'asc'; limit: number };
  /** Words that carry meaning and were not used, as typed ("on mobile"). */
  unused: string[];
  /** Readings the person may have meant instead (one-click alternatives for the unused words). */
  alternatives?: MetricQuestion[];
  /** How near misses were read ("dialy actives" → Daily active users). */
  corrections?: string[];
  /** Set when the question asks why the metric changed: the answer explains the change against `comparison`. */
  intent?: 'why_changed';
}

export type QuestionError =
  | { kind: 'empty'; suggestions?: Metric[] }
  | { kind: 'too_long'; length: number; max: number; suggestions?: Metric[] }
  | {
      kind: 'unknown_metric';
      query: string;
      suggestions: Metric[];
      /** The question asks for a number (a period, "how many", a rate): refused, not answered with a where-is note. */
      asksForNumber?: boolean;
    }
  | { kind: 'bad_range'; message: string; suggestions?: Metric[] }
  | { kind: 'future'; message: string; suggestions?: Metric[] }
  | { kind: 'derived_measure'; phrase: string; metric?: Metric; suggestions: Metric[] }
  | { kind: 'disallowed_breakdown'; metric: Metric; dimension: Dimension; allowed: Dimension[] }
  | { kind: 'disallowed_filter'; metric: Metric; dimension: Dimension; value: string; suggestions: Metric[] }
  | { kind: 'unknown_dimension'; phrase: string; metric: Metric; allowed: Dimension[] }
  | { kind: 'definition'; metrics: Metric[] }
  | {
      kind: 'ask_back';
      reason: 'ambiguous_value' | 'ambiguous_metric' | 'two_readings';
      word: string;
      choices: MetricQuestion[];
    };

export type ParseResult = { ok: true; question: MetricQuestion } | { ok: false; error: QuestionError };

export interface ParseContext {
  now: Date;
  timezone: string;
}

/** Distinct values per dimension, from the warehouse (see value-index.ts). */
export type DimensionValues = Readonly<Record<string, readonly string[]>>;

const ADVERB: Record<Grain, string> = { day: 'daily', week: 'weekly', month: 'monthly', quarter: 'quarterly' };
const GRAIN_DAYS: Record<Grain, number> = { day: 1, week: 7, month: 30, quarter: 91 };
const MAX_POINTS = 400;
const MAX_PHRASE_WORDS = 5;
/** A day written with slashes, month and day in either order ("11/10", "9/10/2026"). */
const SLASH_DAY_IN_TEXT = /(?<![\p{L}\p{N}/.])(\d{1,2})\/(\d{1,2})(?:\/((?:19|20)\d{2}|\d{2}))?(?![\p{L}\p{N}/.])/gu;

/** Words that carry no meaning of their own in a metric question. */
const FILLER = new Set(
  `a an the of in on at for from to with by per and or is are was were be been being do does did done doing have has
  had having i im me my we our us you your it its this that these those there here what whats which who how many much
  show give tell send get got gimme find pull see know need want wanted would could can please pls thanks thank hey hi
  hello bot number numbers count counts total totals amount stats stat data figure figures metric metrics value values
  overall all just only about around roughly approximately look looking like lately recently currently so as well
  also again now ok okay let lets quick question check report trend trends chart graph plot table over time during
  between within some any going happen happened really actually exactly up come came via through using accounts
  account users user customers customer people folks companies orgs ones someone anyone number' whole entire
  did much am were vs versus compared compare against when where our yo sum summary breakdown tally level levels
  was figure run runs running ran use uses using used hiya hey sorry bug thx thanks cheers ty asking wondering curious
  deck qbr slides handy crowd teh still u ur meeting forecast renewal advance quick anyone someone folks numbers could should might total numbers
  roughly approx ok so far to-date hows change changes popular among campaign campaigns trending usage created abt thru plz grab drove`.split(
    /\s+/,
  ),
);
/**
 * Conversational phrases (greetings, apologies, asides, who the number is for), spent whole like dates. Only whole
 * phrases: a word next to them that carries meaning ("quick q - signups on mobile") is still read or reported.
 */
const CONVERSATIONAL = new RegExp(
  [
    // Greetings and who is addressed, at the start or after punctuation: "morning all", "hey team", "hi @analytics-bot".
    String.raw`(?:^|[,.!?;:–—-]\s*)(?:hey|hi|hello|hiya|yo|howdy|(?:good\s+)?(?:morning|afternoon|evening))(?:\s+(?:all|team|folks|everyone|everybody|y['’]?all|there|guys|friends|people|bot|@[\w.-]+))?(?=[\s,.!?:;–—-]|$)`,
    // A handle typed as text rather than as a Slack mention.
    String.raw`(?<![\w.])@[\w.-]+`,
    String.raw`\bquick\s+(?:q|qq|question|one|ask)\b|\b(?:quick\s+)?sanity\s+check\b`,
    String.raw`\bbefore\s+(?:my|our|the)\s+(?:1:1|one-on-one|meeting|call|standup|sync)\b`,
    String.raw`\b(?:(?:sorry|apologies)\s+(?:if\s+this\s+is|for)\s+(?:a\s+)?)?(?:dumb|silly|stupid|basic|naive|newbie)\s+(?:question|q)\b`,
    String.raw`\b(?:these\s+days|thanks\s+in\s+advance|if\s+(?:you|anyone)\s+(?:know|knows|can|has\s+a\s+sec))\b`,
    // Who is asking: "asking for the IDE team", "it's for the growth folks".
    String.raw`\b(?:asking|it['’]?s|this\s+is)\s+for\s+(?:the|a|my|our)\s+(?:[\w-]+\s+){0,2}?(?:team|folks|people|group|squad|execs?|leadership|boss|manager)\b`,
    // Who the number is for: "for the all-hands", "for the board deck", "for a deck".
    String.raw`\bfor\s+(?:the|a|an|my|our|this|tomorrow['’]?s|next\s+week['’]?s)\s+(?:[\w-]+\s+){0,2}?(?:deck|slides?|all[\s-]?hands|meeting|presentation|review|qbr|okrs?|standup|sync|newsletter|memo|board\s+meeting|town\s*hall|offsite|retro)\b`,
  ].join('|'),
  'giu',
);
/** Filler that does not join an unused phrase's neighbours ("on mobile" keeps its "on"). */
const PREPOSITIONS = new Set(['on', 'in', 'from', 'for', 'with', 'at', 'via', 'through', 'using', 'among', 'by']);
const NEGATIONS = new Set([
  'outside',
  'arent',
  'isnt',
  'ex',
  'but',
  'not',
  'non',
  'without',
  'excluding',
  'exclude',
  'except',
  'excl',
  'minus',
  'no',
  'besides',
]);
const AUDIENCE =
  /\b(?:(?:asking|its|it's|this\s+is)\s+)?(?:for|from|on\s+behalf\s+of)\s+(?:the\s+|our\s+|my\s+)?(?:[\p{L}\p{N}&-]+\s+){0,2}(?:team|squad|crew)\b/giu;
const NEGATION_PAIRS: Record<string, string> = {
  other: 'than',
  leaving: 'out',
  leave: 'out',
  apart: 'from',
  aside: 'from',
};
/** Said before an exception ("everyone but free users"). */
const EVERYONE = new Set(['everyone', 'everybody', 'everything', 'anyone', 'anybody', 'all']);
const BREAKDOWN_INTRO = new Set(['by', 'per', 'each', 'across', 'split', 'broken', 'grouped', 'group', 'segmented']);
const GRAIN_ADVERBS: Record<string, Grain> = { daily: 'day', weekly: 'week', monthly: 'month', quarterly: 'quarter' };
const GRAIN_NOUNS: Record<string, Grain> = {
  day: 'day',
  days: 'day',
  week: 'week',
  weeks: 'week',
  month: 'month',
  months: 'month',
  quarter: 'quarter',
  quarters: 'quarter',
};
const MEAN_WORDS = new Set(['average', 'avg', 'mean', 'typical']);
const MOST = new Set(['top', 'most', 'biggest', 'largest', 'highest', 'best', 'leading', 'max', 'maximum', 'more']);
const FEWEST = new Set(['bottom', 'fewest', 'least', 'smallest', 'lowest', 'worst', 'min', 'minimum', 'less', 'fewer']);
/** Nouns after "per" that would make a derived measure the catalog does not define ("searches per user"). */
const PER_NOUNS = new Set([
  'user',
  'users',
  'account',
  'accounts',
  'customer',
  'customers',
  'person',
  'head',
  'capita',
  'seat',
  'seats',
  'session',
  'sessions',
  'visitor',
  'visitors',
  'instance',
  'instances',
  'signup',
  'signups',
  'employee',
  'org',
  'team',
  'dollar',
]);
const DERIVED =
  /\b(?:ratio of|divided by|share of|percentage of|proportion of|growth rate of|per capita)\b|(?:\bwhat\s+)?(?:%|\bpercent)\s+of\b/i;
const DEFINITION =
  /\b(?:what (?:exactly |really )?(?:counts|count|is counted|is considered) as|what(?:['’]?s| is| are) considered|how (?:is|are|do (?:you|we)|does (?:one|it)) (?:[\w\s-]{1,60}? )?(?:defined|define|calculated|calculate|computed|compute|measured|measure|counted|count)\b|defin(?:e|ed|ition|itions)\b|what (?:does|do) [\w\s-]{1,60}? (?:mean|measure|include|cover)\b|meaning of|what is meant by|same thing|difference between|what(?:['’]?s| is) the diff(?:erence)?\b|how (?:are|is|do|does) (?:they|these|those|it|the two|both) (?:differ|different)|explain)/i;
/** "What is a code navigation action?": a thing asked about with an article, and no period, is its definition. */
const DEFINITION_BY_ARTICLE = /^\W*(?:so,?\s+|and\s+)?what(?:['’]?s| is| are)\s+(?:a|an)\s/i;
/** Words that ask for a number rather than for a place or a process. */
const QUANTITY = /\bhow (?:many|much)\b|\b(?:number|count|total|average|avg) of\b|%|\bpercent|\brate\b/i;
/**
 * Measures the catalog does not define: said next to a metric they ask another question ("churn rate", "session
 * duration", "retention of the signup cohort"), so they are refused with the closest metrics, never reported as a
 * word the answer merely did not use.
 */
const UNDEFINED_MEASURES = new Set(
  `churn churned retention retained cohort cohorts duration length lifetime ltv clv revenue mrr arr nps csat views
  pageviews downloads clicks stars tickets funnel engagement latency uptime utilization utilisation profit margin roi
  cac bookings deals`.split(/\s+/),
);
/** Words that may qualify a metric's one-word synonym without naming another thing ("new installs"). */
const NEUTRAL_MODIFIERS = new Set(['new', 'unique', 'distinct', 'recent', 'current', 'latest', 'active']);
const COMPARE_WORD = /^(?:vs\.?|versus|compared|compare|against|relative)$/i;

const SHORT_CODE = /^[A-Z]{2,3}$/;
/** Values that are everyday words: said about a metric without that dimension they are reported, not refused. */
const GENERIC_VALUES = new Set([
  'events',
  'search',
  'docs',
  'direct',
  'social',
  'paid',
  'organic',
  'free',
  'web',
  'cloud',
]);
const VERSION_TOKEN = /^v?\d+(?:\.\d+)+(?:\.x)?$|^v\d+$/;

interface Token {
  /** As typed. */
  raw: string;
  /** Lower case, apostrophes removed. */
  norm: string;
  start: number;
  end: number;
  /** True when spent words (a date, a comparison) sit between this token and the one before. */
  breakBefore: boolean;
  role?: Role;
}

type Role =
  | { kind: 'metric'; metrics: Metric[]; values: ValueRef[] }
  | { kind: 'dimension'; dimension: Dimension }
  | { kind: 'value'; values: ValueRef[] }
  | { kind: 'grain'; grain: Grain; adverb: boolean }
  | { kind: 'used' }
  | { kind: 'filler' };

interface ValueRef {
  dimension: Dimension;
  value: string;
  /** Set for a version prefix ("5.1" for 5.1.x). */
  prefix?: boolean;
}

interface PhraseEntry {
  metrics: Metric[];
  dimensions: Dimension[];
  values: ValueRef[];
  /** Case-sensitive forms (short codes): the typed words must equal one of these. */
  exact?: string[];
}

const norm = (s: string) => s.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').replace(/['’]/g, '');

/** Stands in for spent words, so phrases never join across them. */
const MASK = String.fromCharCode(0);

const TOKEN_RE = /[\p{L}\p{N}]+(?:[.'’][\p{L}\p{N}]+)*/gu;

/** Splits into words: hyphens and punctuation separate, dots stay inside versions and abbreviations. */
function words(text: string): string[] {
  return (text.match(TOKEN_RE) ?? []).map(norm);
}

const STOP = new Set(['per', 'the', 'of', 'on', 'by', 'and', 'a', 'an', 'in', 'to', 'site']);
/** Words for the people a user metric counts: "active" said of them is user activity, not instances. */
const PEOPLE = new Set([
  'people',
  'person',
  'users',
  'user',
  'folks',
  'customers',
  'customer',
  'accounts',
  'anyone',
  'anybody',
  'everyone',
]);
/** Words that already say which period an active user is counted in. */
const ACTIVITY_GRAIN = new Set(['dau', 'wau', 'daus', 'waus']);
const significant = (ws: string[]) => ws.filter((t) => t.length > 1 && !STOP.has(t));

/** Every query word must resemble a phrase word, and most of the phrase must be said. 0..1. */
function tokenScore(query: string[], phrase: string[]): number {
  if (phrase.length === 0 || query.length === 0) return 0;
  let min = 1;
  for (const q of query) {
    let best = 0;
    for (const p of phrase) best = Math.max(best, typoSimilarity(q, p));
    min = Math.min(min, best);
    if (min === 0) return 0;
  }
  const matched = phrase.filter((p) => query.some((q) => typoSimilarity(q, p) >= 0.7)).length;
  const score = min * (0.5 + 0.5 * (matched / phrase.length));
  // A name shortened to its head noun and a qualifier ("nav actions" for Code navigation actions) is still that name.
  const head = typoSimilarity(query[query.length - 1]!, phrase[phrase.length - 1]!);
  return query.length >= 2 && min >= 0.86 && head >= 0.86 ? Math.max(score, 0.8) : score;
}

function plural(word: string): string[] {
  if (word.endsWith('s')) return [word, word.slice(0, -1)];
  if (word.endsWith('y')) return [word, `${word.slice(0, -1)}ies`];
  return [word, `${word}s`];
}

interface MetricPhrases {
  metric: Metric;
  phrases: string[][];
}

/** Built once per catalog and value snapshot. */
export class QuestionParser {
  readonly #catalog: MetricCatalog;
  #lexicon = new Map<string, PhraseEntry>();
  /** First words of phrases, so most words skip the n-gram lookups. */
  #firstWords = new Set<string>();
  readonly #metricPhrases: MetricPhrases[];
  readonly #dimensions: Dimension[];
  #values = new Map<string, ValueRef[]>();
  /** Dimension → its values, for fuzzy value matching and version prefixes. */
  #valuesByDimension = new Map<string, string[]>();
  #defaultSuggestions: Metric[];
  readonly #explicitFilter: RegExp;
  readonly #metricWords: Set<string>;
  readonly #sourcePhrases: Array<[string, string[]]>;

  constructor(catalog: MetricCatalog, values: DimensionValues = {}) {
    this.#catalog = catalog;
    const used = new Set(catalog.metrics.flatMap((m) => m.dimensions));
    this.#dimensions = catalog.dimensions.filter((d) => used.has(d.name));
    this.#metricPhrases = catalog.metrics.map((metric) => ({
      metric,
      phrases: [metric.name.replace(/_/g, ' '), metric.label, ...metric.synonyms].map(words),
    }));
    this.#defaultSuggestions = catalog.metrics.slice(0, 3);
    this.#metricWords = new Set(this.#metricPhrases.flatMap((m) => m.phrases.flat()));
    // Longest first, so "google analytics" is read before a shorter phrase inside it.
    this.#sourcePhrases = Object.entries(catalog.sources)
      .flatMap(([key, src]) => [key.replace(/_/g, ' '), src.label].map((p) => [key, words(p)] as [string, string[]]))
      .filter(([, ws]) => ws.length > 0)
      .sort((a, b) => b[1].length - a[1].length);
    const dimPhrases = this.#dimensions
      .flatMap((d) => [d.name, d.name.replace(/_/g, ' '), d.label, ...d.synonyms])
      .sort((a, b) => b.length - a.length)
      .map((p) =>
        p
          .split(/[\s_-]+/)
          .map(escapeRegExp)
          .join('[\\s_-]+'),
      );
    const value = `(?:"([^"]{1,100})"|'([^']{1,100})'|“([^”]{1,100})”|([\\p{L}\\p{N}_.@+-]{1,100}))`;
    this.#explicitFilter = new RegExp(
      `(?<![\\p{L}\\p{N}])(where\\s+|and\\s+)?(${dimPhrases.join('|')})\\s*(!=|<>|==|=|:|\\bis\\s+not\\b|\\bisn'?t\\b|\\bis\\b|\\bequals\\b|\\bnot\\b)\\s*${value}`,
      'giu',
    );
    this.setValues(values);
  }

  get catalog(): MetricCatalog {
    return this.#catalog;
  }

  /** Rebuilds the phrase table with the warehouse's current values (the value index calls this on refresh). */
  setValues(values: DimensionValues): void {
    const lexicon = new Map<string, PhraseEntry>();
    const entry = (key: string) => {
      let e = lexicon.get(key);
      if (!e) {
        e = { metrics: [], dimensions: [], values: [] };
        lexicon.set(key, e);
      }
      return e;
    };
    const addOne = (phrase: string[], f: (e: PhraseEntry) => void) => {
      const last = phrase[phrase.length - 1]!;
      for (const variant of last.length > 2 ? plural(last) : [last]) {
        f(entry([...phrase.slice(0, -1), variant].join(' ')));
      }
    };
    const add = (phrase: string[], f: (e: PhraseEntry) => void) => {
      if (phrase.length === 0 || phrase.length > MAX_PHRASE_WORDS) return;
      addOne(phrase, f);
      // Two words written as one: "selfhosted searches", "onprem".
      for (let i = 0; i + 1 < phrase.length; i++) {
        addOne([...phrase.slice(0, i), phrase[i]! + phrase[i + 1]!, ...phrase.slice(i + 2)], f);
      }
    };
    for (const { metric, phrases } of this.#metricPhrases) {
      for (const p of phrases) add(p, (e) => e.metrics.includes(metric) || e.metrics.push(metric));
    }
    for (const d of this.#dimensions) {
      for (const p of [d.name.replace(/_/g, ' '), d.label, ...d.synonyms].map(words)) {
        add(p, (e) => e.dimensions.includes(d) || e.dimensions.push(d));
      }
    }
    const byDim = new Map<string, Set<string>>();
    for (const d of this.#dimensions) {
      const known = new Set<string>([...Object.keys(d.values), ...(values[d.name] ?? [])]);
      byDim.set(d.name, known);
      for (const value of known) {
        const ref: ValueRef = { dimension: d, value };
        const aliases = d.values[value] ?? [];
        if (SHORT_CODE.test(value)) {
          // "US", "IN", "DE": only in capitals, so "us" and "in" stay words.
          const e = entry(norm(value));
          e.values.push(ref);
          e.exact = [...(e.exact ?? []), value];
        } else {
          add(words(value), (e) => e.values.includes(ref) || e.values.push(ref));
        }
        for (const alias of aliases) add(words(alias), (e) => e.values.includes(ref) || e.values.push(ref));
      }
    }
    this.#valuesByDimension = new Map([...byDim].map(([k, v]) => [k, [...v]]));
    this.#lexicon = lexicon;
    this.#firstWords = new Set([...lexicon.keys()].map((k) => k.split(' ')[0]!));
    this.#values = new Map();
    for (const [key, e] of lexicon) if (e.values.length > 0) this.#values.set(key, e.values);
  }

  /** Closest metrics to free text, best first (for "did you mean" and for unanswerable questions). */
  suggest(text: string, limit = 3): Metric[] {
    const query = significant(words(text)).filter((w) => !FILLER.has(w));
    if (query.length === 0) return [];
    return this.#metricPhrases
      .map(({ metric, phrases }) => ({
        metric,
        score: Math.max(
          ...phrases.map((p) => {
            const ps = significant(p);
            // Partial credit: the share of query words that resemble a phrase word.
            const hits = query.filter((q) => ps.some((w) => typoSimilarity(q, w) >= 0.7)).length;
            return Math.max(tokenScore(query, ps), (0.6 * hits) / query.length);
          }),
        ),
      }))
      .filter((c) => c.score >= 0.3)
      .sort((a, b) => b.score - a.score)
      .slice(0, limit)
      .map((c) => c.metric);
  }

  /** Up to three closest metrics, always: a refusal never leaves the person without a next step. */
  closest(text: string, first?: Metric): Metric[] {
    const out: Metric[] = first ? [first] : [];
    for (const m of [...this.suggest(text, 3), ...this.#defaultSuggestions]) {
      if (out.length >= 3) break;
      if (!out.includes(m)) out.push(m);
    }
    return out;
  }

  /** The metric a phrase names: a whole-phrase match on a name or synonym, else a confident fuzzy match. */
  matchMetric(text: string): Metric | null {
    const ws = words(text).filter((w) => !FILLER.has(w));
    const exact = this.#lexicon.get(ws.join(' '));
    if (exact && exact.metrics.length === 1) return exact.metrics[0]!;
    return this.#fuzzyMetric(ws)?.metric ?? null;
  }

  #fuzzyMetric(query: string[]): { metric: Metric; score: number; tie: Metric[] } | null {
    const q = significant(query);
    if (q.length === 0) return null;
    const scored = this.#metricPhrases
      .map(({ metric, phrases }) => ({
        metric,
        score: Math.max(...phrases.map((p) => tokenScore(q, significant(p)))),
      }))
      .sort((a, b) => b.score - a.score);
    const top = scored[0];
    if (!top || top.score < 0.75) return null;
    return { ...top, tie: scored.filter((s) => s.score >= top.score - 0.01).map((s) => s.metric) };
  }

  parse(input: string, ctx: ParseContext): ParseResult {
    // Refused before any matching work: a pasted log must not cost a regex scan.
    if (input.length > MAX_MESSAGE_LENGTH) {
      return { ok: false, error: this.tooLong(input.length) };
    }
    // Mentions and channel links address the bot, they are not part of the question. A link is not read, but it is
    // reported by its host: a number must not look as if it answered whatever the link points to. Emoji shortcodes
    // and invisible characters go too (see question-text.ts).
    const links: string[] = [];
    const text = normalizeQuestion(input)
      .replace(CC_MENTIONS, ' ')
      .replace(/<[@#!][^>]*>/g, ' ')
      .replace(/<((?:https?|mailto|ftp):[^>|]*)(?:\|[^>]*)?>/gi, (_, url: string) => {
        links.push(linkHost(url));
        return ' ';
      })
      .replace(/\s+/g, ' ')
      .trim();
    if (text.length > MAX_QUESTION_LENGTH) return { ok: false, error: this.tooLong(text.length) };
    if (!text) return { ok: false, error: { kind: 'empty', suggestions: this.#defaultSuggestions } };
    const fixed = correctDateWords(text, (w) => this.#knows(w));
    // "Why did signups drop last week?": the metric question inside is read like any other.
    const inner = readWhyQuestion(fixed.text);
    if (inner) return asWhyChanged(new Reading(this, inner, ctx, links, fixed.corrections).read(), ctx);
    return (
      this.#slashDayReadings(fixed.text, ctx, links, fixed.corrections) ??
      new Reading(this, fixed.text, ctx, links, fixed.corrections).read()
    );
  }

  /**
   * "11/10" is 10 November to some and 11 October to others: when both are past days and both readings answer,
   * ask which one was meant rather than pick a number for one of them.
   */
  #slashDayReadings(text: string, ctx: ParseContext, links: string[], corrections: string[]): ParseResult | null {
    // Only one such day: "10/1 to 10/15" says its own order.
    const all = [...text.matchAll(SLASH_DAY_IN_TEXT)];
    const m = all.length === 1 ? all[0]! : null;
    if (!m || m[1] === m[2] || +m[1]! > 12 || +m[2]! > 12) return null;
    const today = todayIn(ctx.now, ctx.timezone);
    const year = m[3] ? `/${m[3]}` : '';
    const days = [`${m[1]}/${m[2]}${year}`, `${m[2]}/${m[1]}${year}`].map((d) => {
      try {
        return parseDay(d, today);
      } catch {
        return null;
      }
    });
    if (days.some((d) => !d || d > today)) return null;
    const choices = days.map((d) =>
      new Reading(this, `${text.slice(0, m.index)}${d!.toISODate()}${text.slice(m.index + m[0].length)}`, ctx, links, [
        ...corrections,
      ]).read(),
    );
    const ok = choices.filter((c): c is { ok: true; question: MetricQuestion } => c.ok).map((c) => c.question);
    if (ok.length < 2) return null;
    return { ok: false, error: { kind: 'ask_back', reason: 'two_readings', word: m[0], choices: ok } };
  }

  /** A word that means something to this catalog, or is filler: never read as a typo of a date word. */
  #knows(word: string): boolean {
    return FILLER.has(word) || this.#firstWords.has(word) || this.#metricWords.has(word) || this.#lexicon.has(word);
  }

  /** @internal */ explicitFilters(text: string): ExplicitFilter[] {
    const out: ExplicitFilter[] = [];
    for (const m of text.matchAll(this.#explicitFilter)) {
      const op = m[3]!.toLowerCase();
      const symbolic = /^(!=|<>|==|=|:)$/.test(op);
      if (!symbolic && !m[1]?.toLowerCase().startsWith('where')) continue;
      const dimension = this.#dimensions.find((d) =>
        [d.name, d.name.replace(/_/g, ' '), d.label, ...d.synonyms].some(
          (p) => words(p).join(' ') === words(m[2]!).join(' '),
        ),
      );
      if (!dimension) continue;
      const typed = (m[4] ?? m[5] ?? m[6] ?? m[7]!).trim();
      const known = this.#valuesByDimension.get(dimension.name) ?? [];
      // An alias of several values ("plan = paid") is all of them.
      const aliased = known.filter((v) =>
        (dimension.values[v] ?? []).some((a) => words(a).join(' ') === words(typed).join(' ')),
      );
      const named =
        known.find((v) => v === typed) ?? known.find((v) => v.toLowerCase() === typed.toLowerCase()) ?? aliased[0];
      // A typo of a known value is that value; anything else is no value of the dimension and never a filter
      // (a filter on it would answer an empty number for a question nobody can ask). Before the index has any
      // values for the dimension, the typed value is taken as written (it only ever reaches SQL as a parameter).
      const near =
        named || /\d/.test(typed) ? undefined : known.find((v) => typoSimilarity(norm(typed), norm(v)) >= 0.8);
      // "version = 5.1" covers 5.1.x.
      const prefix = !named && !near && VERSION_TOKEN.test(typed) && known.some((v) => v.startsWith(`${typed}.`));
      const value = named ?? near ?? (known.length === 0 || prefix ? typed : undefined);
      out.push({
        dimension,
        negate: /!=|<>|not|isn/.test(op),
        value: value ?? typed,
        ...(named === aliased[0] && aliased.length > 1 ? { also: aliased.slice(1) } : {}),
        ...(value === undefined ? { unknown: true } : {}),
        ...(near ? { corrected: typed } : {}),
        ...(prefix ? { prefix: true } : {}),
        start: m.index! + (m[1]?.length ?? 0),
        end: m.index! + m[0].length,
      });
    }
    return out;
  }

  /** A question too long to read: refused before any matching work, still with next steps. */
  tooLong(length: number): QuestionError {
    return { kind: 'too_long', length, max: MAX_QUESTION_LENGTH, suggestions: this.#defaultSuggestions };
  }

  // Internal accessors for Reading (same module).
  /** @internal */ lookup(key: string): PhraseEntry | undefined {
    return this.#lexicon.get(key);
  }
  /** @internal */ startsPhrase(word: string): boolean {
    return this.#firstWords.has(word);
  }
  /** @internal */ sourcePhrases(): Array<[string, string[]]> {
    return this.#sourcePhrases;
  }
  /** @internal */ metricWordsOf(metric: Metric): string[] {
    const entry = this.#metricPhrases.find((m) => m.metric === metric);
    return entry ? [...new Set(entry.phrases.flat().flatMap((w) => plural(w)))] : [];
  }
  /** @internal */ isMetricWord(word: string): boolean {
    return this.#metricWords.has(word);
  }
  /** @internal */ fuzzyMetric(query: string[]) {
    return this.#fuzzyMetric(query);
  }
  /** @internal */ valuesOf(dimension: string): string[] {
    return this.#valuesByDimension.get(dimension) ?? [];
  }
  /** @internal */ fuzzyValue(word: string, allowed: Dimension[]): ValueRef | null {
    if (word.length < 4 || /\d/.test(word)) return null;
    let best: { ref: ValueRef; score: number } | null = null;
    for (const [key, refs] of this.#values) {
      if (key.includes(' ') || refs.some((r) => SHORT_CODE.test(r.value) && norm(r.value) === key)) continue;
      const score = typoSimilarity(word, key);
      if (score >= 0.8 && score < 1 && (!best || score > best.score)) {
        const mine = refs.filter((r) => allowed.includes(r.dimension));
        // A near miss of a word for several values ("payed") is not guessed.
        const ref = mine.length === 1 ? mine[0] : undefined;
        if (ref) best = { ref, score };
      }
    }
    return best?.ref ?? null;
  }
  /** @internal */ dimensionNamed(ws: string[], allowed: Dimension[]): Dimension | null {
    const e = this.#lexicon.get(ws.join(' '));
    const exact = e?.dimensions.find((d) => allowed.includes(d));
    if (exact) return exact;
    const q = significant(ws);
    let best: { d: Dimension; score: number } | null = null;
    for (const d of allowed) {
      for (const p of [d.name.replace(/_/g, ' '), d.label, ...d.synonyms].map(words)) {
        const score = tokenScore(q, significant(p));
        if (score >= 0.8 && (!best || score > best.score)) best = { d, score };
      }
    }
    return best?.d ?? null;
  }
  /** @internal */ anyDimensionNamed(ws: string[]): Dimension | null {
    return this.#lexicon.get(ws.join(' '))?.dimensions[0] ?? null;
  }
}

interface ExplicitFilter {
  dimension: Dimension;
  negate: boolean;
  value: string;
  /** The typed value is no value of the dimension: reported, not filtered on. */
  unknown?: boolean;
  /** As typed, when it was read as the known value it nearly spells. */
  corrected?: string;
  /** A version prefix ("5.1" for 5.1.x). */
  prefix?: boolean;
  /** The other values an alias of several stands for. */
  also?: string[];
  start: number;
  end: number;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Spent {
  start: number;
  end: number;
}

interface ComparisonAsk {
  kind: 'previous' | 'year' | 'weekday' | 'explicit' | 'over' | 'shift';
  unit?: RangeUnit;
  range?: TimeRange;
  /** "the 7 days before that": how many units back, when said. */
  count?: number;
  /** "the Friday before": the weekday said (1 = Monday), when it is not the range's own. */
  weekday?: number;
  words: string;
}

const VERSUS = '\\b(?:vs\\.?|versus|compared?\\s+(?:to|with)|against|relative\\s+to)\\s+(?:the\\s+)?';
const UNIT = '(day|week|month|quarter|year)s?';
const comparisonRe = (source: string) => new RegExp(`${VERSUS}(?:${source})\\b`, 'i');

const COMPARISON_RULES: Array<{ re: RegExp; build(m: RegExpExecArray): ComparisonAsk }> = [
  {
    re: /\b(day|week|month|quarter|year)[\s-]+(?:on|over)[\s-]+\1\b|\b([dwmqy])o\2\b|\b([dwmqy])\/\3\b/i,
    build: (m) => {
      const letter: Record<string, RangeUnit> = { d: 'day', w: 'week', m: 'month', q: 'quarter', y: 'year' };
      const unit = (m[1]?.toLowerCase() ?? letter[(m[2] ?? m[3])!.toLowerCase()]) as RangeUnit;
      return { kind: 'over', unit, words: m[0] };
    },
  },
  {
    re: /\b(?:vs\.?|versus|compared?\s+(?:to|with)|against|relative\s+to)\s+(?:the\s+)?same\s+(?:week\s*day|weekday|day(?:\s+of\s+the\s+week)?)\s+(?:a|one|the|of)?\s*(?:week\s+(?:earlier|before|prior|ago)|last\s+week|previous\s+week|prior\s+week|the\s+week\s+before)/i,
    build: (m) => ({ kind: 'weekday', words: m[0] }),
  },
  {
    re: /\b(?:vs\.?|versus|compared?\s+(?:to|with)|against|relative\s+to)\s+(?:the\s+)?(?:same\s+(?:period|time|point|stage|days?|weeks?|months?|quarter|dates?)\s+(?:last|a|the\s+previous|the\s+prior|one|of\s+last|in\s+the\s+previous)\s+year|(?:a|one)\s+year\s+(?:ago|earlier|before)|(?:the\s+)?(?:previous|prior)\s+year|last\s+year)\b/i,
    build: (m) => ({ kind: 'year', words: m[0] }),
  },
  {
    // "vs the Friday before", "compared with the previous Wednesday": that weekday, before the range.
    re: comparisonRe(
      `(?:previous|prior|preceding)\\s+(${WEEKDAY_PATTERN})|(${WEEKDAY_PATTERN})\\s+(?:before|prior|earlier)(?:\\s+(?:that|it))?`,
    ),
    build: (m) => ({ kind: 'weekday', weekday: weekdayIndex((m[1] ?? m[2])!), words: m[0] }),
  },
  {
    // "vs the same point last quarter": the previous calendar unit, like for like while this one is under way.
    re: comparisonRe(
      '(?:same\\s+(?:point|stage|time|period|days?)\\s+(?:in\\s+|of\\s+)?(?:last|previous|prior|the\\s+previous|the\\s+prior)\\s+(week|month|quarter))',
    ),
    build: (m) => ({ kind: 'previous', unit: m[1]!.toLowerCase() as RangeUnit, words: m[0] }),
  },
  {
    // "vs a week ago", "compared with 2 months earlier": the same range moved back (not "the 7 days before that").
    re: new RegExp(
      `\\b(?:vs\\.?|versus|compared?\\s+(?:to|with)|against|relative\\s+to)\\s+${COUNT_PATTERN}\\s+${UNIT}\\s+(?:ago|earlier|before|prior)\\b(?!\\s+(?:that|it|this|then)\\b)`,
      'i',
    ),
    build: (m) => ({
      kind: 'shift',
      count: countOf(m[1]!),
      unit: m[2]!.toLowerCase() as RangeUnit,
      words: m[0],
    }),
  },
  {
    // "vs the previous 4 weeks", "against the 7 days before that": that many units just before the range.
    re: comparisonRe(
      `(?:previous|prior|preceding|last)\\s+${COUNT_PATTERN}(?:\\s+${UNIT})?|${COUNT_PATTERN}\\s+${UNIT}\\s+(?:before|prior|earlier|preceding)(?:\\s+(?:that|it|this|then))?`,
    ),
    build: (m) => {
      const unit = (m[2] ?? m[4])?.toLowerCase() as RangeUnit | undefined;
      // "the last 30 days vs the prior 30": no unit said, so the period before of the range's own length.
      return unit
        ? { kind: 'previous', count: countOf((m[1] ?? m[3])!), unit, words: m[0] }
        : { kind: 'previous', words: m[0] };
    },
  },
  {
    re: /\b(?:vs\.?|versus|compared?\s+(?:to|with)|against|relative\s+to)\s+(?:the\s+)?(?:(?:previous|prior|preceding|last)(?:\s+(period|day|week|month|quarter|year))?|(?:one|period|day|week|month|quarter|year)\s+before|one\s+before\s+(?:it|that)?)\b/i,
    build: (m) => {
      const unit = /\b(day|week|month|quarter|year)\b/i.exec(m[0])?.[1]?.toLowerCase() as RangeUnit | undefined;
      return { kind: 'previous', unit, words: m[0] };
    },
  },
];

/** Words that nearly name a metric: tokens from..to, and how alike. */
interface FuzzyRun {
  score: number;
  from: number;
  to: number;
  metrics: Metric[];
}

/** One reading of one question. */
class Reading {
  readonly #p: QuestionParser;
  readonly #text: string;
  readonly #ctx: ParseContext;
  readonly #spent: Spent[] = [];
  #tokens: Token[] = [];
  readonly #corrections: string[] = [];

  constructor(
    parser: QuestionParser,
    text: string,
    ctx: ParseContext,
    links: string[] = [],
    corrections: string[] = [],
  ) {
    this.#p = parser;
    this.#text = text;
    this.#ctx = ctx;
    this.#extraUnused.push(...links);
    this.#corrections.push(...corrections);
  }

  #spend(start: number, end: number) {
    this.#spent.push({ start, end });
  }

  #masked(): string {
    let out = this.#text;
    for (const s of this.#spent) out = `${out.slice(0, s.start)}${MASK.repeat(s.end - s.start)}${out.slice(s.end)}`;
    return out;
  }

  read(): ParseResult {
    const text = this.#text;
    let definition = DEFINITION.test(text);
    // Greetings and asides carry no part of the question.
    for (const m of text.matchAll(CONVERSATIONAL)) this.#spend(m.index, m.index + m[0].length);

    // 0. Filters written out: "where plan = pro", "country != US", "plan: enterprise".
    this.#explicit = this.#p.explicitFilters(text);
    for (const f of this.#explicit) {
      this.#spend(f.start, f.end);
      // "where" before the filter is part of it.
      const before = text.slice(0, f.start);
      const w = /\bwhere\s+$/i.exec(before);
      if (w) this.#spend(w.index, f.start);
    }

    // Who the number is for ("asking for the IDE team") is context, not a filter or a breakdown.
    for (const m of text.matchAll(AUDIENCE)) this.#spend(m.index, m.index + m[0].length);

    const where = /\bwhere\s+([\p{L}_ -]{1,40}?)\s*(?:!=|<>|==|=|:|\bis\b|\bequals\b)/iu.exec(this.#masked());
    if (where) this.#unknownWhere = where[1]!.trim();

    // 1. Comparisons (before dates: "vs last month" is a comparison, not the range).
    let compareAsk: ComparisonAsk | undefined;
    for (const rule of COMPARISON_RULES) {
      const m = rule.re.exec(text);
      if (m && !compareAsk) {
        compareAsk = rule.build(m);
        this.#spend(m.index, m.index + m[0].length);
      }
    }

    // 2. Dates.
    let ranges: RangeMatch[] = [];
    let rangeError: TimeRangeError | undefined;
    try {
      ranges = scanTimeRanges(
        this.#withoutCodes(this.#masked().split(MASK).join(' ')),
        this.#ctx.now,
        this.#ctx.timezone,
      );
    } catch (error) {
      if (!(error instanceof TimeRangeError)) throw error;
      rangeError = error;
    }
    for (const r of ranges) this.#spend(r.index, r.index + r.matched.length);
    let range = ranges[0];
    // "oct vs sept, mom": two periods named either side of a comparison word are the comparison.
    if (ranges.length >= 2 && (!compareAsk || compareAsk.kind === 'over')) {
      // "October vs September": a comparison word between two ranges.
      const between = text.slice(ranges[0]!.index + ranges[0]!.matched.length, ranges[1]!.index);
      // "september, up or down vs august": the comparison word, wherever it is between them.
      const m = /\b(vs\.?|versus|compared?\s+(?:to|with)|against|relative\s+to)\b/i.exec(between);
      if (m) {
        compareAsk = { kind: 'explicit', range: ranges[1]!.range, words: `${compareAsk?.words ?? ''} ${m[0]}`.trim() };
        const at = ranges[0]!.index + ranges[0]!.matched.length + m.index;
        this.#spend(at, at + m[0].length);
      }
    }

    // 3. Words, and the phrases they make.
    this.#tokenize();
    this.#matchPhrases();
    const tokens = this.#tokens;

    // 4. The metric.
    const metricTokens = tokens.filter((t) => t.role?.kind === 'metric');
    let named = unique(metricTokens.flatMap((t) => (t.role as { metrics: Metric[] }).metrics));
    if (named.length > 1) {
      // A phrase that is both a metric and a value of another named metric's dimension is that value
      // ("trial conversion for self-hosted").
      const replaced = new Map<Role, Role>();
      // A one-word metric name right after a value of another named metric's dimension is that value's noun
      // ("bounce rate for paid traffic", "docs sessions, no direct traffic"): part of the value, not a metric.
      for (const [k, t] of tokens.entries()) {
        const role = t.role;
        const prev = tokens[k - 1]?.role;
        if (role?.kind !== 'metric' || prev?.kind !== 'value' || t.breakBefore) continue;
        if (tokens[k + 1]?.role === role || tokens[k - 1]?.role === role) continue;
        const others = named.filter((m) => !role.metrics.includes(m));
        if (prev.values.some((v) => others.some((m) => m.dimensions.includes(v.dimension.name)))) {
          t.role = { kind: 'used' };
        }
      }
      named = unique(tokens.flatMap((t) => (t.role?.kind === 'metric' ? t.role.metrics : [])));
      for (const t of metricTokens) {
        if (t.role?.kind !== 'metric') continue;
        const role = t.role;
        const others = named.filter((m) => !role.metrics.includes(m));
        const asValue = role.values.filter((v) => others.some((m) => m.dimensions.includes(v.dimension.name)));
        if (others.length === 0 || asValue.length === 0) continue;
        // One role object per phrase, so the phrase is read once.
        if (!replaced.has(role)) replaced.set(role, { kind: 'value', values: asValue });
        t.role = replaced.get(role);
      }
      named = unique(
        tokens.filter((t) => t.role?.kind === 'metric').flatMap((t) => (t.role as { metrics: Metric[] }).metrics),
      );
    }
    if (named.length === 0) {
      // A word read exactly as a value ("paid users") is that value, unless with it the words name a metric
      // at least as well and more fully ("web sesions"). A value alone asks which metric ("how did organic do").
      const plain = this.#fuzzyMetricFromLeftovers(false);
      const withValues = this.#fuzzyMetricFromLeftovers();
      const better =
        plain &&
        withValues &&
        (withValues.score > plain.score + 0.001 ||
          (withValues.score >= plain.score - 0.001 && withValues.to - withValues.from > plain.to - plain.from));
      if (plain) named = this.#readFuzzy(better ? withValues : plain) ?? [];
      else if (!rangeError && !definition) {
        const asked = this.#valueOnly(range, compareAsk);
        if (asked) return asked;
      }
      if (named.length === 0) named = this.#readFuzzy(withValues) ?? [];
    }
    named = this.#qualified(named);

    // Only the thing itself after the article: "what is a good dau number" asks something else.
    definition ||= DEFINITION_BY_ARTICLE.test(text) && ranges.length === 0 && !rangeError && !this.#leftoverText();
    if (definition) {
      if (named.length > 0) return fail({ kind: 'definition', metrics: named.slice(0, 2) });
    }
    if (named.length === 0) {
      const query = this.#leftoverText() || text;
      if (rangeError?.reason === 'future') {
        return fail({ kind: 'future', message: rangeError.message, suggestions: this.#p.closest(query) });
      }
      const asksForNumber = ranges.length > 0 || rangeError !== undefined || QUANTITY.test(text);
      return fail({ kind: 'unknown_metric', query, suggestions: this.#p.closest(query), asksForNumber });
    }
    // "code nav actions per weekly active user": one metric divided by another is a measure the catalog lacks.
    const per = tokens.findIndex((x, i) => x.norm === 'per' && !x.role && tokens[i + 1]?.role?.kind === 'metric');
    const before = tokens.slice(0, Math.max(0, per)).filter((x) => !FILLER.has(x.norm) && x.role?.kind !== 'grain');
    if (per > 0 && before.length > 0 && !definition) {
      const over = tokens[per + 1]!.role;
      const last = tokens.findLastIndex((x) => x.role === over);
      return fail({
        kind: 'derived_measure',
        phrase: text.slice(tokens[per]!.start, tokens[last]!.end),
        metric: named[0],
        // What is counted first (the words before "per"), then the metric it is divided by.
        suggestions: unique([
          ...this.#p.suggest(text.slice(0, tokens[per]!.start), 2),
          ...this.#p.closest(text, named[0]),
        ]).slice(0, 3),
      });
    }
    if (named.length > 1 && !definition) {
      const choices = named.slice(0, 3).map((metric) => this.#build(metric, range, compareAsk, rangeError));
      const ok = choices.filter((c): c is { ok: true; question: MetricQuestion } => c.ok).map((c) => c.question);
      if (ok.length >= 2) {
        return fail({
          kind: 'ask_back',
          reason: 'ambiguous_metric',
          word: named.map((m) => m.label).join(' / '),
          choices: ok,
        });
      }
    }
    if (rangeError) {
      const suggestions = this.#p.closest(text, named[0]);
      return fail(
        rangeError.reason === 'future'
          ? { kind: 'future', message: rangeError.message, suggestions }
          : { kind: 'bad_range', message: rangeError.message, suggestions },
      );
    }
    if (ranges.length >= 2 && compareAsk?.kind !== 'explicit') {
      // A second range that is not a comparison is not silently dropped.
      const extra = ranges.slice(1).filter((r) => compareAsk?.range !== r.range);
      range = ranges[0];
      this.#extraUnused.push(...extra.map((r) => r.matched));
    }
    return this.#build(named[0]!, range, compareAsk);
  }

  readonly #extraUnused: string[] = [];

  /**
   * A value without a metric ("how did organic do last month", "social numbers"): ask back with the metrics that
   * can be cut by it, one reading per dimension in turn, at most four (the buttons an ask-back shows).
   */
  #valueOnly(range: RangeMatch | undefined, compareAsk: ComparisonAsk | undefined): ParseResult | undefined {
    const first = this.#tokens.find((x) => x.role?.kind === 'value');
    if (first?.role?.kind !== 'value') return undefined;
    // Only a value alone: with other words nobody read ("x'); DROP TABLE events"), it is no question about it.
    if (this.#leftoverText()) return undefined;
    const role = first.role;
    const dims = unique(role.values.map((v) => v.dimension));
    const perDimension = dims.map((d) => this.#p.catalog.metrics.filter((m) => m.dimensions.includes(d.name)));
    const choices: MetricQuestion[] = [];
    const tried = new Set<Metric>();
    // The word may also be the start of a metric's name ("docs numbers": docs-site sessions).
    const phrase = this.#tokens.filter((x) => x.role === role);
    const byName = this.#p.fuzzyMetric(phrase.map((x) => x.norm));
    if (byName && byName.tie.length === 1) {
      for (const x of phrase) x.role = { kind: 'metric', metrics: [byName.metric], values: [] };
      const read = this.#build(byName.metric, range, compareAsk);
      for (const x of phrase) x.role = role;
      if (read.ok) choices.push(read.question);
      tried.add(byName.metric);
    }
    for (let k = 0; choices.length < 4 && perDimension.some((ms) => k < ms.length); k++) {
      for (const ms of perDimension) {
        const metric = ms[k];
        if (!metric || tried.has(metric) || choices.length >= 4) continue;
        tried.add(metric);
        const read = this.#build(metric, range, compareAsk);
        if (read.ok) choices.push(read.question);
        // "paid" for sign-ups is itself two readings: both are choices.
        else if (read.error.kind === 'ask_back') choices.push(...read.error.choices.slice(0, 4 - choices.length));
      }
    }
    if (choices.length === 0) return undefined;
    const typed = this.#tokens
      .filter((x) => x.role === role)
      .map((x) => x.raw)
      .join(' ');
    return fail({ kind: 'ask_back', reason: 'ambiguous_metric', word: typed, choices });
  }

  /** A code typed in capitals is a value, never a date word: "from IN last week" is India, not "in last week". */
  #withoutCodes(text: string): string {
    if (!/\p{Ll}/u.test(this.#text)) return text;
    return text.replace(/\b[A-Z]{2,3}\b/g, (code) =>
      this.#p.lookup(norm(code))?.exact?.includes(code) ? '#'.repeat(code.length) : code,
    );
  }

  /**
   * Whether a short code read as a word is the value ("US", "us signups", "signups from de") rather than the
   * everyday word ("get us the numbers", "in October"). Capitals are the code, unless the whole message is
   * shouted; in lower case only where a pronoun or a preposition cannot stand: after "from"/"in", or at the start
   * of a clause right before the metric.
   */
  #codeAt(i: number, code: string): boolean {
    const t = this.#tokens;
    const x = t[i]!;
    if (x.raw === code) return /\p{Ll}/u.test(this.#text);
    if (x.raw !== x.norm) return false;
    const prev = t[i - 1];
    if (prev && !x.breakBefore && ['from', 'in'].includes(prev.norm)) return true;
    const next = t[i + 1];
    // Listed with, or set against, another value of its dimension: "us and canada", "india vs us".
    const dimension = this.#p.lookup(x.norm)?.values.find((v) => v.value === code)?.dimension;
    const valueAt = (from: number, step: 1 | -1) =>
      [1, 2, 3].some((n) => {
        const ws = step === 1 ? t.slice(from, from + n) : t.slice(Math.max(0, from - n + 1), from + 1);
        return (
          ws.length === n &&
          this.#p.lookup(ws.map((w) => w.norm).join(' '))?.values.some((v) => v.dimension === dimension)
        );
      });
    const joiner = (y: Token | undefined) => y !== undefined && /^(?:and|or|vs|versus|against)$/.test(y.norm);
    if (joiner(next) && !next!.breakBefore && valueAt(i + 2, 1)) return true;
    if (joiner(prev) && !x.breakBefore && valueAt(i - 2, -1)) return true;
    const start = (i === 0 || x.breakBefore) && !PREPOSITIONS.has(x.norm);
    return start && next !== undefined && !next.breakBefore && this.#p.isMetricWord(next.norm);
  }
  #explicit: ExplicitFilter[] = [];
  /** "where colour = red": a filter written out on something that is not a dimension the parser knows. */
  #unknownWhere: string | undefined;

  #tokenize() {
    const masked = this.#masked();
    const tokens: Token[] = [];
    let lastEnd = 0;
    for (const m of masked.matchAll(TOKEN_RE)) {
      const start = m.index;
      const between = masked.slice(lastEnd, start);
      tokens.push({
        raw: m[0],
        norm: norm(m[0]),
        start,
        end: start + m[0].length,
        breakBefore: between.includes(MASK) || /[,;:!?()]/.test(between),
      });
      lastEnd = start + m[0].length;
    }
    this.#tokens = tokens;
  }

  /** Longest phrase first, left to right. */
  #matchPhrases() {
    const t = this.#tokens;
    for (let i = 0; i < t.length; i++) {
      if (t[i]!.role) continue;
      if (!this.#p.startsPhrase(t[i]!.norm)) continue;
      for (let n = Math.min(MAX_PHRASE_WORDS, t.length - i); n >= 1; n--) {
        const slice = t.slice(i, i + n);
        if (slice.some((x, k) => x.role || (k > 0 && x.breakBefore))) continue;
        const entry = this.#p.lookup(slice.map((x) => x.norm).join(' '));
        if (!entry) continue;
        const values = entry.values.filter(
          (v) => !entry.exact?.includes(v.value) || !SHORT_CODE.test(v.value) || (n === 1 && this.#codeAt(i, v.value)),
        );
        let role: Role | undefined;
        if (entry.metrics.length > 0) role = { kind: 'metric', metrics: entry.metrics, values };
        else if (values.length > 0) role = { kind: 'value', values };
        else if (entry.dimensions.length > 0) role = { kind: 'dimension', dimension: entry.dimensions[0]! };
        if (!role) continue;
        for (const x of slice) x.role = role;
        // Later tokens of the phrase share the role object; the first carries it for reading.
        i += n - 1;
        break;
      }
    }
    for (const x of t) {
      if (x.role) continue;
      if (GRAIN_ADVERBS[x.norm]) x.role = { kind: 'grain', grain: GRAIN_ADVERBS[x.norm]!, adverb: true };
    }
  }

  /**
   * A word of another metric's name said next to the one named makes that metric ("traffic to the docs site" is
   * Docs site sessions, not Marketing site sessions): together they must be one of its names or synonyms.
   */
  #qualified(named: Metric[]): Metric[] {
    if (named.length !== 1) return named;
    const t = this.#tokens;
    const at = t.findIndex((x) => x.role?.kind === 'metric');
    if (at < 0) return named;
    const role = t[at]!.role;
    let end = at;
    while (end + 1 < t.length && t[end + 1]!.role === role) end++;
    const phrase = t.slice(at, end + 1).map((x) => x.norm);
    for (let i = Math.max(0, at - 4); i < Math.min(t.length, end + 5); i++) {
      const x = t[i]!;
      if (i >= at && i <= end) continue;
      if ((x.role && x.role.kind !== 'value') || FILLER.has(x.norm) || !this.#p.isMetricWord(x.norm)) continue;
      // In one clause, with only filler between ("sessions on the docs site").
      const between = i < at ? t.slice(i + 1, at) : t.slice(end + 1, i);
      if (between.some((y) => y.role || !(FILLER.has(y.norm) || STOP.has(y.norm)))) continue;
      if (t.slice(Math.min(i, at) + 1, Math.max(i, end) + 1).some((y) => y.breakBefore)) continue;
      const other = this.#p.lookup([x.norm, ...phrase].join(' '))?.metrics;
      if (other?.length !== 1 || other[0] === named[0]) continue;
      const qualified: Role = { kind: 'metric', metrics: other, values: [] };
      for (let k = at; k <= end; k++) t[k]!.role = qualified;
      x.role = qualified;
      return other;
    }
    return named;
  }

  #fuzzyMetricFromLeftovers(withValues = true): FuzzyRun | null {
    const t = this.#tokens;
    let best: FuzzyRun | null = null;
    const open = (x: Token) => !x.role || (withValues && x.role.kind === 'value') || x.role.kind === 'grain';
    // Filler that is also a word of some metric's name ("users") takes part in the match.
    const counts = (w: string) => !FILLER.has(w) || this.#p.isMetricWord(w);
    for (let i = 0; i < t.length; i++) {
      if (!open(t[i]!) || !counts(t[i]!.norm)) continue;
      for (let j = i; j < Math.min(t.length, i + 4); j++) {
        if (!open(t[j]!) || (j > i && t[j]!.breakBefore)) break;
        const ws = t
          .slice(i, j + 1)
          .map((x) => x.norm)
          .filter(counts);
        const found = this.#p.fuzzyMetric(ws);
        if (
          found &&
          (!best ||
            found.score > best.score + 0.001 ||
            (found.score >= best.score - 0.001 && j - i > best.to - best.from))
        ) {
          best = { score: found.score, from: i, to: j, metrics: found.tie.length > 1 ? found.tie : [found.metric] };
        }
      }
    }
    return best;
  }

  #readFuzzy(found: FuzzyRun | null): Metric[] | null {
    if (!found) return null;
    const best = this.#activityOfPeople(found);
    const t = this.#tokens;
    const role: Role = { kind: 'metric', metrics: best.metrics, values: [] };
    const typed = this.#text.slice(t[best.from]!.start, t[best.to]!.end);
    for (let k = best.from; k <= best.to; k++) t[k]!.role = role;
    if (best.metrics.length === 1) this.#corrections.push(`read “${typed}” as ${best.metrics[0]!.label}`);
    return best.metrics;
  }

  /**
   * "Active" said of people ("free-tier people were active", "users who were active") names user activity but not
   * its period: the reading is every user-counting metric named with "active" (weekly and daily actives), asked
   * back, never a guess of one, nor instances. A grain word ("weekly", "dau") says which; then this does not apply.
   */
  #activityOfPeople(run: FuzzyRun): FuzzyRun {
    const t = this.#tokens;
    if (!t.slice(run.from, run.to + 1).some((x) => x.norm === 'active')) return run;
    if (!t.some((x) => PEOPLE.has(x.norm)) || t.some((x) => GRAIN_ADVERBS[x.norm] || ACTIVITY_GRAIN.has(x.norm))) {
      return run;
    }
    const counting = (m: Metric) => m.format.unit === 'users';
    if (!run.metrics.some(counting)) return run;
    const actives = this.#p.catalog.metrics.filter((m) => counting(m) && this.#p.metricWordsOf(m).includes('active'));
    return actives.length > 1 ? { ...run, metrics: actives } : run;
  }

  #leftoverText(): string {
    return this.#tokens
      .filter((t) => !t.role && !FILLER.has(t.norm))
      .map((t) => t.raw)
      .join(' ');
  }

  /** Puts the roles together for one metric. */
  #build(
    metric: Metric,
    found: RangeMatch | undefined,
    compareAsk: ComparisonAsk | undefined,
    rangeError?: TimeRangeError,
  ): ParseResult {
    if (rangeError) return fail({ kind: 'bad_range', message: rangeError.message });
    const t = this.#tokens;
    const allowed = metric.dimensions.map((d) => this.#p.catalog.dimension(d)!).filter(Boolean);
    const isMetric = (x: Token | undefined) => x?.role?.kind === 'metric' && x.role.metrics.includes(metric);
    const local: Array<Role | undefined> = t.map((x) => (isMetric(x) ? { kind: 'used' } : x.role));
    const unusedNotes: string[] = [];
    const breakdowns: Dimension[] = [];
    const filters: QueryFilter[] = [];
    let requestedGrain: Grain | undefined;
    let rollup: 'total' | 'average' = metric.rollup;
    let order: MetricQuestion['order'];
    let orderPending: { direction: 'desc' | 'asc'; limit?: number; at: number } | undefined;
    let derived: string | undefined;

    const word = (i: number) => t[i]?.norm ?? '';
    const free = (i: number) => i >= 0 && i < t.length && !local[i];
    const use = (i: number) => {
      if (i < 0 || i >= t.length) return;
      // A phrase is used whole: "deployment type" is one dimension, its "type" is not left over.
      const r = local[i];
      let from = i;
      let to = i;
      while (r && local[from - 1] === r) from--;
      while (r && local[to + 1] === r) to++;
      for (let k = from; k <= to; k++) local[k] = { kind: 'used' };
    };
    const addBreakdown = (d: Dimension, i: number) => {
      if (!allowed.includes(d)) return false;
      if (!breakdowns.includes(d) && breakdowns.length < 2) breakdowns.push(d);
      use(i);
      return true;
    };

    // Grain adverbs and "by/per/each day", and means ("average daily searches", "mean weekly signups").
    for (let i = 0; i < t.length; i++) {
      const r = local[i];
      const w = word(i);
      if (r?.kind === 'grain') {
        requestedGrain = r.grain;
        use(i);
        if (MEAN_WORDS.has(word(i - 1))) {
          rollup = 'average';
          use(i - 1);
        }
        continue;
      }
      if (!r && GRAIN_NOUNS[w] && ['by', 'per', 'each', 'every', 'a'].includes(word(i - 1)) && !t[i]!.breakBefore) {
        requestedGrain = GRAIN_NOUNS[w];
        use(i);
        use(i - 1);
        if (word(i - 2) === 'on' && word(i - 1) === 'a') use(i - 2);
        if ([...MEAN_WORDS].some((m) => this.#text.toLowerCase().includes(m)) && metric.rollup === 'total') {
          rollup = 'average';
        }
      }
    }
    for (let i = 0; i < t.length; i++) {
      if (!MEAN_WORDS.has(word(i)) || !free(i)) continue;
      // A mean of a total metric is per period; of a rate or an already-averaged metric it is the metric itself.
      if (metric.rollup === 'total' && metric.aggregation.type !== 'ratio' && metric.aggregation.type !== 'average') {
        rollup = 'average';
      }
      use(i);
      if (word(i + 1) === 'per' && GRAIN_NOUNS[word(i + 2)]) {
        requestedGrain = GRAIN_NOUNS[word(i + 2)];
        use(i + 1);
        use(i + 2);
      }
      if (word(i + 1) === 'on' && word(i + 2) === 'average') {
        use(i + 1);
        use(i + 2);
      }
    }
    if (rollup === 'average' && metric.rollup === 'total' && !requestedGrain) requestedGrain = metric.default_grain;

    // Order: "top 5 countries", "3 biggest plans", "which client had the fewest searches".
    for (let i = 0; i < t.length; i++) {
      const w = word(i);
      if (!free(i) && !(local[i]?.kind === 'dimension')) continue;
      const direction = MOST.has(w) ? 'desc' : FEWEST.has(w) ? 'asc' : undefined;
      if (!direction || !free(i)) continue;
      let limit: number | undefined;
      const next = Number(word(i + 1));
      const prev = Number(word(i - 1));
      if (Number.isInteger(next) && next > 0 && free(i + 1)) {
        limit = next;
        use(i + 1);
      } else if (Number.isInteger(prev) && prev > 0 && free(i - 1)) {
        limit = prev;
        use(i - 1);
      }
      use(i);
      if (word(i - 1) === 'the' || word(i - 1) === 'had') use(i - 1);
      orderPending = { direction, limit, at: i };
    }
    // "which 3 countries": a count between "which" and the dimension is how many.
    const countBefore = (i: number) => {
      const n = Number(word(i + 1));
      return Number.isInteger(n) && n > 0 && free(i + 1) && local[i + 2]?.kind === 'dimension' ? n : undefined;
    };
    const which = t.findIndex(
      (x, i) => ['which', 'what'].includes(x.norm) && (local[i + 1]?.kind === 'dimension' || countBefore(i)),
    );
    const whichLimit = which >= 0 ? countBefore(which) : undefined;
    if (whichLimit) use(which + 1);

    // Breakdowns: "by plan", "split by source and country", "per country", "for each client", "across regions".
    for (let i = 0; i < t.length; i++) {
      const r = local[i];
      if (r?.kind !== 'dimension') continue;
      const d = r.dimension;
      const before = word(i - 1);
      const intro = BREAKDOWN_INTRO.has(before) || ['by', 'per', 'each'].includes(before);
      // "country x channel": an x between two dimensions joins them like "and".
      const listed = ['and', ',', 'x'].includes(before) || (t[i]!.breakBefore && breakdowns.length > 0);
      const isWhich = i - 1 === which || (whichLimit !== undefined && i - 2 === which);
      const afterOrder = orderPending && orderPending.at < i && i - orderPending.at <= 3;
      if (intro || (listed && breakdowns.length > 0) || isWhich || afterOrder) {
        if (!addBreakdown(d, i)) {
          return fail({ kind: 'disallowed_breakdown', metric, dimension: d, allowed });
        }
        if (intro) {
          use(i - 1);
          if (['split', 'broken', 'grouped', 'group', 'segmented'].includes(word(i - 2))) use(i - 2);
          if ((word(i - 2) === 'down' || word(i - 2) === 'out') && word(i - 3) === 'broken') {
            use(i - 2);
            use(i - 3);
          }
        }
        if (listed) use(i - 1);
        if (isWhich) use(which);
      }
    }
    // "by <metric>" after an order ("top 5 countries by sessions") names what is ranked.
    for (let i = 0; i < t.length; i++) {
      if (word(i) === 'by' && free(i) && isMetric(t[i + 1])) use(i);
    }
    // Unknown words after "by": a fuzzy dimension, or a breakdown the metric does not have.
    for (let i = 0; i < t.length; i++) {
      if (!['by', 'per'].includes(word(i)) || !free(i) || !free(i + 1)) continue;
      if (FILLER.has(word(i + 1)) && word(i + 1) !== 'user' && word(i + 1) !== 'users') continue;
      let j = i + 1;
      while (j + 1 < t.length && free(j + 1) && !FILLER.has(word(j + 1)) && !t[j + 1]!.breakBefore && j - i < 3) j++;
      const ws = t.slice(i + 1, j + 1).map((x) => x.norm);
      const d = this.#p.dimensionNamed(ws, allowed);
      if (d) {
        addBreakdown(d, i);
        for (let k = i + 1; k <= j; k++) use(k);
        this.#corrections.push(`read “${ws.join(' ')}” as ${d.label.toLowerCase()}`);
        continue;
      }
      if (word(i) === 'per' && PER_NOUNS.has(ws[0]!)) {
        derived = `per ${ws[0]}`;
        continue;
      }
      const other = this.#p.anyDimensionNamed(ws);
      if (other) return fail({ kind: 'disallowed_breakdown', metric, dimension: other, allowed });
      if (word(i) === 'by') return fail({ kind: 'unknown_dimension', phrase: ws.join(' '), metric, allowed });
    }
    // "per user" where "user(s)" was read as filler.
    for (let i = 0; i < t.length; i++) {
      if (word(i) === 'per' && PER_NOUNS.has(word(i + 1)) && !GRAIN_NOUNS[word(i + 1)]) derived = `per ${word(i + 1)}`;
    }
    const derivedMatch = DERIVED.exec(this.#text);
    if (derived || derivedMatch) {
      const phrase = derived ?? derivedMatch![0];
      return fail({
        kind: 'derived_measure',
        phrase,
        metric,
        suggestions: this.#p.closest(this.#text, metric),
      });
    }
    if (t.some((x, i) => free(i) && UNDEFINED_MEASURES.has(x.norm))) return this.#anotherMeasure(metric);
    if (orderPending) {
      // "the biggest channel" is one; "the biggest channels" a few.
      const plural = t.slice(orderPending.at + 1, orderPending.at + 4).some((x) => /[a-z]s$/.test(x.norm));
      if (breakdowns.length > 0) {
        order = {
          direction: orderPending.direction,
          limit: orderPending.limit ?? whichLimit ?? (which >= 0 || !plural ? 1 : 5),
        };
      } else unusedNotes.push(t[orderPending.at]!.raw);
    }
    if (which >= 0 && breakdowns.length > 0) {
      use(which);
      if (!order) order = { direction: 'desc', limit: whichLimit ?? 1 };
    }

    // The data source named ("signups from hubspot"): the metric's own source is understood, another is reported.
    for (const [key, phrase] of this.#p.sourcePhrases()) {
      for (let i = 0; i + phrase.length <= t.length; i++) {
        if (!phrase.every((w, k) => free(i + k) && word(i + k) === w)) continue;
        for (let k = 0; k < phrase.length; k++) use(i + k);
        if (key !== metric.source) {
          unusedNotes.push(
            t
              .slice(i, i + phrase.length)
              .map((x) => x.raw)
              .join(' '),
          );
          const own = this.#p.catalog.sources[metric.source]?.label ?? metric.source;
          this.#notes.push(`${metric.label} comes from ${own}, not from that source`);
        }
      }
    }

    // Versions: "on 5.1", "version 5.2.3", "v5".
    const versionDim = allowed.find((d) => d.name === 'version');
    for (let i = 0; i < t.length; i++) {
      if (!free(i) && local[i]?.kind !== 'dimension') continue;
      const w = word(i);
      if (!versionDim || !VERSION_TOKEN.test(w) || !free(i)) continue;
      const v = w.replace(/^v/, '').replace(/\.x$/, '');
      const known = this.#p.valuesOf(versionDim.name);
      const exact = known.includes(v);
      local[i] = { kind: 'value', values: [{ dimension: versionDim, value: v, prefix: !exact }] };
      if (local[i - 1]?.kind === 'dimension') use(i - 1);
    }

    if (this.#unknownWhere) {
      const d = this.#p.anyDimensionNamed(words(this.#unknownWhere));
      if (d) return fail({ kind: 'disallowed_breakdown', metric, dimension: d, allowed });
      return fail({ kind: 'unknown_dimension', phrase: this.#unknownWhere, metric, allowed });
    }
    for (const f of this.#explicit) {
      if (!allowed.includes(f.dimension))
        return fail({ kind: 'disallowed_breakdown', metric, dimension: f.dimension, allowed });
      if (f.unknown) {
        unusedNotes.push(f.value);
        const known = this.#p.valuesOf(f.dimension.name).slice(0, 8);
        this.#notes.push(`${f.dimension.label} has no value “${clip(f.value, 40)}”; known: ${known.join(', ')}`);
        continue;
      }
      if (f.corrected) this.#corrections.push(`read “${f.corrected}” as ${f.dimension.label.toLowerCase()} ${f.value}`);
      if (f.prefix) {
        const covered = this.#p.valuesOf(f.dimension.name).filter((v) => v.startsWith(`${f.value}.`));
        filters.push(
          f.negate
            ? { dimension: f.dimension, op: 'not_in', values: covered }
            : { dimension: f.dimension, op: 'prefix', values: [f.value] },
        );
        continue;
      }
      const op: FilterOp = f.negate ? 'neq' : 'eq';
      const same = filters.find(
        (x) => x.dimension === f.dimension && (x.op === op || x.op === (f.negate ? 'not_in' : 'in')),
      );
      const values = [f.value, ...(f.also ?? [])];
      if (same) same.values.push(...values.filter((v) => !same.values.includes(v)));
      else filters.push({ dimension: f.dimension, op, values });
    }

    const versus = this.#versus(local, allowed);
    // Filters by value, with negation and lists: "without the free tier", "pro or enterprise", "US, DE and FR".
    let negate = false;
    let current: QueryFilter | undefined;
    const asked: Array<{ word: string; negate: boolean; choices: Array<{ dimension: Dimension; values: string[] }> }> =
      [];
    for (let i = 0; i < t.length; i++) {
      const w = word(i);
      if (t[i]!.breakBefore) negate = false;
      // Two-word exceptions: "other than", "leaving out", "apart from", "aside from".
      const pairNegation = NEGATION_PAIRS[w] === word(i + 1) && free(i + 1);
      if (free(i) && (NEGATIONS.has(w) || pairNegation)) {
        negate = true;
        use(i);
        if (pairNegation) use(i + 1);
        // "everyone but free users", "all except enterprise": the whole before the exception is part of it.
        if (EVERYONE.has(word(i - 1)) && free(i - 1)) use(i - 1);
        continue;
      }
      if (w === 'but' && word(i + 1) === 'not') continue;
      const r = local[i];
      if (r?.kind !== 'value') {
        if (free(i) && !FILLER.has(w) && !['or', 'and', 'nor', 'only', 'just'].includes(w)) negate = false;
        continue;
      }
      // Later tokens of the same phrase share the role object.
      if (i > 0 && local[i - 1] === r) continue;
      let j = i;
      while (j + 1 < t.length && local[j + 1] === r) j++;
      const typed = this.#text.slice(t[i]!.start, t[j]!.end);
      const pair = versus.get(i);
      const refs = r.values.filter((v) => (pair ? pair.dimension === v.dimension : allowed.includes(v.dimension)));
      const dims = unique(refs.map((v) => v.dimension));
      if (refs.length === 0 && GENERIC_VALUES.has(typed.toLowerCase())) {
        // An ordinary word that happens to be a value elsewhere ("events"): reported, not refused.
        unusedNotes.push(typed);
        for (let k = i; k <= j; k++) use(k);
        continue;
      }
      if (refs.length === 0) {
        // A value the metric cannot be cut by ("marketing spend in Germany"): no number for another question.
        const ref = r.values[0]!;
        const withIt = this.#p.catalog.metrics.filter((m) => m.dimensions.includes(ref.dimension.name));
        return fail({
          kind: 'disallowed_filter',
          metric,
          dimension: ref.dimension,
          value: ref.value,
          suggestions: [...withIt.slice(0, 2), metric].slice(0, 3),
        });
      }
      for (let k = i; k <= j; k++) use(k);
      // "free tier", "pro plan", "plan: pro": the dimension's own name next to the value is part of it.
      if (local[j + 1]?.kind === 'dimension' && dims.includes((local[j + 1] as { dimension: Dimension }).dimension))
        use(j + 1);
      if (local[i - 1]?.kind === 'dimension' && dims.includes((local[i - 1] as { dimension: Dimension }).dimension))
        use(i - 1);
      const valuesOf = (d: Dimension) => unique(refs.filter((v) => v.dimension === d).map((v) => v.value));
      if (dims.length > 1) {
        asked.push({ word: typed, negate, choices: dims.map((d) => ({ dimension: d, values: valuesOf(d) })) });
        continue;
      }
      const ref = refs[0]!;
      if (pair?.joins && current?.dimension === ref.dimension && (current.op === 'eq' || current.op === 'in')) {
        for (const k of pair.joins) use(k);
        for (const v of valuesOf(ref.dimension)) if (!current.values.includes(v)) current.values.push(v);
        if (!breakdowns.includes(ref.dimension)) addBreakdown(ref.dimension, -1);
        continue;
      }
      if (refs.length > 1) {
        // A word for several values of one dimension ("paying" = pro and enterprise).
        current = { dimension: ref.dimension, op: negate ? 'not_in' : 'in', values: valuesOf(ref.dimension) };
        filters.push(current);
        continue;
      }
      if (ref.prefix && negate) {
        // "not on 5.4": there is no negated prefix, so exclude every known version the prefix covers.
        const covered = this.#p
          .valuesOf(ref.dimension.name)
          .filter((v) => v === ref.value || v.startsWith(`${ref.value}.`));
        current = { dimension: ref.dimension, op: 'not_in', values: covered.length > 0 ? covered : [ref.value] };
        filters.push(current);
        continue;
      }
      const op: FilterOp = ref.prefix ? 'prefix' : negate ? 'neq' : 'eq';
      const joined =
        current &&
        current.dimension === ref.dimension &&
        ['or', 'and', 'nor'].includes(word(i - 1)) &&
        (current.op === 'eq' || current.op === 'in' || current.op === 'neq' || current.op === 'not_in');
      if (joined && current) {
        use(i - 1);
        if (!current.values.includes(ref.value)) current.values.push(ref.value);
        current.op = current.op === 'eq' || current.op === 'in' ? 'in' : 'not_in';
        continue;
      }
      const positive = (o: FilterOp) => o === 'eq' || o === 'in';
      const same = filters.find(
        (f) => f.dimension === ref.dimension && f.op !== 'prefix' && positive(f.op) === positive(op),
      );
      if (same && op !== 'prefix') {
        if (!same.values.includes(ref.value)) same.values.push(ref.value);
        same.op = positive(op) ? 'in' : 'not_in';
        current = same;
        continue;
      }
      current = { dimension: ref.dimension, op, values: [ref.value] };
      filters.push(current);
    }
    for (const f of filters) {
      if (f.op === 'prefix') continue;
      const negative = f.op === 'neq' || f.op === 'not_in';
      f.op = f.values.length > 1 ? (negative ? 'not_in' : 'in') : negative ? 'neq' : 'eq';
    }

    // Near misses among the words left: a typo of a value ("germny").
    for (let i = 0; i < t.length; i++) {
      if (!free(i) || FILLER.has(word(i))) continue;
      const ref = this.#p.fuzzyValue(word(i), allowed);
      if (!ref) continue;
      use(i);
      const negated = NEGATIONS.has(word(i - 1));
      // Listed after other values of its dimension ("outside the UK and germny"): one more of them.
      const listed = ['and', 'or', 'nor'].includes(word(i - 1)) && local[i - 2]?.kind === 'used';
      const same = listed ? filters.find((f) => f.dimension === ref.dimension && f.op !== 'prefix') : undefined;
      if (same) {
        if (!same.values.includes(ref.value)) same.values.push(ref.value);
        same.op = same.op === 'neq' || same.op === 'not_in' ? 'not_in' : 'in';
        use(i - 1);
      } else filters.push({ dimension: ref.dimension, op: negated ? 'neq' : 'eq', values: [ref.value] });
      if (negated) use(i - 1);
      this.#corrections.push(`read “${t[i]!.raw}” as ${ref.dimension.label.toLowerCase()} ${ref.value}`);
    }
    // Dimensions named without a value or an intro ("signups country") are a breakdown.
    for (let i = 0; i < t.length; i++) {
      const r = local[i];
      if (r?.kind !== 'dimension') continue;
      if (i > 0 && local[i - 1] === r) continue;
      if (allowed.includes(r.dimension) && breakdowns.length < 2) addBreakdown(r.dimension, i);
      else {
        unusedNotes.push(t[i]!.raw);
        use(i);
      }
    }
    let j = 0;
    while (j < t.length) {
      if (local[j]?.kind === 'dimension') use(j);
      j++;
    }

    // "monthly active users": another period's actives is another metric, not this one at its own grain.
    const fixed = metric.rollup === 'average' && metric.aggregation.type === 'count_distinct';
    const said = t.findIndex((x) => isMetric(x));
    const adverb = said > 0 ? GRAIN_ADVERBS[word(said - 1)] : undefined;
    if (fixed && adverb && adverb !== metric.default_grain) return this.#anotherMeasure(metric);
    // "extension installs": an unknown word compounded with a one-word synonym names something else.
    const head = t.findIndex((x) => isMetric(x));
    const modifier = head > 0 ? t[head - 1]! : undefined;
    if (
      modifier &&
      free(head - 1) &&
      !t[head]!.breakBefore &&
      !isMetric(t[head + 1]) &&
      /^\p{L}+$/u.test(modifier.norm) &&
      !FILLER.has(modifier.norm) &&
      !NEUTRAL_MODIFIERS.has(modifier.norm) &&
      !this.#p.metricWordsOf(metric).includes(modifier.norm) &&
      ![metric.name.replace(/_/g, ' '), metric.label].flatMap(words).flatMap(plural).includes(t[head]!.norm)
    ) {
      return this.#anotherMeasure(metric);
    }
    if (asked.length > 0) {
      const first = asked[0]!;
      const choices = first.choices.map((choice) => {
        const many = choice.values.length > 1;
        const op: FilterOp = first.negate ? (many ? 'not_in' : 'neq') : many ? 'in' : 'eq';
        const q = this.#finish(metric, found, compareAsk, {
          breakdowns,
          filters: [...filters, { dimension: choice.dimension, op, values: choice.values }],
          requestedGrain,
          rollup,
          order,
          unusedNotes,
          local,
        });
        return q;
      });
      const ok = choices.filter((c): c is { ok: true; question: MetricQuestion } => c.ok).map((c) => c.question);
      if (ok.length >= 2) return fail({ kind: 'ask_back', reason: 'ambiguous_value', word: first.word, choices: ok });
    }
    return this.#finish(metric, found, compareAsk, {
      breakdowns,
      filters,
      requestedGrain,
      rollup,
      order,
      unusedNotes,
      local,
    });
  }

  readonly #notes: string[] = [];

  /**
   * Values set against each other ("jetbrains vs vscode", "paid signups vs organic signups", "india vs the US"):
   * a breakdown over those values. Keyed by the first token of each value phrase of such a pair: the dimension both
   * share, and for the later phrase the words that join it to the earlier one.
   */
  #versus(
    local: Array<Role | undefined>,
    allowed: Dimension[],
  ): Map<number, { dimension: Dimension; joins?: number[] }> {
    const t = this.#tokens;
    const phrases: Array<{ i: number; j: number; dims: Dimension[] }> = [];
    for (let i = 0; i < t.length; i++) {
      const r = local[i];
      if (r?.kind !== 'value' || (i > 0 && local[i - 1] === r)) continue;
      let j = i;
      while (j + 1 < t.length && local[j + 1] === r) j++;
      phrases.push({ i, j, dims: unique(r.values.map((v) => v.dimension).filter((d) => allowed.includes(d))) });
    }
    const out = new Map<number, { dimension: Dimension; joins?: number[] }>();
    for (let k = 1; k < phrases.length; k++) {
      const a = phrases[k - 1]!;
      const b = phrases[k]!;
      const between = Array.from({ length: b.i - a.j - 1 }, (_, n) => a.j + 1 + n);
      const compare = between.filter((x) => COMPARE_WORD.test(t[x]!.norm) && !local[x]);
      // Only the comparison word, its "to"/"with", and words already read (the metric said again) may sit between.
      const others = between.filter((x) => !compare.includes(x) && !local[x] && !FILLER.has(t[x]!.norm));
      const shared = a.dims.filter((d) => b.dims.includes(d));
      if (compare.length === 0 || others.length > 0 || shared.length !== 1) continue;
      const joins = between.filter((x) => !local[x]);
      out.set(a.i, { dimension: shared[0]!, ...out.get(a.i) });
      out.set(b.i, { dimension: shared[0]!, joins });
    }
    return out;
  }

  /** The question names a measure the catalog does not define: the closest metrics, the one named first. */
  #anotherMeasure(metric: Metric): ParseResult {
    return fail({
      kind: 'unknown_metric',
      query: this.#text,
      suggestions: this.#p.closest(this.#text, metric),
      asksForNumber: true,
    });
  }

  #finish(
    metric: Metric,
    found: RangeMatch | undefined,
    compareAsk: ComparisonAsk | undefined,
    parts: {
      breakdowns: Dimension[];
      filters: QueryFilter[];
      requestedGrain?: Grain;
      rollup: 'total' | 'average';
      order?: MetricQuestion['order'];
      unusedNotes: string[];
      local: Array<Role | undefined>;
    },
  ): ParseResult {
    const { now, timezone } = this.#ctx;
    const today = todayIn(now, timezone);
    let range = found?.range;
    let comparison: Comparison | undefined;
    if (compareAsk?.kind === 'over' && !range) {
      // "week on week" alone: the last complete unit against the one before.
      range = lastComplete(1, compareAsk.unit!, now, timezone);
    }
    const defaultRange = !range;
    range ??= lastComplete(metric.default_window.last, metric.default_window.unit, now, timezone);
    if (compareAsk) comparison = comparisonFor(range, compareAsk, today);

    const { grain, note } = chooseGrain(metric, range, parts.requestedGrain, parts.rollup);
    if (spanDays(range) / GRAIN_DAYS[grain] > MAX_POINTS) {
      return fail({
        kind: 'bad_range',
        message: `${range.label} has too many ${grain}s to chart; ask for a coarser grain.`,
        suggestions: this.#p.closest(this.#text, metric),
      });
    }
    // A leftover word that is (a typo of) a word of the metric's own name is part of the name ("bounce rat").
    const own = this.#p.metricWordsOf(metric);
    for (let i = 0; i < this.#tokens.length; i++) {
      const w = this.#tokens[i]!.norm;
      if (parts.local[i] || FILLER.has(w)) continue;
      if (own.some((o) => typoSimilarity(w, o) >= 0.75 || (w.length >= 3 && o.startsWith(w)))) {
        parts.local[i] = { kind: 'used' };
      }
    }
    const unused = this.#unusedPhrases(parts.local, parts.unusedNotes);
    return {
      ok: true,
      question: {
        metric,
        range,
        defaultRange,
        grain,
        ...(note ? { grainNote: note } : {}),
        rollup: parts.rollup,
        breakdowns: parts.breakdowns,
        filters: parts.filters.map((f) => ({ ...f, values: [...f.values] })),
        ...(comparison ? { comparison } : {}),
        ...(parts.order ? { order: parts.order } : {}),
        unused,
        ...(this.#corrections.length > 0 || this.#notes.length > 0
          ? { corrections: [...this.#corrections, ...this.#notes] }
          : {}),
      },
    };
  }

  /** Groups the words left over into phrases as typed, each with the preposition before it ("on mobile"). */
  #unusedPhrases(local: Array<Role | undefined>, notes: string[]): string[] {
    const t = this.#tokens;
    const out: string[] = [];
    let i = 0;
    while (i < t.length) {
      const meaningful = (k: number) =>
        !local[k] && !FILLER.has(t[k]!.norm) && !['or', 'and', 'only', 'just', 'nor'].includes(t[k]!.norm);
      if (!meaningful(i)) {
        i++;
        continue;
      }
      let from = i;
      let to = i;
      while (to + 1 < t.length && meaningful(to + 1) && !t[to + 1]!.breakBefore) to++;
      if (from > 0 && !local[from - 1] && PREPOSITIONS.has(t[from - 1]!.norm) && !t[from]!.breakBefore) from--;
      out.push(this.#text.slice(t[from]!.start, t[to]!.end));
      i = to + 1;
    }
    for (const n of [...notes, ...this.#extraUnused]) if (!out.some((o) => o.includes(n))) out.push(n);
    return out;
  }
}

/** A link's host ("evil.example.com"), or the link itself clipped when it has none. */
function linkHost(url: string): string {
  const host = /^[a-z]+:\/\/([^/?#:@\s]+)/i.exec(url)?.[1] ?? url.replace(/^mailto:/i, '').split('?')[0]!;
  return clip(host, 60);
}

function fail(error: QuestionError): ParseResult {
  return { ok: false, error };
}

/** A change is explained against the comparison asked for, else the period before (calendar units like for like). */
function asWhyChanged(result: ParseResult, ctx: ParseContext): ParseResult {
  const mark = (q: MetricQuestion): MetricQuestion => ({
    ...q,
    intent: 'why_changed',
    comparison: q.comparison ?? comparisonFor(q.range, { kind: 'previous', words: '' }, todayIn(ctx.now, ctx.timezone)),
  });
  if (result.ok) return { ok: true, question: mark(result.question) };
  if (result.error.kind === 'ask_back') return fail({ ...result.error, choices: result.error.choices.map(mark) });
  return result;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

const startOfUnit = (d: DateTime, unit: RangeUnit) => d.startOf(unit, { useLocaleWeeks: false });

/** The period a comparison asks for, relative to the range. */
export function comparisonFor(range: TimeRange, ask: ComparisonAsk, today: DateTime): Comparison {
  const days = spanDays(range);
  const likeForLikeOf = (start: DateTime, unitLength: { [k: string]: number }): Comparison['range'] => {
    const full = start.plus(unitLength);
    const end = range.inProgress ? DateTimeMin(start.plus({ days }), full) : full;
    return { start, end, label: '' };
  };
  if (ask.kind === 'weekday' && ask.weekday && ask.weekday !== range.start.weekday) {
    const start = range.start.minus({ days: (range.start.weekday - ask.weekday + 7) % 7 });
    return {
      kind: 'previous_period',
      likeForLike: false,
      range: labelled({ start, end: start.plus({ days }), label: '' }),
    };
  }
  if (ask.kind === 'shift' && ask.count && ask.unit) {
    const back = { [`${ask.unit}s`]: ask.count };
    const kind: ComparisonKind =
      ask.unit === 'year'
        ? 'previous_year'
        : ask.unit === 'week' && ask.count === 1 && days === 1
          ? 'same_weekday_last_week'
          : 'previous_period';
    return {
      kind,
      likeForLike: Boolean(range.inProgress),
      range: labelled({ start: range.start.minus(back), end: range.end.minus(back), label: '' }),
    };
  }
  if (ask.kind === 'previous' && ask.count && ask.unit) {
    return {
      kind: 'previous_period',
      likeForLike: false,
      range: labelled({ start: range.start.minus({ [`${ask.unit}s`]: ask.count }), end: range.start, label: '' }),
    };
  }
  if (ask.kind === 'weekday') {
    return {
      kind: 'same_weekday_last_week',
      likeForLike: false,
      range: labelled({ start: range.start.minus({ weeks: 1 }), end: range.end.minus({ weeks: 1 }), label: '' }),
    };
  }
  if (ask.kind === 'explicit' && ask.range) {
    const r = ask.range;
    // "Q3 vs Q3 last year": the same period a year earlier.
    const kind: ComparisonKind = +r.start.plus({ years: 1 }) === +range.start ? 'previous_year' : 'previous_calendar';
    // "this month vs last month": an in-progress range against a whole earlier unit compares the same elapsed days.
    if (range.inProgress && range.unit && r.unit === range.unit && !r.inProgress) {
      return {
        kind,
        likeForLike: true,
        range: labelled({ start: r.start, end: DateTimeMin(r.start.plus({ days }), r.end), label: '' }),
      };
    }
    return { kind, likeForLike: false, range: labelled({ ...r }) };
  }
  if (ask.kind === 'year' || (ask.kind === 'over' && ask.unit === 'year' && range.unit !== 'year')) {
    if (range.unit === 'year') {
      const start = range.start.minus({ years: 1 });
      return {
        kind: 'previous_calendar',
        likeForLike: Boolean(range.inProgress),
        range: labelled(likeForLikeOf(start, { years: 1 })),
      };
    }
    return {
      kind: 'previous_year',
      likeForLike: Boolean(range.inProgress),
      range: labelled({ start: range.start.minus({ years: 1 }), end: range.end.minus({ years: 1 }), label: '' }),
    };
  }
  const unit = ask.unit && ask.unit !== ('period' as RangeUnit) ? ask.unit : range.unit;
  if (unit && range.unit === unit && unit !== 'day') {
    const start = startOfUnit(range.start, unit).minus({ [`${unit}s`]: 1 });
    return {
      kind: 'previous_calendar',
      likeForLike: Boolean(range.inProgress),
      range: labelled(likeForLikeOf(start, { [`${unit}s`]: 1 })),
    };
  }
  if (unit === 'day' && days === 1) {
    return { kind: 'previous_period', likeForLike: false, range: labelled(previousRange(range)) };
  }
  void today;
  return { kind: 'previous_period', likeForLike: false, range: labelled(previousRange(range)) };
}

function DateTimeMin(a: DateTime, b: DateTime): DateTime {
  return a < b ? a : b;
}

function labelled(r: TimeRange): TimeRange {
  const last = r.end.minus({ days: 1 });
  r.label = last.equals(r.start) ? r.start.toISODate()! : `${r.start.toISODate()} to ${last.toISODate()}`;
  return r;
}

function spanDays(range: TimeRange): number {
  // Plain milliseconds: luxon's diff is costly on the per-question path, and DST shifts round away.
  return Math.max(1, Math.round((range.end.toMillis() - range.start.toMillis()) / 86_400_000));
}

/**
 * Average-of-periods metrics (weekly/daily actives) have their grain fixed by definition; other metrics take the
 * asked grain, else their default, made finer when the range is too short to show at least two points.
 */
function chooseGrain(
  metric: Metric,
  range: TimeRange,
  requested: Grain | undefined,
  rollup: 'total' | 'average',
): { grain: Grain; note?: string } {
  if (metric.rollup === 'average' && metric.aggregation.type === 'count_distinct') {
    const note =
      requested && requested !== metric.default_grain
        ? `${metric.label} is defined per ${metric.default_grain}, so the series stays ${ADVERB[metric.default_grain]}.`
        : undefined;
    return { grain: metric.default_grain, note };
  }
  if (requested) return { grain: requested };
  let grain = metric.default_grain;
  if (rollup === 'average') return { grain };
  while (grain !== 'day' && spanDays(range) < GRAIN_DAYS[grain] * 2) grain = GRAINS[GRAINS.indexOf(grain) - 1]!;
  return { grain };
}

export { COMPARE_WORD };
