/**
 * The evaluation runner: reads the bank (test/eval/questions.yml), asks every question through the same pipeline
 * as Slack (AskService → parser → metric service on the DuckDB demo data), and compares the interpretation with
 * the bank's expectation, and the number with the bank's hand-written truth SQL. The comparison rules are the ones
 * documented in the bank's header and in the README ("Evaluation").
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Intent } from '../../src/ask/ask-service.js';
import type { Deps } from '../../src/deps.js';
import { errorInterpretation, type Interpretation } from '../../src/queries/interpretation.js';
import type { MetricQuestion } from '../../src/queries/question.js';
import { cannotAnswerMessage } from '../../src/views/ask.js';
import type { Message } from '../../src/views/blocks.js';
import {
  ASK_SUGGESTION_ACTION,
  OPEN_DATA_REQUEST_ACTION,
  questionErrorMessage,
} from '../../src/views/metric-answer.js';
import { TEST_NOW } from '../helpers/harness.js';

export const BANK_FILE = new URL('./questions.yml', import.meta.url).pathname;
/** The pinned clock and zone every entry is read at, unless it says otherwise. */
export const EVAL_NOW = TEST_NOW;
export const EVAL_TZ = 'UTC';

const truthSchema = z
  .object({
    current: z.string().optional(),
    previous: z.string().optional(),
    rows: z.string().optional(),
  })
  .strict();

const entrySchema = z
  .object({
    id: z.string().min(1),
    category: z.string().min(1),
    q: z.string(),
    /** The text is `q` repeated this many times (a pasted log, a 40,000-character message). */
    repeat: z.number().int().min(1).max(100_000).optional(),
    now: z.string().optional(),
    tz: z.string().optional(),
    expect: z.record(z.string(), z.unknown()),
    truth: truthSchema.optional(),
    note: z.string().optional(),
  })
  .strict();

export type BankEntry = Omit<z.infer<typeof entrySchema>, 'repeat'>;

export function loadBank(file = BANK_FILE): BankEntry[] {
  const raw = parseYaml(readFileSync(file, 'utf8'), { maxAliasCount: 100 }) as unknown;
  const list = Array.isArray(raw) ? raw : ((raw as { questions?: unknown[] })?.questions ?? []);
  const entries = list.map((e, i) => {
    const parsed = entrySchema.safeParse(e);
    if (!parsed.success) throw new Error(`bank entry #${i + 1}: ${parsed.error.issues[0]?.message}`);
    const { repeat, ...entry } = parsed.data;
    return repeat ? { ...entry, q: entry.q.repeat(repeat) } : entry;
  });
  const ids = new Set<string>();
  for (const e of entries) {
    if (ids.has(e.id)) throw new Error(`bank entry ${e.id}: duplicate id`);
    ids.add(e.id);
  }
  return entries;
}

type Json = Record<string, unknown>;
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
/** YAML reads 2026-11-16 as a Date; the bank means the calendar day. */
const day = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : str(v));

/** Rows whose dimension is NULL: a negative filter keeps them (`IS DISTINCT FROM`), a positive one never does. */
export const NULL_VALUE = '∅';

/**
 * The values a dimension takes in a metric's own table on the demo data (NULL_VALUE among them when some rows have
 * none); undefined when not known, and then filters are compared as written.
 */
export type DomainOf = (metric: string, dimension: string) => readonly string[] | undefined;

const filterValues = (f: Json) => asList(f.values ?? (f.value !== undefined ? [f.value] : [])).map(str);

/** How a filter is written, for dimensions whose values are not known. */
function writtenKey(f: Json): string {
  const op = str(f.op);
  const negative = op === 'neq' || op === 'not_in';
  return `${op === 'prefix' ? 'prefix' : negative ? 'not' : 'in'} [${filterValues(f).sort().join(', ')}]`;
}

/**
 * The set of values one filter lets through, given the dimension's known values. A value the data does not hold
 * keeps its own marker, so two filters on different unknown values never look alike, and a filter that lets
 * nothing through still differs from no filter at all.
 */
function allowed(f: Json, domain: readonly string[]): Set<string> {
  const values = filterValues(f);
  const known = new Set(domain);
  switch (str(f.op)) {
    case 'neq':
    case 'not_in':
      return new Set([
        ...domain.filter((v) => !values.includes(v)),
        ...values.filter((v) => !known.has(v)).map((v) => `not ${v}`),
      ]);
    case 'prefix': {
      const p = values[0] ?? '';
      const covered = domain.filter((v) => v !== NULL_VALUE && (v === p || v.startsWith(`${p}.`)));
      return new Set(covered.length > 0 ? covered : [`${p}.*`]);
    }
    default:
      return new Set(values);
  }
}

