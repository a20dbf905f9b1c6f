/**
 * The metric compiler end to end on real embedded DuckDB (demo data generated at TEST_NOW, asked at TEST_NOW):
 * every shipped metric runs, several answers are checked against hand-written SQL over the demo schema, user values
 * only ever travel as parameters, and the BigQuery text has the expected shape.
 *
 * The expected SQL below is written from the dataset's columns (demo-dataset.ts), not from compile.ts: literal
 * bounds, AT TIME ZONE for local days, date_trunc('week') for Monday weeks.
 */

import { createLogger } from '../../src/logger.js';
import type { Dimension, Metric } from '../../src/queries/catalog.js';
import { compileMetricQuery } from '../../src/queries/compile.js';
import { createMetricService, type MetricAnswer, type SeriesPoint } from '../../src/queries/metric-service.js';
import { type MetricQuestion, QuestionParser } from '../../src/queries/question.js';
import type { CompiledQuery, Dialect, Warehouse } from '../../src/queries/warehouse.js';
import { createTelemetry } from '../../src/telemetry.js';
import { demoWarehouse, shippedCatalog, TEST_NOW } from '../helpers/harness.js';

type Row = Record<string, unknown>;

const catalog = shippedCatalog();
const parser = new QuestionParser(catalog);
const ZONES = ['UTC', 'America/New_York'] as const;
const HOSTILE = "x'); DROP TABLE events; --";

let warehouse: Warehouse;
let service: ReturnType<typeof createMetricService>;

beforeAll(async () => {
  warehouse = await demoWarehouse();
  service = createMetricService({
    catalog,
    warehouse,
    telemetry: createTelemetry({ defaultMetrics: false }),
    logger: createLogger({ level: 'silent' }),
    ttlMs: 0, // no answer cache: every test runs its own query
    clock: () => TEST_NOW,
  });
});

afterAll(async () => {
  await warehouse?.close();
});

function dimension(name: string): Dimension {
  const d = catalog.dimension(name);
  if (!d) throw new Error(`dimension ${name} is not in the shipped catalog`);
  return d;
}

function ask(text: string, timezone = 'UTC'): MetricQuestion {
  const result = parser.parse(text, { now: TEST_NOW, timezone });
  if (!result.ok) throw new Error(`could not parse ${JSON.stringify(text)}: ${result.error.kind}`);
  return result.question;
}

function answer(question: MetricQuestion): Promise<MetricAnswer> {
  return service.answer(question, { userId: 'U0TEST', channelId: 'C0LOCAL' });
}

/** Hand-written SQL, no parameters. */
async function hand(sql: string): Promise<Row[]> {
  return (await warehouse.query({ sql, params: {} })).rows;
}

async function handValue(sql: string): Promise<number | null> {
  const [row] = await hand(sql);
  if (!row) throw new Error(`no rows for ${sql}`);
  return row.value === null ? null : Number(row.value);
}

/** Rows of (bucket, value), bucket a DATE. */
function expectSeries(actual: SeriesPoint[], expected: Row[]): void {
  expect(actual.map((p) => p.bucket)).toEqual(expected.map((r) => String(r.bucket)));
  actual.forEach((point, i) => {
    expect(point.value).not.toBeNull();
    expect(point.value).toBeCloseTo(Number(expected[i]!.value), 6);
  });
}

/** Rows of (dim, value). */
function expectBreakdown(actual: MetricAnswer['breakdown'], expected: Row[]): void {
  expect(actual).toBeDefined();
  const got = new Map(actual!.map((b) => [b.key, b.value]));
  expect([...got.keys()].sort()).toEqual(expected.map((r) => String(r.dim)).sort());
  for (const row of expected) expect(got.get(String(row.dim))).toBeCloseTo(Number(row.value), 6);
}

const mean = (rows: Row[]) => rows.reduce((sum, r) => sum + Number(r.value), 0) / rows.length;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `$name` (DuckDB) or `@name` (BigQuery) placeholders in SQL text. */
function placeholders(sql: string, dialect: Dialect): Set<string> {
  const re = dialect === 'bigquery' ? /@([A-Za-z_][A-Za-z0-9_]*)/g : /\$([A-Za-z_][A-Za-z0-9_]*)/g;
  return new Set([...sql.matchAll(re)].map((m) => m[1]!));
}

