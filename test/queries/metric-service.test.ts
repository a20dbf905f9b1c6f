import nock from 'nock';
import { createMetricService, type DataCoverage } from '../../src/queries/metric-service.js';
import { type MetricQuestion, QuestionParser } from '../../src/queries/question.js';
import type { QueryResult, Warehouse } from '../../src/queries/warehouse.js';
import { createTelemetry } from '../../src/telemetry.js';
import {
  interceptBigQueryQuery,
  isolateGoogleAuth,
  METRIC_QUERY_SCHEMA,
  testBigQueryWarehouse,
} from '../helpers/bigquery.js';
import { blockNetwork, demoWarehouse, shippedCatalog, TEST_DEMO, TEST_NOW } from '../helpers/harness.js';
import { captureLogs } from '../helpers/logs.js';

const catalog = shippedCatalog();
const parser = new QuestionParser(catalog);
const question = (text: string) => {
  const r = parser.parse(text, { now: TEST_NOW, timezone: 'UTC' });
  if (!r.ok) throw new Error(r.error.kind);
  return r.question;
};

/** Counts queries; each takes `delayMs` and returns a fixed total. */
function countingWarehouse(delayMs = 50): Warehouse & { calls: number } {
  const w = {
    kind: 'bigquery' as const,
    calls: 0,
    async query(): Promise<QueryResult> {
      w.calls++;
      await new Promise((r) => setTimeout(r, delayMs));
      return {
        rows: [
          { part: 'total', period: 'current', value: 10, latest: '2026-11-28 12:00:00+00' },
          { part: 'total', period: 'previous', value: 8, latest: null },
          { part: 'series', period: 'current', bucket: '2026-11-23', value: 10, latest: null },
        ],
        bytesProcessed: 2048,
        bytesBilled: 10_485_760,
        cacheHit: false,
      };
    },
    async dryRun() {
      return { bytesProcessed: 0 };
    },
    async close() {},
  };
  return w;
}

describe('metric service', () => {
  it('shares one warehouse job between identical questions in flight', async () => {
    const warehouse = countingWarehouse();
    const service = createMetricService({
      catalog,
      warehouse,
      telemetry: createTelemetry({ defaultMetrics: false }),
      logger: captureLogs().logger,
      ttlMs: 60_000,
    });
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => service.answer(question('signups last week'), { userId: `U${i}` })),
    );
    expect(warehouse.calls).toBe(1);
    expect(answers.every((a) => a.current === 10 && a.previous === 8)).toBe(true);
    expect(answers[0]!.change).toBeCloseTo(0.25);
  });

  it('answers from its cache within the TTL, and asks again after it', async () => {
    let now = TEST_NOW.getTime();
    const warehouse = countingWarehouse(1);
    const service = createMetricService({
      catalog,
      warehouse,
      telemetry: createTelemetry({ defaultMetrics: false }),
      logger: captureLogs().logger,
      ttlMs: 300_000,
      clock: () => new Date(now),
    });
    const q = question('signups last week');
    expect((await service.answer(q, { userId: 'U1' })).cached).toBe(false);
    now += 299_000;
    expect((await service.answer(q, { userId: 'U1' })).cached).toBe(true);
    now += 2_000;
    expect((await service.answer(q, { userId: 'U1' })).cached).toBe(false);
    expect(warehouse.calls).toBe(2);
  });

  it('keys the cache by metric, range, grain, breakdown and filter', async () => {
    const warehouse = countingWarehouse(1);
    const service = createMetricService({
      catalog,
      warehouse,
      telemetry: createTelemetry({ defaultMetrics: false }),
      logger: captureLogs().logger,
      ttlMs: 300_000,
    });
    for (const text of [
      'signups last week',
      'signups last week by plan',
      'signups last month daily',
      'signups last month',
      'signups last week where plan = pro',
      'searches last week',
      'signups last week',
    ]) {
      await service.answer(question(text), { userId: 'U1' });
    }
    expect(warehouse.calls).toBe(6);
  });

  it('logs an audit record without secrets and counts bytes per metric', async () => {
    const logs = captureLogs();
    const telemetry = createTelemetry({ defaultMetrics: false });
    const service = createMetricService({
      catalog,
      warehouse: countingWarehouse(1),
      telemetry,
      logger: logs.logger,
      ttlMs: 1,
    });
    await service.answer(question('signups last week'), { userId: 'U1', channelId: 'C1' });
    expect(logs.lines.find((l) => l.audit === 'metric_answer')).toMatchObject({
      user: 'U1',
      channel: 'C1',
      metric: 'signups',
      bytesProcessed: 2048,
      bytesBilled: 10_485_760,
      warehouseCacheHit: false,
    });
    expect(await telemetry.registry.metrics()).toContain(
      'analytics_bot_warehouse_bytes_processed_total{warehouse="bigquery",metric="signups"} 2048',
    );
  });
});

