/**
 * `/analytics` on BigQuery, intercepted at its REST API: the job carries the compiled SQL, typed named parameters,
 * maximumBytesBilled, the job timeout and cost labels, and never the user's raw text.
 */
import {
  interceptBigQueryQuery,
  isolateGoogleAuth,
  METRIC_QUERY_SCHEMA,
  testBigQueryWarehouse,
} from '../helpers/bigquery.js';
import { blockNetwork, startTestBot, type TestBot } from '../helpers/harness.js';
import { slashCommand } from '../helpers/slack.js';

const SCHEMA = METRIC_QUERY_SCHEMA;

const ROWS = [
  ['breakdown', 'current', null, 'enterprise', '41', '2026-11-21 18:00:00+00'],
  ['breakdown', 'current', null, 'pro', '120', '2026-11-21 18:00:00+00'],
  ['series', 'current', '2026-11-16', null, '80', '2026-11-21 18:00:00+00'],
  ['series', 'current', '2026-11-09', null, '75', '2026-11-15 18:00:00+00'],
  ['series', 'previous', '2026-11-02', null, '60', '2026-11-08 18:00:00+00'],
  ['series', 'previous', '2026-10-26', null, '55', '2026-11-01 18:00:00+00'],
  ['total', 'current', null, null, '155', '2026-11-21 18:00:00+00'],
  ['total', 'previous', null, null, '115', '2026-11-08 18:00:00+00'],
];

describe('/analytics on BigQuery (REST intercepted)', () => {
  let t: TestBot;
  let restoreAuth: () => void;
  beforeAll(() => {
    blockNetwork();
    restoreAuth = isolateGoogleAuth();
  });
  afterAll(() => restoreAuth());
  afterEach(async () => {
    expect(t.violations).toEqual([]);
    await t.stop();
  });

  const start = (env: Record<string, string> = {}) =>
    startTestBot({
      env: { WAREHOUSE: 'bigquery', BIGQUERY_PROJECT_ID: 'acme-analytics', ...env },
      warehouse: testBigQueryWarehouse(),
    });

  it('sends parameterised SQL with the byte cap, timeout, labels and cache on', async () => {
    t = await start();
    const bq = interceptBigQueryQuery({
      projectId: 'acme-analytics',
      schema: SCHEMA,
      rows: ROWS,
      totalBytesProcessed: 1_234_567_890,
    });
    const userText = `searches where plan = enterprise last 2 weeks by client`;
    const res = await t.post(slashCommand({ text: userText }));
    expect(res.status).toBe(200);
    await t.settle();

    expect(bq.requests).toHaveLength(1);
    const config = (bq.requests[0]!.configuration as Record<string, Record<string, unknown>>).query!;
    const sql = String(config.query);
    expect(sql).toContain('FROM `analytics-prod.product.events`');
    expect(sql).toContain('`occurred_at` >= @prev_start');
    expect(sql).toContain('`occurred_at` < @range_end');
    expect(sql).not.toContain('enterprise');
    expect(sql).not.toContain(userText);
    expect(config).toMatchObject({
      maximumBytesBilled: '5000000000',
      useQueryCache: true,
      useLegacySql: false,
      parameterMode: 'named',
    });
    expect(bq.requests[0]!.configuration).toMatchObject({
      jobTimeoutMs: '20000',
      labels: { app: 'analytics-bot', metric: 'searches', source: 'product_events', surface: 'slack' },
    });
    const params = config.queryParameters as Array<{
      name: string;
      parameterType: { type: string };
      parameterValue: { value: string };
    }>;
    const byName = Object.fromEntries(params.map((p) => [p.name, p]));
    expect(byName.range_start?.parameterType.type).toBe('TIMESTAMP');
    expect(byName.tz?.parameterValue.value).toBe('UTC');
    expect(params.some((p) => p.parameterType.type === 'STRING' && p.parameterValue.value === 'enterprise')).toBe(true);
    for (const p of params) expect(sql).toContain(`@${p.name}`);

    const answer = JSON.stringify(t.responses.at(-1)!.body);
    expect(answer).toContain('*155 searches*');
    expect(answer).toContain('▲ 34.8%');
    expect(answer).toContain('scanned 1.2 GB');
  });

  it('reports a warehouse cache hit as 0 B billed', async () => {
    t = await start();
    interceptBigQueryQuery({ projectId: 'acme-analytics', schema: SCHEMA, rows: ROWS, cacheHit: true });
    await t.post(slashCommand({ text: 'searches last 2 weeks' }));
    await t.settle();
    expect(JSON.stringify(t.responses.at(-1)!.body)).toContain('warehouse cache hit (0 B billed)');
  });

  it('explains a query over the byte cap', async () => {
    t = await start();
    interceptBigQueryQuery({
      projectId: 'acme-analytics',
      schema: SCHEMA,
      rows: [],
      error: {
        code: 400,
        reason: 'bytesBilledLimitExceeded',
        message: 'Query exceeded limit for bytes billed: 5000000000.',
      },
    });
    await t.post(slashCommand({ text: 'searches last 2 weeks' }));
    await t.settle();
    expect(JSON.stringify(t.responses.at(-1)!.body)).toContain('more than the 5.0 GB per-query limit');
  });
});