/**
 * Each filtered dimension with what its filters allow: the set of values when the dimension's values are known
 * (so `plan != free`, `plan not in [free]` and `plan in [pro, enterprise]` are one filter), else as written.
 */
export function filterSets(
  filters: unknown[],
  metric: string,
  domainOf: DomainOf = () => undefined,
): Map<string, string> {
  const byDimension = new Map<string, Json[]>();
  for (const f of filters as Json[]) {
    const d = str(f.dimension);
    byDimension.set(d, [...(byDimension.get(d) ?? []), f]);
  }
  const out = new Map<string, string>();
  for (const [dimension, list] of byDimension) {
    const domain = domainOf(metric, dimension);
    if (!domain) {
      out.set(dimension, list.map(writtenKey).sort().join(' and '));
      continue;
    }
    // Several filters on one dimension all apply: what passes is what every one of them lets through.
    const sets = list.map((f) => allowed(f, domain));
    const both = [...sets[0]!].filter((v) => sets.every((s) => s.has(v)));
    out.set(dimension, `∈ {${both.sort().join(', ')}}`);
  }
  return out;
}

/** Differences between two lists of filters, compared by the values they let through. */
export function filterDifferences(
  expected: unknown[],
  actual: unknown[],
  metric: string,
  domainOf?: DomainOf,
): string | null {
  const want = filterSets(expected, metric, domainOf);
  const got = filterSets(actual, metric, domainOf);
  const same = want.size === got.size && [...want].every(([d, set]) => got.get(d) === set);
  if (same) return null;
  const show = (m: Map<string, string>) =>
    [...m]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([d, set]) => `${d} ${set}`)
      .join('; ') || 'none';
  return `filters: expected ${show(want)}, got ${show(got)}`;
}

const overlaps = (a: string, b: string) => {
  const x = a.toLowerCase().trim();
  const y = b.toLowerCase().trim();
  return x.includes(y) || y.includes(x);
};