/** A question exercising every kind of parameter: catalog filters, a breakdown and a user filter. */
function fullQuestion(m: Metric, timezone = 'UTC'): MetricQuestion {
  const base = ask(m.label, timezone);
  const dims = m.dimensions.map(dimension);
  return {
    ...base,
    breakdowns: [dims[0]!],
    filters: [{ dimension: dims.at(-1)!, op: 'eq', values: ['some value'] }],
  };
}

// ─── 1. Every shipped metric runs ─────────────────────────────────────────────────────────────────────────────────

describe.each(ZONES)('every shipped metric on DuckDB, asked in %s', (zone) => {
  const cases = catalog.metrics.flatMap((m) => [
    { m, text: m.label, breakdown: undefined as string | undefined },
    ...m.dimensions.map((d) => ({ m, text: `${m.label} by ${dimension(d).label}`, breakdown: d })),
  ]);

  it.each(cases)('$text', async ({ m, text, breakdown }) => {
    const question = ask(text, zone);
    expect(question.metric.name).toBe(m.name);
    expect(question.defaultRange).toBe(true);
    expect(question.breakdowns[0]?.name).toBe(breakdown);
    expect(question.range.start.zoneName).toBe(zone);

    const a = await answer(question);
    expect(a.warehouse).toBe('duckdb');
    expect(a.current).not.toBeNull();
    expect(Number.isFinite(a.current)).toBe(true);
    expect(a.series.length).toBeGreaterThan(0);
    const buckets = a.series.map((p) => p.bucket);
    expect(new Set(buckets).size).toBe(buckets.length);
    for (const p of a.series) {
      expect(p.bucket).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      // A bucket is the start of its period: never after the range's last local day.
      expect(p.bucket < question.range.end.toISODate()!).toBe(true);
      expect(Number.isFinite(p.value)).toBe(true);
    }
    if (m.aggregation.type === 'ratio') {
      expect(a.current).toBeGreaterThanOrEqual(0);
      expect(a.current).toBeLessThanOrEqual(1);
    }
    // Additive metrics: the series and the breakdown both add up to the headline.
    const additive = m.rollup === 'total' && (m.aggregation.type === 'count' || m.aggregation.type === 'sum');
    if (additive) {
      expect(a.series.reduce((s, p) => s + p.value!, 0)).toBeCloseTo(a.current!, 4);
    }
    if (breakdown) {
      expect(a.breakdown?.length).toBeGreaterThan(0);
      for (const b of a.breakdown!) expect(Number.isFinite(b.value)).toBe(true);
      if (additive) expect(a.breakdown!.reduce((s, b) => s + b.value!, 0)).toBeCloseTo(a.current!, 4);
    } else {
      expect(a.breakdown).toBeUndefined();
    }
  });
});

// ─── 2. Answers match hand-written SQL ───────────────────────────────────────────────────────────────────────────

