/**
 * "What changed?" on the demo DuckDB data, checked against independent hand-written SQL: the ranking, that the parts
 * add up to the total change where the metric adds up, mix + rate for ratios, and one query per dimension (cached).
 */
import type { MetricCatalog } from '../../src/queries/catalog.js';
import { createMetricService } from '../../src/queries/metric-service.js';
import { type MetricQuestion, QuestionParser } from '../../src/queries/question.js';
import type { Warehouse } from '../../src/queries/warehouse.js';
import { type ChangeExplanation, createChangeExplainer } from '../../src/queries/what-changed.js';
import { createTelemetry } from '../../src/telemetry.js';
import { driverSentence, whatChangedMessage } from '../../src/views/what-changed.js';
import { assertBlockKit } from '../helpers/block-kit.js';
import { type RecordingWarehouse, recording } from '../helpers/fake-warehouse.js';
import { demoWarehouse, shippedCatalog, TEST_DEMO, TEST_NOW } from '../helpers/harness.js';
import { captureLogs } from '../helpers/logs.js';

let inner: Warehouse;
let warehouse: RecordingWarehouse;
let catalog: MetricCatalog;
let parser: QuestionParser;

beforeAll(async () => {
  inner = await demoWarehouse();
  catalog = shippedCatalog();
  parser = new QuestionParser(catalog);
});
afterAll(async () => {
  await inner.close();
});
beforeEach(() => {
  warehouse = recording(inner);
});

function explainer() {
  const { logger } = captureLogs();
  const telemetry = createTelemetry({ defaultMetrics: false });
  const metrics = createMetricService({ catalog, warehouse, telemetry, logger, ttlMs: 60_000, clock: () => TEST_NOW });
  return createChangeExplainer({
    catalog,
    warehouse,
    metrics,
    telemetry,
    logger,
    ttlMs: 60_000,
    clock: () => TEST_NOW,
  });
}

function ask(text: string): MetricQuestion {
  const parsed = parser.parse(text, { now: TEST_NOW, timezone: 'UTC' });
  if (!parsed.ok) throw new Error(`did not parse: ${text}`);
  return parsed.question;
}

/** Independent SQL: the previous period is the same length, ending where the asked one starts. */
function bounds(q: MetricQuestion) {
  const days = Math.round(q.range.end.diff(q.range.start, 'days').days);
  const iso = (d: typeof q.range.start) => d.toUTC().toISO()!;
  return { prev: iso(q.range.start.minus({ days })), start: iso(q.range.start), end: iso(q.range.end) };
}

async function sql(text: string): Promise<Record<string, unknown>[]> {
  return (await inner.query({ sql: text, params: {} })).rows;
}

const segment = (e: ChangeExplanation, dim: string) => e.dimensions.find((d) => d.dimension.name === dim)!.segments;
const changeQueries = () => warehouse.queries.filter((q) => q.sql.includes('AS num'));

describe('what changed: counts and sums add up', () => {
  it('signups: every value’s contribution matches independent SQL, ranked, and adds up to the total change', async () => {
    const q = ask('signups last 4 weeks');
    const e = await explainer().explain(q, { userId: 'U1' });
    const { prev, start, end } = bounds(q);
    expect(e.kind).toBe('additive');
    const [totals] = await sql(
      `SELECT count(*) FILTER (WHERE signed_up_at >= '${start}' AND signed_up_at < '${end}') AS cur,
              count(*) FILTER (WHERE signed_up_at >= '${prev}' AND signed_up_at < '${start}') AS prev
       FROM signups`,
    );
    const total = Number(totals!.cur) - Number(totals!.prev);
    expect(e.change).toBe(total);
    for (const dim of ['plan', 'country', 'source']) {
      const rows = await sql(
        `SELECT ${dim} AS k,
                count(*) FILTER (WHERE signed_up_at >= '${start}' AND signed_up_at < '${end}')
                - count(*) FILTER (WHERE signed_up_at >= '${prev}' AND signed_up_at < '${start}') AS delta
         FROM signups WHERE signed_up_at >= '${prev}' AND signed_up_at < '${end}' GROUP BY ${dim}`,
      );
      const expected = new Map(rows.map((r) => [String(r.k), Number(r.delta)]));
      const segments = segment(e, dim);
      expect(new Map(segments.map((s) => [s.key, s.contribution]))).toEqual(expected);
      // Exactly: integers, and every row is in exactly one value.
      expect(segments.reduce((a, s) => a + s.contribution!, 0)).toBe(total);
      expect(segments.reduce((a, s) => a + s.share!, 0)).toBeCloseTo(1, 10);
      const sizes = segments.map((s) => Math.abs(s.contribution!));
      expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    }
    // The drivers lead with the largest move in the direction of the change.
    const best = e.dimensions
      .flatMap((d) => d.segments)
      .filter((s) => Math.sign(s.contribution!) === Math.sign(total))
      .reduce((a, b) => (Math.abs(b.contribution!) > Math.abs(a.contribution!) ? b : a));
    expect(Math.abs(e.drivers[0]!.contribution!)).toBe(Math.abs(best.contribution!));
  });

  it('marketing spend (a sum): contributions per channel match independent SQL and add up', async () => {
    const q = ask('marketing spend last 4 weeks');
    const e = await explainer().explain(q, { userId: 'U1' });
    const { prev, start, end } = bounds(q);
    const d = (x: string) => x.slice(0, 10);
    const rows = await sql(
      `SELECT channel AS k,
              coalesce(sum(amount_usd) FILTER (WHERE spend_date >= DATE '${d(start)}' AND spend_date < DATE '${d(end)}'), 0)
              - coalesce(sum(amount_usd) FILTER (WHERE spend_date >= DATE '${d(prev)}' AND spend_date < DATE '${d(start)}'), 0) AS delta
       FROM marketing_spend WHERE spend_date >= DATE '${d(prev)}' AND spend_date < DATE '${d(end)}' GROUP BY channel`,
    );
    const segments = segment(e, 'channel');
    for (const r of rows) {
      expect(segments.find((s) => s.key === r.k)!.contribution).toBeCloseTo(Number(r.delta), 6);
    }
    expect(segments.reduce((a, s) => a + s.contribution!, 0)).toBeCloseTo(e.change!, 6);
  });
});