/** Differences between what the bank expects and what the bot understood; empty when they match. */
export function differences(
  expected: Json,
  actual: Interpretation,
  rollupOf: (metric: string) => string,
  domainOf?: DomainOf,
): string[] {
  const diffs: string[] = [];
  const want = str(expected.intent);
  if (want !== actual.intent) return [`intent: expected ${want}, got ${actual.intent}`];
  switch (actual.intent) {
    case 'metric':
    case 'why_changed': {
      if (str(expected.metric) !== actual.metric)
        diffs.push(`metric: expected ${str(expected.metric)}, got ${actual.metric}`);
      const filters = filterDifferences(asList(expected.filters), actual.filters, actual.metric, domainOf);
      if (filters) diffs.push(filters);
      const eb = asList(expected.breakdown).map(str).sort();
      const ab = [...actual.breakdown].sort();
      if (JSON.stringify(eb) !== JSON.stringify(ab)) diffs.push(`breakdown: expected [${eb}], got [${ab}]`);
      const range = expected.range;
      if (range === undefined || range === 'default') {
        if (!actual.range.default)
          diffs.push(`range: expected the default window, got ${actual.range.start}..${actual.range.end}`);
      } else {
        const r = range as Json;
        if (day(r.start) !== actual.range.start || day(r.end) !== actual.range.end) {
          diffs.push(`range: expected ${day(r.start)}..${day(r.end)}, got ${actual.range.start}..${actual.range.end}`);
        }
      }
      if (expected.grain !== undefined && str(expected.grain) !== actual.grain) {
        diffs.push(`grain: expected ${str(expected.grain)}, got ${actual.grain}`);
      }
      const rollup = expected.rollup !== undefined ? str(expected.rollup) : rollupOf(actual.metric);
      if (rollup !== actual.rollup) diffs.push(`rollup: expected ${rollup}, got ${actual.rollup}`);
      const ec = expected.comparison as Json | null | undefined;
      if (!ec) {
        if (actual.comparison)
          diffs.push(`comparison: expected none, got ${actual.comparison.start}..${actual.comparison.end}`);
      } else if (!actual.comparison) {
        diffs.push('comparison: expected one, got none');
      } else {
        const c = actual.comparison;
        if (day(ec.start) !== c.start || day(ec.end) !== c.end) {
          diffs.push(`comparison: expected ${day(ec.start)}..${day(ec.end)}, got ${c.start}..${c.end}`);
        }
        if (ec.like_for_like !== undefined && Boolean(ec.like_for_like) !== c.like_for_like) {
          diffs.push(`comparison.like_for_like: expected ${Boolean(ec.like_for_like)}, got ${c.like_for_like}`);
        }
        if (ec.kind !== undefined && str(ec.kind) !== c.kind)
          diffs.push(`comparison.kind: expected ${str(ec.kind)}, got ${c.kind}`);
      }
      const eo = expected.order as Json | null | undefined;
      const ao = actual.order;
      if (!eo !== !ao || (eo && ao && (str(eo.direction) !== ao.direction || Number(eo.limit) !== ao.limit))) {
        diffs.push(
          `order: expected ${eo ? `${str(eo.direction)} ${str(eo.limit)}` : 'none'}, got ${ao ? `${ao.direction} ${ao.limit}` : 'none'}`,
        );
      }
      const eu = asList(expected.unused).map(str);
      const au = actual.unused;
      const unmatchedExpected = eu.filter((e) => !au.some((x) => overlaps(e, x)));
      const unmatchedActual = au.filter((x) => !eu.some((e) => overlaps(e, x)));
      if (unmatchedExpected.length > 0 || unmatchedActual.length > 0) {
        diffs.push(`unused: expected [${eu.join(' | ')}], got [${au.join(' | ')}]`);
      }
      return diffs;
    }
    case 'definition': {
      const em = asList(expected.metrics).map(str).sort();
      const am = [...actual.metrics].sort();
      if (JSON.stringify(em) !== JSON.stringify(am)) diffs.push(`metrics: expected [${em}], got [${am}]`);
      return diffs;
    }
    case 'where_is':
      if (expected.topic !== undefined && str(expected.topic) !== str(actual.topic)) {
        diffs.push(`topic: expected ${str(expected.topic)}, got ${str(actual.topic)}`);
      }
      if (expected.metric !== undefined && str(expected.metric) !== str(actual.metric)) {
        diffs.push(`metric: expected ${str(expected.metric)}, got ${str(actual.metric)}`);
      }
      return diffs;
    case 'request':
      return diffs;
    case 'ask_back': {
      if (expected.reason !== undefined && str(expected.reason) !== actual.reason) {
        diffs.push(`reason: expected ${str(expected.reason)}, got ${actual.reason}`);
      }
      for (const choice of asList(expected.choices)) {
        const found = actual.choices.some((c) => differences(choice as Json, c, rollupOf, domainOf).length === 0);
        if (!found) diffs.push(`choices: none matches ${JSON.stringify(choice)}`);
      }
      return diffs;
    }
    case 'refuse': {
      if (expected.reason !== undefined && str(expected.reason) !== actual.reason) {
        diffs.push(`reason: expected ${str(expected.reason)}, got ${actual.reason}`);
      }
      const missing = asList(expected.suggestions)
        .map(str)
        .filter((s) => !actual.suggestions.includes(s));
      if (missing.length > 0)
        diffs.push(`suggestions: missing ${missing.join(', ')} (got ${actual.suggestions.join(', ')})`);
      return diffs;
    }
  }
}

export interface EntryResult {
  entry: BankEntry;
  interpretation: Interpretation;
  diffs: string[];
  /** The bot answered a number for a different question without flagging anything unused. */
  unflagged: boolean;
  /** A refusal that does not offer both the closest metrics and the request button (as read, and as shown). */
  badRefusal: boolean;
  /** Truth-number problems (only checked when the interpretation matched). */
  truth: string[];
  truthChecked: boolean;
  parseMs: number;
}

export interface EvalReport {
  results: EntryResult[];
  total: number;
  exact: number;
  accuracy: number;
  byCategory: Array<{ category: string; total: number; exact: number }>;
  unflagged: EntryResult[];
  badRefusals: EntryResult[];
  truthChecked: number;
  truthMisses: EntryResult[];
}

const close = (a: number | null, b: number | null) =>
  a !== null && b !== null && Math.abs(a - b) <= Math.max(1e-9, 1e-6 * Math.max(Math.abs(a), Math.abs(b)));

async function truthRows(deps: Deps, sql: string): Promise<Json[]> {
  return (await deps.warehouse.query({ sql, params: {} })).rows;
}