describe('answers match hand-written SQL on the same DuckDB', () => {
  it('searches, last 14 days by plan (UTC): total, previous, daily series and breakdown', async () => {
    const question = ask('searches by plan');
    expect(question.range.start.toISO()).toBe('2026-11-15T00:00:00.000Z');
    expect(question.range.end.toISO()).toBe('2026-11-29T00:00:00.000Z');
    expect(question.grain).toBe('day');
    const a = await answer(question);

    const inRange = `event_name = 'search'
      AND occurred_at >= TIMESTAMPTZ '2026-11-15 00:00:00+00' AND occurred_at < TIMESTAMPTZ '2026-11-29 00:00:00+00'`;
    const inPrevious = `event_name = 'search'
      AND occurred_at >= TIMESTAMPTZ '2026-11-01 00:00:00+00' AND occurred_at < TIMESTAMPTZ '2026-11-15 00:00:00+00'`;
    const current = await handValue(`SELECT count(*) AS value FROM events WHERE ${inRange}`);
    const previous = await handValue(`SELECT count(*) AS value FROM events WHERE ${inPrevious}`);
    expect(current).toBeGreaterThan(0);
    expect(a.current).toBe(current);
    expect(a.previous).toBe(previous);
    expect(a.change).toBeCloseTo((current! - previous!) / previous!, 10);

    const daily = (where: string) =>
      hand(`SELECT CAST(occurred_at AT TIME ZONE 'UTC' AS DATE) AS bucket, count(*) AS value
        FROM events WHERE ${where} GROUP BY bucket ORDER BY bucket`);
    const series = await daily(inRange);
    expect(series).toHaveLength(14);
    expectSeries(a.series, series);
    expectSeries(a.previousSeries, await daily(inPrevious));
    expectBreakdown(
      a.breakdown,
      await hand(`SELECT plan AS dim, count(*) AS value FROM events WHERE ${inRange} GROUP BY plan`),
    );
  });

  it('searches, last 14 days in America/New_York: local-midnight bounds, across the DST change on Nov 1', async () => {
    const question = ask('searches', 'America/New_York');
    const a = await answer(question);
    // EST (UTC-5) after 2026-11-01 02:00 local, EDT (UTC-4) before it.
    const inRange = `event_name = 'search'
      AND occurred_at >= TIMESTAMPTZ '2026-11-15 05:00:00+00' AND occurred_at < TIMESTAMPTZ '2026-11-29 05:00:00+00'`;
    const inPrevious = `event_name = 'search'
      AND occurred_at >= TIMESTAMPTZ '2026-11-01 04:00:00+00' AND occurred_at < TIMESTAMPTZ '2026-11-15 05:00:00+00'`;
    expect(a.current).toBe(await handValue(`SELECT count(*) AS value FROM events WHERE ${inRange}`));
    expect(a.previous).toBe(await handValue(`SELECT count(*) AS value FROM events WHERE ${inPrevious}`));
    const daily = (where: string) =>
      hand(`SELECT CAST(occurred_at AT TIME ZONE 'America/New_York' AS DATE) AS bucket, count(*) AS value
        FROM events WHERE ${where} GROUP BY bucket ORDER BY bucket`);
    const series = await daily(inRange);
    expect(series.map((r) => r.bucket)).toEqual(
      Array.from({ length: 14 }, (_, i) => `2026-11-${String(15 + i).padStart(2, '0')}`),
    );
    expectSeries(a.series, series);
    const previousSeries = await daily(inPrevious);
    expect(previousSeries[0]!.bucket).toBe('2026-11-01');
    expectSeries(a.previousSeries, previousSeries);
    // The zone matters: the UTC answer counts a different set of events.
    expect(a.current).not.toBe((await answer(ask('searches'))).current);
  });

  it('searches where plan = pro: the user filter is applied as a bound value', async () => {
    const question = ask('searches where plan = pro');
    expect(question.filters).toMatchObject([{ dimension: { name: 'plan' }, op: 'eq', values: ['pro'] }]);
    const a = await answer(question);
    expect(a.current).toBe(
      await handValue(`SELECT count(*) AS value FROM events WHERE event_name = 'search' AND plan = 'pro'
        AND occurred_at >= TIMESTAMPTZ '2026-11-15 00:00:00+00' AND occurred_at < TIMESTAMPTZ '2026-11-29 00:00:00+00'`),
    );
  });

  it('weekly_active_users, last 4 weeks: the average over 4 Monday weeks of distinct users', async () => {
    const question = ask('weekly active users');
    expect(question.grain).toBe('week');
    const a = await answer(question);
    const weekly = (from: string, to: string) =>
      hand(`SELECT CAST(date_trunc('week', occurred_at AT TIME ZONE 'UTC') AS DATE) AS bucket,
          count(DISTINCT user_id) AS value
        FROM events WHERE occurred_at >= TIMESTAMPTZ '${from} 00:00:00+00' AND occurred_at < TIMESTAMPTZ '${to} 00:00:00+00'
        GROUP BY bucket ORDER BY bucket`);
    const weeks = await weekly('2026-10-26', '2026-11-23');
    expect(weeks.map((r) => r.bucket)).toEqual(['2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16']);
    const previousWeeks = await weekly('2026-09-28', '2026-10-26');
    expect(previousWeeks).toHaveLength(4);
    expectSeries(a.series, weeks);
    expectSeries(a.previousSeries, previousWeeks);
    expect(a.current).toBeCloseTo(mean(weeks), 6);
    expect(a.previous).toBeCloseTo(mean(previousWeeks), 6);
  });

  it('daily_active_users, last 14 days: the average over 14 days of distinct users', async () => {
    const a = await answer(ask('daily active users'));
    const days =
      await hand(`SELECT CAST(occurred_at AT TIME ZONE 'UTC' AS DATE) AS bucket, count(DISTINCT user_id) AS value
      FROM events
      WHERE occurred_at >= TIMESTAMPTZ '2026-11-15 00:00:00+00' AND occurred_at < TIMESTAMPTZ '2026-11-29 00:00:00+00'
      GROUP BY bucket ORDER BY bucket`);
    expect(days).toHaveLength(14);
    expectSeries(a.series, days);
    expect(a.current).toBeCloseTo(mean(days), 6);
  });

  it('trial_conversion_rate, last quarter by plan: converted / all trials started in the range', async () => {
    const question = ask('trial-to-paid conversion by plan');
    expect(question.range.label).toBe('last quarter');
    expect(question.range.start.toISODate()).toBe('2026-07-01');
    expect(question.range.end.toISODate()).toBe('2026-10-01');
    expect(question.grain).toBe('month');
    const a = await answer(question);

    const inRange = `started_at >= TIMESTAMPTZ '2026-07-01 00:00:00+00' AND started_at < TIMESTAMPTZ '2026-10-01 00:00:00+00'`;
    const rate = 'count(*) FILTER (WHERE converted)::DOUBLE / count(*)';
    const current = await handValue(`SELECT ${rate} AS value FROM trials WHERE ${inRange}`);
    expect(current).toBeGreaterThan(0);
    expect(current).toBeLessThan(1);
    expect(a.current).toBeCloseTo(current!, 10);
    // The previous quarter (92 days before July 1) mostly predates the demo data, which starts on June 1: its rate
    // comes from June's trials alone.
    const inPrevious = `started_at >= TIMESTAMPTZ '2026-03-31 00:00:00+00' AND started_at < TIMESTAMPTZ '2026-07-01 00:00:00+00'`;
    expect(
      await handValue(`SELECT count(*) AS value FROM trials WHERE ${inPrevious} AND started_at < DATE '2026-06-01'`),
    ).toBe(0);
    expect(a.previous).toBeCloseTo((await handValue(`SELECT ${rate} AS value FROM trials WHERE ${inPrevious}`))!, 10);

    const monthly = await hand(`SELECT CAST(date_trunc('month', started_at AT TIME ZONE 'UTC') AS DATE) AS bucket,
        ${rate} AS value
      FROM trials WHERE ${inRange} GROUP BY bucket ORDER BY bucket`);
    expect(monthly.map((r) => r.bucket)).toEqual(['2026-07-01', '2026-08-01', '2026-09-01']);
    expectSeries(a.series, monthly);
    expectBreakdown(
      a.breakdown,
      await hand(`SELECT plan AS dim, ${rate} AS value FROM trials WHERE ${inRange} GROUP BY plan`),
    );
  });

  it('marketing_spend, last month by channel: SUM(amount_usd) on the date column, weekly series', async () => {
    const question = ask('marketing spend by channel');
    expect(question.range.start.toISODate()).toBe('2026-10-01');
    expect(question.range.end.toISODate()).toBe('2026-11-01');
    const a = await answer(question);

    const inRange = `spend_date >= DATE '2026-10-01' AND spend_date < DATE '2026-11-01'`;
    const inPrevious = `spend_date >= DATE '2026-08-31' AND spend_date < DATE '2026-10-01'`; // the 31 days before
    const current = await handValue(`SELECT sum(amount_usd) AS value FROM marketing_spend WHERE ${inRange}`);
    expect(current).toBeGreaterThan(0);
    expect(a.current).toBeCloseTo(current!, 6);
    expect(a.previous).toBeCloseTo(
      (await handValue(`SELECT sum(amount_usd) AS value FROM marketing_spend WHERE ${inPrevious}`))!,
      6,
    );
    const weekly = (where: string) =>
      hand(`SELECT CAST(date_trunc('week', spend_date) AS DATE) AS bucket, sum(amount_usd) AS value
        FROM marketing_spend WHERE ${where} GROUP BY bucket ORDER BY bucket`);
    const series = await weekly(inRange);
    // Thursday Oct 1 falls in the week of Monday Sep 28; the last week (Oct 26) is cut short at Oct 31.
    expect(series.map((r) => r.bucket)).toEqual(['2026-09-28', '2026-10-05', '2026-10-12', '2026-10-19', '2026-10-26']);
    expectSeries(a.series, series);
    expectSeries(a.previousSeries, await weekly(inPrevious));
    const byChannel = await hand(
      `SELECT channel AS dim, sum(amount_usd) AS value FROM marketing_spend WHERE ${inRange} GROUP BY channel`,
    );
    expect(byChannel).toHaveLength(4);
    expectBreakdown(a.breakdown, byChannel);
    // The date-typed metric is zone independent.
    expect((await answer(ask('marketing spend by channel', 'America/New_York'))).current).toBeCloseTo(current!, 6);
  });

  it('signups, last 4 weeks: current and previous-period totals and weekly series', async () => {
    const a = await answer(ask('new sign-ups vs previous period'));
    const total = (from: string, to: string) =>
      handValue(`SELECT count(*) AS value FROM signups
        WHERE signed_up_at >= TIMESTAMPTZ '${from} 00:00:00+00' AND signed_up_at < TIMESTAMPTZ '${to} 00:00:00+00'`);
    const current = await total('2026-10-26', '2026-11-23');
    const previous = await total('2026-09-28', '2026-10-26');
    expect(previous).toBeGreaterThan(0);
    expect(a.current).toBe(current);
    expect(a.previous).toBe(previous);
    expect(a.change).toBeCloseTo((current! - previous!) / previous!, 10);
    const weekly = await hand(`SELECT CAST(date_trunc('week', signed_up_at AT TIME ZONE 'UTC') AS DATE) AS bucket,
        count(*) AS value
      FROM signups
      WHERE signed_up_at >= TIMESTAMPTZ '2026-09-28 00:00:00+00' AND signed_up_at < TIMESTAMPTZ '2026-10-26 00:00:00+00'
      GROUP BY bucket ORDER BY bucket`);
    expectSeries(a.previousSeries, weekly);
  });

  /*
   * Metrics whose headline is the average of per-period values (rollup: average — weekly_active_users,
   * daily_active_users, active_instances) break down the same way: each segment is the average of its per-period
   * distinct counts, not a distinct count over the whole range (which would make 4-week actives per plan add up to
   * far more than the weekly headline).
   */
  it('weekly_active_users by plan: each plan is the average of its weekly distinct users', async () => {
    const a = await answer(ask('weekly active users by plan'));
    const perPlan = await hand(`SELECT plan AS dim, avg(n) AS value FROM (
        SELECT plan, date_trunc('week', occurred_at AT TIME ZONE 'UTC') AS week, count(DISTINCT user_id) AS n
        FROM events
        WHERE occurred_at >= TIMESTAMPTZ '2026-10-26 00:00:00+00' AND occurred_at < TIMESTAMPTZ '2026-11-23 00:00:00+00'
        GROUP BY plan, week
      ) GROUP BY plan`);
    expectBreakdown(a.breakdown, perPlan);
  });
});