describe('what changed: rates split into mix and rate', () => {
  it('bounce rate: each channel’s own rate matches SQL, and mix + rate add up to the total change', async () => {
    const q = ask('bounce rate last 4 weeks');
    const e = await explainer().explain(q, { userId: 'U1' });
    const { prev, start, end } = bounds(q);
    expect(e.kind).toBe('ratio');
    const rows = await sql(
      `SELECT channel AS k,
              avg(bounced::INT) FILTER (WHERE started_at >= '${start}' AND started_at < '${end}') AS cur,
              avg(bounced::INT) FILTER (WHERE started_at >= '${prev}' AND started_at < '${start}') AS prev
       FROM web_sessions WHERE site = 'marketing' AND started_at >= '${prev}' AND started_at < '${end}'
       GROUP BY channel`,
    );
    const [all] = await sql(
      `SELECT avg(bounced::INT) FILTER (WHERE started_at >= '${start}' AND started_at < '${end}')
              - avg(bounced::INT) FILTER (WHERE started_at >= '${prev}' AND started_at < '${start}') AS delta
       FROM web_sessions WHERE site = 'marketing'`,
    );
    expect(e.change).toBeCloseTo(Number(all!.delta), 12);
    for (const dim of ['channel', 'country']) {
      const segments = segment(e, dim);
      const sum = segments.reduce((a, s) => a + s.mix! + s.rate!, 0);
      expect(sum).toBeCloseTo(e.change!, 12);
      for (const s of segments) expect(s.contribution).toBeCloseTo(s.mix! + s.rate!, 15);
    }
    for (const r of rows) {
      const s = segment(e, 'channel').find((x) => x.key === r.k)!;
      expect(s.current).toBeCloseTo(Number(r.cur), 12);
      expect(s.previous).toBeCloseTo(Number(r.prev), 12);
    }
  });
});

describe('what changed: overlapping segments (distinct counts, averages of periods)', () => {
  it('weekly active users: each country’s own change matches SQL; nothing is presented as adding up', async () => {
    const q = ask('weekly active users last 4 weeks');
    const e = await explainer().explain(q, { userId: 'U1' });
    const { prev, start, end } = bounds(q);
    expect(e.kind).toBe('overlapping');
    const rows = await sql(
      `WITH weekly AS (
         SELECT country, date_trunc('week', timezone('UTC', occurred_at)) AS wk,
                CASE WHEN occurred_at >= '${start}' THEN 'cur' ELSE 'prev' END AS period,
                count(DISTINCT user_id) AS users
         FROM events WHERE occurred_at >= '${prev}' AND occurred_at < '${end}' GROUP BY ALL)
       SELECT country AS k, sum(users) FILTER (WHERE period = 'cur') / 4.0 AS cur,
              sum(users) FILTER (WHERE period = 'prev') / 4.0 AS prev
       FROM weekly GROUP BY country`,
    );
    const segments = segment(e, 'country');
    for (const r of rows) {
      const s = segments.find((x) => x.key === r.k)!;
      expect(s.current).toBeCloseTo(Number(r.cur), 9);
      expect(s.previous).toBeCloseTo(Number(r.prev), 9);
      expect(s.contribution).toBeUndefined();
      expect(s.share).toBeUndefined();
    }
    const sizes = segments.map((s) => Math.abs(s.change));
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    const message = whatChangedMessage(e);
    assertBlockKit(message, 'message');
    expect(JSON.stringify(message.blocks)).not.toContain('Other');
    expect(message.text).toContain("don't add up to the total");
  });
});