async function checkTruth(deps: Deps, entry: BankEntry, question: MetricQuestion): Promise<string[]> {
  const truth = entry.truth!;
  const problems: string[] = [];
  const answer = await deps.metrics.answer(question, { userId: 'eval' });
  if (truth.current) {
    const [row] = await truthRows(deps, truth.current);
    const want = row ? Number(row.value) : null;
    if (!close(want, answer.current)) problems.push(`current: truth ${want}, bot ${answer.current}`);
  }
  if (truth.previous) {
    const [row] = await truthRows(deps, truth.previous);
    const want = row ? Number(row.value) : null;
    if (!close(want, answer.previous)) problems.push(`previous: truth ${want}, bot ${answer.previous}`);
  }
  if (truth.rows) {
    const want = (await truthRows(deps, truth.rows)).map((r) => ({
      key: str(r.key),
      key2: r.key2 === undefined ? undefined : str(r.key2),
      value: r.value === null ? null : Number(r.value),
    }));
    const got = answer.breakdown ?? [];
    const ordered = Boolean(question.order);
    if (want.length !== got.length) problems.push(`rows: truth has ${want.length}, bot ${got.length}`);
    for (const [i, w] of want.entries()) {
      const g = ordered ? got[i] : got.find((x) => x.key === w.key && (w.key2 === undefined || x.key2 === w.key2));
      if (!g || g.key !== w.key || !close(w.value, g.value)) {
        problems.push(
          `row ${i + 1}: truth ${w.key}${w.key2 ? `·${w.key2}` : ''}=${w.value}, bot ${g ? `${g.key}${g.key2 ? `·${g.key2}` : ''}=${g.value}` : 'missing'}`,
        );
      }
    }
  }
  return problems;
}

/**
 * Every dimension's values in each metric's own table, read from the demo warehouse (the data the value index
 * learns from, without its recency window or row cap): one query per table and column. Identifiers come from the
 * catalog, never from the bank.
 */
export async function demoDomains(deps: Pick<Deps, 'catalog' | 'warehouse'>): Promise<DomainOf> {
  const { catalog, warehouse } = deps;
  const byColumn = new Map<string, readonly string[]>();
  const byMetric = new Map<string, string>();
  for (const metric of catalog.metrics) {
    const table = catalog.tableFor(metric, warehouse.kind);
    for (const name of metric.dimensions) {
      const column = catalog.dimension(name)?.column ?? name;
      const key = `${table}|${column}`;
      byMetric.set(`${metric.name}|${name}`, key);
      if (byColumn.has(key)) continue;
      const from = table
        .split('.')
        .map((p) => `"${p}"`)
        .join('.');
      const { rows } = await warehouse.query({
        sql: `SELECT DISTINCT CAST("${column}" AS VARCHAR) AS v FROM ${from}`,
        params: {},
      });
      byColumn.set(
        key,
        rows.map((r) => (r.v === null || r.v === undefined ? NULL_VALUE : String(r.v))),
      );
    }
  }
  return (metric, dimension) => {
    const key = byMetric.get(`${metric}|${dimension}`);
    return key === undefined ? undefined : byColumn.get(key);
  };
}

/**
 * Whether the refusal as Slack shows it (the views the mention handler uses) has a closest-metric button and the
 * request button. An empty message is answered with the help text, not a refusal, so it is judged by its reading.
 */
export function offersNextSteps(deps: Pick<Deps, 'catalog'>, intent: Intent): boolean {
  let message: Message;
  if (intent.kind === 'unknown')
    message = cannotAnswerMessage(intent.text, intent.metrics, intent.topics, deps.catalog);
  else if (intent.kind === 'metric_problem') message = questionErrorMessage(intent.error, intent.text, deps.catalog);
  else return intent.kind === 'empty';
  const ids = JSON.stringify(message.blocks ?? [])
    .match(/"action_id":"[^"]*"/g)
    ?.map((m) => m.slice('"action_id":"'.length, -1));
  return Boolean(
    ids?.some((id) => id.startsWith(`${ASK_SUGGESTION_ACTION}_`)) && ids.includes(OPEN_DATA_REQUEST_ACTION),
  );
}

