/**
 * The value index on BigQuery, at the REST wire: the real adapter and the real index, with jobs.insert and
 * getQueryResults answered by nock. One bounded distinct-values job per table (a recent window, a row cap per
 * dimension), each capped by VALUE_INDEX_MAX_BYTES through maximumBytesBilled, dimension names bound as parameters and
 * no text of any kind spliced into the SQL; the snapshot is persisted in DATA_DIR and read back on start, and rebuilt
 * every VALUE_INDEX_REFRESH_MINUTES.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { jest } from '@jest/globals';
import nock from 'nock';
import type { Config } from '../../src/config.js';
import { createValueIndex, VALUE_INDEX_FILE, type ValueIndex } from '../../src/queries/value-index.js';
import {
  BIGQUERY_TEST_ENDPOINT,
  type FakeField,
  type InterceptedQuery,
  interceptBigQueryQuery,
  isolateGoogleAuth,
  testBigQueryWarehouse,
} from '../helpers/bigquery.js';
import { testConfig } from '../helpers/config.js';
import { blockNetwork, shippedCatalog, TEST_NOW } from '../helpers/harness.js';
import { captureLogs } from '../helpers/logs.js';

type Json = Record<string, unknown>;
const catalog = shippedCatalog();
const SCHEMA: FakeField[] = [
  { name: 'dim', type: 'STRING' },
  { name: 'value', type: 'STRING' },
  { name: 'n', type: 'INTEGER' },
];
const MAX_BYTES = 250_000_000;
const REFRESH_MINUTES = 30;

/** The production tables the catalog names, each with the dimensions of the metrics on it. */
const TABLES = new Map<string, Set<string>>();
for (const metric of catalog.metrics) {
  const table = catalog.tableFor(metric, 'bigquery');
  const dims = TABLES.get(table) ?? new Set<string>();
  for (const d of metric.dimensions) dims.add(d);
  TABLES.set(table, dims);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const coverageRows = (first: string, last: string) => [
  ['~first', first, 0],
  ['~last', last, 0],
];

/** What each table's job answers: a few values per dimension, most frequent first, then the data's first and last row. */
function rowsFor(table: string, round: number): unknown[][] {
  const rows: unknown[][] = [];
  for (const dim of TABLES.get(table) ?? []) {
    rows.push([dim, `${dim}-top-${round}`, 90], [dim, `${dim}-second`, 10]);
  }
  return [...rows, ...coverageRows('2026-06-01 00:00:00+00', '2026-11-29 09:59:00+00')];
}

function interceptEveryTable(round: number, failing?: string): Map<string, InterceptedQuery> {
  const jobs = new Map<string, InterceptedQuery>();
  for (const table of TABLES.keys()) {
    jobs.set(
      table,
      interceptBigQueryQuery({
        projectId: 'acme-analytics',
        schema: SCHEMA,
        rows: rowsFor(table, round),
        totalBytesProcessed: 42_000_000,
        sql: new RegExp(`FROM \`${escapeRegExp(table)}\``),
        ...(table === failing
          ? {
              error: {
                code: 400,
                reason: 'bytesBilledLimitExceeded',
                message: `Query exceeded limit for bytes billed: ${MAX_BYTES}. 10485760000 or higher required.`,
              },
            }
          : {}),
      }),
    );
  }
  return jobs;
}

const queryOf = (job: InterceptedQuery) => (job.requests[0]!.configuration as Json).query as Json;
const params = (job: InterceptedQuery) =>
  (queryOf(job).queryParameters as Array<{ name: string; parameterType: Json; parameterValue: Json }>).map((p) => ({
    name: p.name,
    type: p.parameterType.type,
    value: p.parameterValue.value,
  }));

describe('the value index on BigQuery (REST intercepted)', () => {
  let restoreAuth: () => void;
  let config: Config;
  let now: Date;
  let index: ValueIndex | undefined;
  const indexFor = (cfg: Config = config) =>
    createValueIndex(cfg, catalog, testBigQueryWarehouse(), captureLogs().logger, () => now);

  beforeAll(() => {
    blockNetwork();
    restoreAuth = isolateGoogleAuth();
  });
  afterAll(() => restoreAuth());
  beforeEach(() => {
    now = TEST_NOW;
    config = testConfig({
      WAREHOUSE: 'bigquery',
      BIGQUERY_PROJECT_ID: 'acme-analytics',
      VALUE_INDEX_MAX_BYTES: String(MAX_BYTES),
      VALUE_INDEX_REFRESH_MINUTES: String(REFRESH_MINUTES),
    });
  });
  afterEach(async () => {
    await index?.stop();
    index = undefined;
    jest.useRealTimers();
    nock.cleanAll();
  });

  it('runs one bounded distinct-values job per table, capped in bytes billed, with every name bound', async () => {
    const jobs = interceptEveryTable(1);
    index = indexFor();
    const snapshot = await index.refresh();

    expect(TABLES.size).toBe(6);
    for (const [table, job] of jobs) {
      expect(job.requests).toHaveLength(1);
      const query = queryOf(job);
      expect(query).toMatchObject({ useLegacySql: false, parameterMode: 'named' });
      // VALUE_INDEX_MAX_BYTES, tighter than the adapter's own cap, is what BigQuery enforces for the job.
      expect(query.maximumBytesBilled).toBe(String(MAX_BYTES));
      expect((job.requests[0]!.configuration as Json).labels).toMatchObject({ purpose: 'value_index' });
      const sql = String(query.query);
      const dims = [...TABLES.get(table)!];
      // Bounded: a recent window (partition pruning) and a row cap per dimension.
      expect(sql.match(/>= @since/g)).toHaveLength(dims.length);
      expect(sql.match(/LIMIT 200\)/g)).toHaveLength(dims.length);
      // Nothing spliced in: no string literal at all; dimension names travel as typed parameters.
      expect(sql).not.toMatch(/['"]/);
      for (const d of dims) expect(sql).not.toContain(`'${d}'`);
      expect(params(job)).toEqual(
        expect.arrayContaining([
          // 90 days back; the spend sheet's time column is a DATE, the rest are timestamps.
          table.endsWith('marketing_spend')
            ? { name: 'since', type: 'DATE', value: '2026-08-31' }
            : { name: 'since', type: 'TIMESTAMP', value: '2026-08-31T00:00:00.000Z' },
          ...dims.map((d) => ({ name: expect.stringMatching(/^d\d+$/), type: 'STRING', value: d })),
          { name: 'first', type: 'STRING', value: '~first' },
          { name: 'last', type: 'STRING', value: '~last' },
        ]),
      );
    }

    expect(snapshot.warehouse).toBe('bigquery');
    expect(snapshot.values.plan).toEqual(['plan-top-1', 'plan-second']);
    expect(snapshot.values.deployment_type).toEqual(['deployment_type-top-1', 'deployment_type-second']);
    expect(snapshot.coverage.signups).toEqual({ first: '2026-06-01', last: '2026-11-29' });
    expect(index.values()).toEqual(snapshot.values);
  });

  it('keeps the previous values of a table whose job hits the bytes cap; the other tables still refresh', async () => {
    interceptEveryTable(1);
    await indexFor().refresh();
    const signups = [...TABLES.keys()].find((t) => t.endsWith('crm.signups'))!;
    const jobs = interceptEveryTable(2, signups);
    const logs = captureLogs();
    index = createValueIndex(config, catalog, testBigQueryWarehouse(), logs.logger, () => now);
    expect(index.load()).toBe(true);
    const snapshot = await index.refresh();

    expect(jobs.get(signups)!.requests).toHaveLength(1);
    expect(queryOf(jobs.get(signups)!).maximumBytesBilled).toBe(String(MAX_BYTES));
    // Only on the sign-ups table: its values stay as they were; the rest is rebuilt.
    expect(snapshot.values.source).toEqual(['source-top-1', 'source-second']);
    expect(snapshot.values.client).toEqual(['client-top-2', 'client-second']);
    expect(snapshot.coverage.signups).toEqual({ first: '2026-06-01', last: '2026-11-29' });
    expect(logs.lines.find((l) => l.msg === 'value index query failed; keeping the previous values')).toMatchObject({
      table: signups,
    });
  });

  it('persists the snapshot in DATA_DIR and answers from it after a restart, without asking BigQuery', async () => {
    interceptEveryTable(1);
    await indexFor().refresh();
    const file = path.join(config.dataDir, VALUE_INDEX_FILE);
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      warehouse: 'bigquery',
      values: { plan: ['plan-top-1', 'plan-second'] },
    });
    nock.cleanAll();

    const asked: string[] = [];
    nock(BIGQUERY_TEST_ENDPOINT)
      .persist()
      .post(/.*/)
      .reply((uri) => {
        asked.push(uri);
        return [500, {}];
      });
    now = new Date(TEST_NOW.getTime() + (REFRESH_MINUTES - 1) * 60_000);
    index = indexFor();
    await index.start();
    expect(index.values().plan).toEqual(['plan-top-1', 'plan-second']);
    expect(index.coverage(catalog.metric('signups')!)).toEqual({ first: '2026-06-01', last: '2026-11-29' });
    expect(asked).toEqual([]);
  });

  it('rebuilds on start when the saved snapshot is older than VALUE_INDEX_REFRESH_MINUTES', async () => {
    interceptEveryTable(1);
    await indexFor().refresh();
    now = new Date(TEST_NOW.getTime() + REFRESH_MINUTES * 60_000);
    const jobs = interceptEveryTable(2);
    index = indexFor();
    await index.start();
    expect([...jobs.values()].every((j) => j.requests.length === 1)).toBe(true);
    expect(index.values().plan).toEqual(['plan-top-2', 'plan-second']);
  });

  it('rebuilds every VALUE_INDEX_REFRESH_MINUTES on its schedule, and saves each rebuild', async () => {
    // Only the schedule's interval is faked; HTTP and the client's own timeouts run for real.
    jest.useFakeTimers({
      doNotFake: [
        'Date',
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setTimeout',
        'clearTimeout',
      ],
    });
    interceptEveryTable(1);
    index = indexFor();
    await index.start();
    expect(index.values().plan).toEqual(['plan-top-1', 'plan-second']);

    const jobs = interceptEveryTable(2);
    jest.advanceTimersByTime(REFRESH_MINUTES * 60_000 - 1);
    expect([...jobs.values()].some((j) => j.requests.length > 0)).toBe(false);
    now = new Date(TEST_NOW.getTime() + REFRESH_MINUTES * 60_000);
    jest.advanceTimersByTime(1);
    await index.refresh(); // joins the scheduled rebuild in flight
    expect([...jobs.values()].every((j) => j.requests.length === 1)).toBe(true);
    expect(index.values().plan).toEqual(['plan-top-2', 'plan-second']);
    const saved = JSON.parse(readFileSync(path.join(config.dataDir, VALUE_INDEX_FILE), 'utf8'));
    expect(saved).toMatchObject({ builtAt: now.toISOString(), values: { plan: ['plan-top-2', 'plan-second'] } });
  });
});