describe('what changed: cost', () => {
  it('runs one query per dimension, answers a repeat from the cache, and shares queries in flight', async () => {
    const service = explainer();
    const q = ask('searches last 14 days');
    const dims = q.metric.dimensions.length;
    const first = await service.explain(q, { userId: 'U1' });
    // Counts add up, so the headline comes from the parts: no query besides one per dimension.
    expect(warehouse.queries).toHaveLength(dims);
    expect(changeQueries()).toHaveLength(dims);
    expect(first.queries).toBe(dims);
    const again = await service.explain(q, { userId: 'U2' });
    expect(again.queries).toBe(0);
    expect(changeQueries()).toHaveLength(dims);

    const fresh = explainer();
    const q2 = ask('searches last 7 days');
    await Promise.all([fresh.explain(q2, { userId: 'U1' }), fresh.explain(q2, { userId: 'U2' })]);
    expect(changeQueries()).toHaveLength(dims * 2);
  });

  it('never decomposes along the dimension the question already fixes, and binds the value', async () => {
    const q = ask('searches where country = DE last 14 days');
    const e = await explainer().explain(q, { userId: 'U1' });
    expect(e.dimensions.map((d) => d.dimension.name)).toEqual(['plan', 'client']);
    for (const query of changeQueries()) {
      expect(query.sql).not.toContain("'DE'");
      expect(Object.values(query.params)).toContainEqual({ type: 'STRING', value: 'DE' });
    }
  });
});

describe('what changed: the headline', () => {
  it.each([
    'signups last 4 weeks',
    'bounce rate last 4 weeks',
    'marketing spend last 4 weeks',
    'searches where country = DE last 14 days',
  ])('%s: the parts give exactly the answer’s headline', async (text) => {
    const q = ask(text);
    const e = await explainer().explain(q, { userId: 'U1' });
    const { logger } = captureLogs();
    const metrics = createMetricService({
      catalog,
      warehouse: inner,
      telemetry: createTelemetry({ defaultMetrics: false }),
      logger,
      ttlMs: 0,
    });
    const answer = await metrics.answer(q, { userId: 'U1' });
    expect(e.current).toBeCloseTo(answer.current!, 9);
    expect(e.previous).toBeCloseTo(answer.previous!, 9);
  });
});

describe('what changed: the sentence', () => {
  it('names the top driver with its part of the total', async () => {
    const q = ask('signups last 4 weeks');
    const e = await explainer().explain(q, { userId: 'U1' });
    const top = e.drivers[0]!;
    const sentence = driverSentence(e);
    const direction = e.change! < 0 ? 'drop' : 'increase';
    expect(sentence).toMatch(new RegExp(`^(Most|The largest part) of the ${direction} came from \\*\\w[\\w -]* = `));
    expect(sentence).toContain(`*${top.dimension.label.toLowerCase()} = ${top.key}*`);
    expect(sentence).toMatch(/\([+−][\d,]+ of [+−][\d,]+\)/);
    const message = whatChangedMessage(e);
    assertBlockKit(message, 'message');
    const types = message.blocks.map((b) => b.type);
    // Sentence, then a table, then a chart.
    expect(types.indexOf('table')).toBeGreaterThan(1);
    expect(types.indexOf('data_visualization')).toBeGreaterThan(types.indexOf('table'));
  });
});

describe('what changed: the planted change in the demo data', () => {
  it('finds the segment that dropped in the last complete week, first, with most of the drop', async () => {
    const planted = TEST_DEMO.change;
    const q = ask(`${planted.metric} last week`);
    expect(q.range.start.toISODate()).toBe(planted.weekStart);
    expect(q.range.end.minus({ days: 1 }).toISODate()).toBe(planted.weekEnd);
    const e = await explainer().explain(q, { userId: 'U1' });
    const top = e.drivers[0]!;
    expect([top.dimension.name, top.key]).toEqual([planted.dimension, planted.value]);
    expect(e.change).toBeLessThan(0);
    expect(top.share!).toBeGreaterThan(0.5);
    // Independent SQL: the segment's own week-on-week change is its contribution.
    const { prev, start, end } = bounds(q);
    const [row] = await sql(
      `SELECT count(*) FILTER (WHERE occurred_at >= '${start}' AND occurred_at < '${end}')
              - count(*) FILTER (WHERE occurred_at >= '${prev}' AND occurred_at < '${start}') AS delta
       FROM events WHERE event_name = 'search' AND ${planted.dimension} = '${planted.value}'`,
    );
    expect(top.contribution).toBe(Number(row!.delta));
    expect(driverSentence(e)).toMatch(/^Most of the drop came from \*country = DE\* \(−[\d,]+ of −[\d,]+\)/);
    // Within its own dimension it leads too, and the parts still add up exactly.
    const byCountry = segment(e, planted.dimension);
    expect(byCountry[0]!.key).toBe(planted.value);
    expect(byCountry.reduce((a, s) => a + s.contribution!, 0)).toBe(e.change);
  });
});