/** Runs the whole bank. `deps` must be built on the demo data (test/helpers/harness.ts testDeps()). */
export async function runEval(deps: Deps, entries = loadBank(), opts: { truth?: boolean } = {}): Promise<EvalReport> {
  const results: EntryResult[] = [];
  const rollupOf = (name: string) => deps.catalog.metric(name)?.rollup ?? 'total';
  const domainOf = await demoDomains(deps);
  for (const entry of entries) {
    const now = entry.now ? new Date(entry.now) : EVAL_NOW;
    const ctx = { channel: 'eval', threadTs: entry.id, inThread: false, now, timezone: entry.tz ?? EVAL_TZ };
    const started = performance.now();
    const intent = deps.ask.understand(entry.q, ctx);
    const parseMs = performance.now() - started;
    const interpretation = deps.ask.interpret(entry.q, ctx);
    const diffs = differences(entry.expect, interpretation, rollupOf, domainOf);
    const unflagged = diffs.length > 0 && 'unused' in interpretation && interpretation.unused.length === 0;
    const badRefusal =
      interpretation.intent === 'refuse' &&
      (interpretation.suggestions.length === 0 || interpretation.request !== true || !offersNextSteps(deps, intent));
    let truth: string[] = [];
    let truthChecked = false;
    if (opts.truth !== false && entry.truth && diffs.length === 0 && intent.kind === 'metric') {
      truthChecked = true;
      truth = await checkTruth(deps, entry, intent.question).catch((error: Error) => [
        `truth SQL failed: ${error.message}`,
      ]);
    }
    results.push({ entry, interpretation, diffs, unflagged, badRefusal, truth, truthChecked, parseMs });
  }
  const categories = new Map<string, { total: number; exact: number }>();
  for (const r of results) {
    const c = categories.get(r.entry.category) ?? { total: 0, exact: 0 };
    c.total++;
    if (r.diffs.length === 0) c.exact++;
    categories.set(r.entry.category, c);
  }
  const exact = results.filter((r) => r.diffs.length === 0).length;
  return {
    results,
    total: results.length,
    exact,
    accuracy: results.length > 0 ? exact / results.length : 0,
    byCategory: [...categories]
      .map(([category, c]) => ({ category, ...c }))
      .sort((x, y) => x.category.localeCompare(y.category)),
    unflagged: results.filter((r) => r.unflagged),
    badRefusals: results.filter((r) => r.badRefusal),
    truthChecked: results.filter((r) => r.truthChecked).length,
    truthMisses: results.filter((r) => r.truth.length > 0),
  };
}

/** The report as people read it: accuracy per category, then every miss. */
export function formatReport(report: EvalReport): string {
  const pct = (n: number, d: number) => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)}%`);
  const lines = [
    `Evaluation bank: ${report.total} questions, ${report.exact} interpreted exactly (${pct(report.exact, report.total)})`,
    '',
    'Category                 exact / total   accuracy',
    ...report.byCategory.map(
      (c) =>
        `${c.category.padEnd(24)} ${String(c.exact).padStart(5)} / ${String(c.total).padEnd(5)}   ${pct(c.exact, c.total).padStart(7)}`,
    ),
    '',
    `Unflagged differences (a number for another question, nothing reported unused): ${report.unflagged.length}`,
    `Refusals without closest metrics + request button: ${report.badRefusals.length}`,
    `Truth numbers checked: ${report.truthChecked}, wrong: ${report.truthMisses.length}`,
  ];
  const misses = report.results.filter((r) => r.diffs.length > 0 || r.truth.length > 0 || r.badRefusal);
  if (misses.length > 0) {
    lines.push('', `Misses (${misses.length}):`);
    for (const r of misses) {
      const flags = [r.unflagged ? 'UNFLAGGED' : '', r.badRefusal ? 'BAD REFUSAL' : ''].filter(Boolean).join(' ');
      lines.push(`  ✗ [${r.entry.id}] (${r.entry.category}) "${shown(r.entry.q)}"${flags ? `  ${flags}` : ''}`);
      for (const d of [...r.diffs, ...r.truth]) lines.push(`      ${d}`);
    }
  }
  lines.push('', summaryLine(report));
  return lines.join('\n');
}

/** A very long question (a `repeat:` entry) is shown by its start and its length. */
function shown(q: string): string {
  return q.length > 160 ? `${q.slice(0, 80)}… (${q.length.toLocaleString('en-US')} characters)` : q;
}

/** The whole result on one line, to be quoted. */
export function summaryLine(report: EvalReport): string {
  const pct = report.total === 0 ? '–' : `${(100 * report.accuracy).toFixed(1)}%`;
  const truthRight = report.truthChecked - report.truthMisses.length;
  return [
    `Summary: ${report.exact}/${report.total} exact (${pct})`,
    `unflagged differences ${report.unflagged.length}`,
    `refusals without closest metrics + request button ${report.badRefusals.length}`,
    `truth numbers ${truthRight}/${report.truthChecked} correct`,
  ].join(' · ');
}

export { errorInterpretation };