// ─── 3. Parameters ───────────────────────────────────────────────────────────────────────────────────────────────

describe('user and catalog values only travel as parameters', () => {
  const hostileText = `searches where plan = "${HOSTILE}" by client`;

  it('a hostile filter value stays in params, matches nothing, and drops nothing', async () => {
    // Typed, it is no plan and is reported instead of filtered on; a button value can still carry one.
    expect(ask(hostileText).filters).toEqual([]);
    expect(ask(hostileText).unused).toEqual([HOSTILE]);
    const parsed = ask('searches where plan = pro by client');
    const question = { ...parsed, filters: [{ ...parsed.filters[0]!, values: [HOSTILE] }] };
    expect(question.filters).toMatchObject([{ dimension: { name: 'plan' }, values: [HOSTILE] }]);
    expect(question.breakdowns[0]?.name).toBe('client');
    const eventsBefore = await handValue('SELECT count(*) AS value FROM events');
    expect(eventsBefore).toBeGreaterThan(0);

    for (const dialect of ['duckdb', 'bigquery'] as const) {
      const { sql, params } = compileMetricQuery(catalog, question, dialect);
      expect(sql).not.toContain(HOSTILE);
      expect(sql).not.toMatch(/DROP|--|;/);
      const carrying = Object.values(params).filter((p) => p.value === HOSTILE);
      expect(carrying).toEqual([{ type: 'STRING', value: HOSTILE }]);
    }

    const compiled = compileMetricQuery(catalog, question, 'duckdb');
    const { rows } = await warehouse.query(compiled);
    expect(rows).toEqual([]);
    const a = await answer(question);
    expect(a.current).toBeNull();
    expect(a.series).toEqual([]);
    expect(a.breakdown).toEqual([]);

    expect(await handValue('SELECT count(*) AS value FROM events')).toBe(eventsBefore);
    expect(await handValue(`SELECT count(*) AS value FROM information_schema.tables WHERE table_name = 'events'`)).toBe(
      1,
    );
  });

  const full = catalog.metrics.map((m) => ({ name: m.name, m }));

  it.each(full)('$name: the SQL holds no literal values, only the fixed row tags', ({ m }) => {
    const allowed = new Set(["'series'", "'total'", "'breakdown'", "'current'", "'previous'"]);
    const question = fullQuestion(m);
    for (const dialect of ['duckdb', 'bigquery'] as const) {
      const { sql } = compileMetricQuery(catalog, question, dialect);
      const literals = [...sql.matchAll(/'[^']*'/g)].map((x) => x[0]).filter((l) => !allowed.has(l));
      if (dialect === 'duckdb' && question.grain !== 'day') {
        // DuckDB's date_trunc takes the grain as a string literal; it comes from the closed GRAINS list.
        expect(literals.length).toBeGreaterThan(0);
        expect(new Set(literals)).toEqual(new Set([`'${question.grain}'`]));
      } else {
        expect(literals).toEqual([]);
      }
      expect(sql).not.toContain('some value');
      for (const f of [...m.filters, ...(m.aggregation.type === 'ratio' ? m.aggregation.numerator.filters : [])]) {
        if ('value' in f && typeof f.value === 'string') expect(sql).not.toContain(f.value);
      }
    }
  });

  it.each(full)('$name: every placeholder has a param (DuckDB), every param is used (BigQuery)', ({ m }) => {
    const question = fullQuestion(m);
    const duck = compileMetricQuery(catalog, question, 'duckdb');
    const duckNames = placeholders(duck.sql, 'duckdb');
    expect(duckNames.size).toBeGreaterThan(0);
    for (const name of duckNames) expect(Object.keys(duck.params)).toContain(name);
    expect(duck.sql).not.toMatch(/@[A-Za-z_]/);

    const bq = compileMetricQuery(catalog, question, 'bigquery');
    const bqNames = placeholders(bq.sql, 'bigquery');
    // BigQuery rejects a statement with parameters it does not reference, and one referencing unbound ones.
    expect([...bqNames].sort()).toEqual(Object.keys(bq.params).sort());
    for (const name of Object.keys(bq.params)) expect(bq.sql).toMatch(new RegExp(`@${name}\\b`));
    expect(bq.sql).not.toMatch(/\$[A-Za-z_]/);
  });

  describe.each(['duckdb', 'bigquery'] as const)('%s: the time column is bounded on both sides', (dialect) => {
    it.each(full)('$name', ({ m }) => {
      const question = ask(`${m.label} by ${dimension(m.dimensions[0]!).label}`, 'America/New_York');
      const { sql, params } = compileMetricQuery(catalog, question, dialect);
      const q = dialect === 'bigquery' ? '`' : '"';
      const p = dialect === 'bigquery' ? '@' : '\\$';
      const col = escapeRegExp(`${q}${m.time_column}${q}`);
      const selects = sql.split(/\bUNION ALL\b/);
      expect(selects).toHaveLength(3); // series, total, breakdown
      // Each period is bounded on both sides; the breakdown reads the current period only.
      const current = `${col} >= ${p}range_start AND ${col} < ${p}range_end`;
      const previous = `${col} >= ${p}prev_start AND ${col} < ${p}prev_end`;
      for (const select of selects.slice(0, 2)) {
        const where = select.slice(select.indexOf('WHERE'));
        expect(where).toMatch(new RegExp(`^WHERE \\(\\(${current}\\) OR \\(${previous}\\)\\)`));
      }
      expect(selects[2]!.slice(selects[2]!.indexOf('WHERE'))).toMatch(new RegExp(`^WHERE ${current}\\b`));
      const type = m.time_type === 'date' ? 'DATE' : 'TIMESTAMP';
      for (const name of ['prev_start', 'prev_end', 'range_start', 'range_end']) expect(params[name]?.type).toBe(type);
      const { prev_start, range_start, range_end } = params;
      const instant = (v: unknown) => new Date(String(v)).getTime();
      expect(instant(prev_start?.value)).toBeLessThan(instant(range_start?.value));
      expect(instant(range_start?.value)).toBeLessThan(instant(range_end?.value));
    });
  });
});

// ─── 4. BigQuery text ────────────────────────────────────────────────────────────────────────────────────────────

describe('BigQuery dialect text', () => {
  const bq = (text: string, zone = 'UTC'): CompiledQuery => compileMetricQuery(catalog, ask(text, zone), 'bigquery');

  it.each(catalog.metrics.map((m) => ({ name: m.name, m })))(
    '$name: backtick-quoted catalog table, ratio via SAFE_DIVIDE, local day via DATE(col, @tz)',
    ({ m }) => {
      const { sql, params } = bq(`${m.label} by ${dimension(m.dimensions[0]!).label}`, 'America/New_York');
      const table = catalog.tableFor(m, 'bigquery');
      expect(table).toMatch(/^analytics-prod\.[a-z_]+\.[a-z_]+$/);
      const froms = [...sql.matchAll(/\bFROM\s+(\S+)/g)].map((x) => x[1]);
      expect(froms).toEqual([`\`${table}\``, `\`${table}\``, `\`${table}\``]);
      expect(sql).not.toContain(`"`);
      if (m.aggregation.type === 'ratio') {
        expect(sql.match(/SAFE_DIVIDE\(/g)).toHaveLength(3);
        expect(sql).not.toMatch(/NULLIF|\s\/\s/);
      } else {
        expect(sql).not.toContain('SAFE_DIVIDE');
      }
      const col = `\`${m.time_column}\``;
      if (m.time_type === 'timestamp') {
        expect(sql).toContain(`DATE(${col}, @tz)`);
        expect(params.tz).toEqual({ type: 'STRING', value: 'America/New_York' });
        expect(params.range_start).toEqual({ type: 'TIMESTAMP', value: expect.stringMatching(/Z$/) });
      } else {
        expect(sql).not.toContain('@tz');
        expect(sql).not.toMatch(/\bDATE\(/);
        expect(params).not.toHaveProperty('tz');
        expect(params.range_start).toEqual({ type: 'DATE', value: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
      }
    },
  );

  it('weekly grain truncates to Monday weeks', () => {
    expect(bq('weekly active users').sql).toContain('DATE_TRUNC(DATE(`occurred_at`, @tz), WEEK(MONDAY)) AS bucket');
    expect(bq('marketing spend').sql).toContain('DATE_TRUNC(`spend_date`, WEEK(MONDAY)) AS bucket');
    expect(bq('signups weekly').sql).toContain('DATE_TRUNC(DATE(`signed_up_at`, @tz), WEEK(MONDAY)) AS bucket');
    expect(bq('weekly active users').sql).not.toMatch(/WEEK\)|ISOWEEK/);
  });

  it('other grains: local day, MONTH, QUARTER', () => {
    expect(bq('searches').sql).toContain('DATE(`occurred_at`, @tz) AS bucket');
    expect(bq('searches').sql).not.toContain('DATE_TRUNC');
    expect(bq('trial conversion').sql).toContain('DATE_TRUNC(DATE(`started_at`, @tz), MONTH) AS bucket');
    expect(bq('signups in 2026 quarterly').sql).toContain('DATE_TRUNC(DATE(`signed_up_at`, @tz), QUARTER) AS bucket');
  });

  it('marketing_spend (date-typed) binds DATE bounds and no time zone', () => {
    const { sql, params } = bq('marketing spend by channel', 'America/New_York');
    expect(params).toEqual({
      range_start: { type: 'DATE', value: '2026-10-01' },
      range_end: { type: 'DATE', value: '2026-11-01' },
      prev_start: { type: 'DATE', value: '2026-08-31' },
      prev_end: { type: 'DATE', value: '2026-10-01' },
    });
    expect(sql).toContain(
      'WHERE ((`spend_date` >= @range_start AND `spend_date` < @range_end) OR (`spend_date` >= @prev_start AND `spend_date` < @prev_end))',
    );
    expect(sql).toContain('CAST(SUM(`amount_usd`) AS FLOAT64) AS value');
    expect(sql).toContain('CAST(`channel` AS STRING) AS dim');
  });
});