describe('no matching rows on days the data covers', () => {
  const covered: DataCoverage = { first: TEST_DEMO.firstDay, last: TEST_DEMO.lastDay };
  const serviceOn = (warehouse: Warehouse, coverage: DataCoverage | null = covered) =>
    createMetricService({
      catalog,
      warehouse,
      telemetry: createTelemetry({ defaultMetrics: false }),
      logger: captureLogs().logger,
      ttlMs: 1,
      coverage: () => coverage,
    });
  const filtered = (text: string, dimension: string, op: 'eq' | 'prefix', value: string): MetricQuestion => ({
    ...question(text),
    filters: [{ dimension: catalog.dimension(dimension)!, op, values: [value] }],
  });

  describe('on DuckDB (the demo data)', () => {
    let demo: Warehouse;
    beforeAll(async () => {
      demo = await demoWarehouse();
    });

    it('a distinct count over a covered day with no matching rows is 0, as the truth SQL says, not empty', async () => {
      const q = filtered('active instances yesterday', 'version', 'prefix', '5.1');
      const truth = await demo.query({
        sql: `SELECT count(DISTINCT instance_id) AS value FROM instance_pings WHERE version LIKE '5.1.%'
                AND pinged_at >= TIMESTAMPTZ '2026-11-28 00:00:00+00' AND pinged_at < TIMESTAMPTZ '2026-11-29 00:00:00+00'`,
        params: {},
      });
      expect(truth.rows).toEqual([{ value: 0 }]);
      const answer = await serviceOn(demo).answer(q, { userId: 'U1' });
      expect(answer.current).toBe(0);
      expect(answer.series).toEqual([{ bucket: '2026-11-28', value: 0 }]);
    });

    it('a count is 0 per covered day and in total, and a change against 0 stays undefined', async () => {
      const answer = await serviceOn(demo).answer(filtered('signups last week', 'country', 'eq', 'XX'), {
        userId: 'U1',
      });
      expect(answer.current).toBe(0);
      expect(answer.previous).toBe(0);
      expect(answer.change).toBeNull();
      expect(answer.series.map((p) => p.value)).toEqual([0, 0, 0, 0, 0, 0, 0]);
      expect(answer.series[0]!.bucket).toBe('2026-11-16');
    });

    it('a ratio of no rows has no value, and days outside the data stay empty', async () => {
      const ratio = await serviceOn(demo).answer(filtered('bounce rate yesterday', 'country', 'eq', 'XX'), {
        userId: 'U1',
      });
      expect(ratio.current).toBeNull();
      expect(ratio.series).toEqual([]);
      const before = await serviceOn(demo).answer(question('signups on 2026-01-05'), { userId: 'U1' });
      expect(before.coverage.current).toBe('none');
      expect(before.current).toBeNull();
      expect(before.series).toEqual([]);
    });
  });

  describe('on BigQuery (REST intercepted)', () => {
    let restoreAuth: () => void;
    beforeAll(() => {
      blockNetwork();
      restoreAuth = isolateGoogleAuth();
    });
    afterAll(() => restoreAuth());
    afterEach(() => nock.cleanAll());

    it('a job that returns no rows for a covered day answers 0, the same as DuckDB', async () => {
      const bq = interceptBigQueryQuery({ projectId: 'acme-analytics', schema: METRIC_QUERY_SCHEMA, rows: [] });
      const q = filtered('active instances yesterday', 'version', 'prefix', '5.1');
      const answer = await serviceOn(testBigQueryWarehouse()).answer(q, { userId: 'U1' });
      expect(bq.requests).toHaveLength(1);
      expect(answer.current).toBe(0);
      expect(answer.series).toEqual([{ bucket: '2026-11-28', value: 0 }]);
    });

    it('with no coverage known, no rows stays empty rather than a guessed 0', async () => {
      interceptBigQueryQuery({ projectId: 'acme-analytics', schema: METRIC_QUERY_SCHEMA, rows: [] });
      const q = filtered('signups yesterday', 'country', 'eq', 'XX');
      const answer = await serviceOn(testBigQueryWarehouse(), null).answer(q, { userId: 'U1' });
      expect(answer.current).toBeNull();
      expect(answer.series).toEqual([]);
    });
  });
});
