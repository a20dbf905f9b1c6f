import nock from 'nock';
import type { BigQueryWarehouseConfig } from '../../src/queries/bigquery-warehouse.js';
import { createBigQueryWarehouse } from '../../src/queries/bigquery-warehouse.js';
import type { CompiledQuery } from '../../src/queries/warehouse.js';
import { BytesLimitExceededError, WarehouseError, WarehouseTimeoutError } from '../../src/queries/warehouse.js';
import {
  BIGQUERY_TEST_ENDPOINT,
  interceptBigQueryDryRun,
  interceptBigQueryQuery,
  isolateGoogleAuth,
} from '../helpers/bigquery.js';

const PROJECT = 'test-project';
const HOSTILE = "x'); DROP TABLE t; --";

const baseConfig: BigQueryWarehouseConfig = {
  projectId: PROJECT,
  location: 'EU',
  maximumBytesBilled: 1_000_000_000,
  jobTimeoutMs: 5_000,
  apiEndpoint: BIGQUERY_TEST_ENDPOINT,
  labels: { app: 'analytics-bot', env: 'test' },
  // Retries back off for seconds; the error tests want the first answer.
  maxRetries: 0,
};

function warehouse(overrides: Partial<BigQueryWarehouseConfig> = {}, log?: RecordingLog) {
  return createBigQueryWarehouse({ ...baseConfig, ...overrides }, log);
}

class RecordingLog {
  readonly entries: Array<{ level: 'info' | 'warn'; obj: object; msg: string }> = [];
  info = (obj: object, msg: string) => void this.entries.push({ level: 'info', obj, msg });
  warn = (obj: object, msg: string) => void this.entries.push({ level: 'warn', obj, msg });
}

const simpleQuery: CompiledQuery = { sql: 'SELECT 1 AS n', params: {} };
const simpleSchema = [{ name: 'n', type: 'INTEGER' }];

/** Pull the jobs.insert body apart without `any`. */
function insertBody(body: Record<string, unknown> | undefined) {
  const b = body as {
    configuration: {
      query: Record<string, unknown> & {
        queryParameters?: Array<{ name: string; parameterType: { type: string }; parameterValue: { value?: unknown } }>;
      };
      labels?: Record<string, string>;
      jobTimeoutMs?: string;
      dryRun?: boolean;
    };
    jobReference: { projectId: string; jobId: string; location?: string };
  };
  return b;
}

let restoreEnv: () => void;

beforeAll(() => {
  restoreEnv = isolateGoogleAuth();
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
});

afterAll(() => {
  nock.enableNetConnect();
  restoreEnv();
});

describe('BigQuery warehouse: the job it submits', () => {
  test('sends SQL unchanged and every value as a typed named parameter, with the cost and time limits', async () => {
    const fake = interceptBigQueryQuery({ projectId: PROJECT, schema: simpleSchema, rows: [['1']] });
    const sql =
      'SELECT n FROM t WHERE name = @name AND n > @min AND ratio < @ratio AND active = @active ' +
      'AND day >= @from_day AND at < @until';
    await warehouse().query(
      {
        sql,
        params: {
          name: { type: 'STRING', value: HOSTILE },
          min: { type: 'INT64', value: 10 },
          ratio: { type: 'FLOAT64', value: 0.5 },
          active: { type: 'BOOL', value: true },
          from_day: { type: 'DATE', value: '2026-11-01' },
          until: { type: 'TIMESTAMP', value: '2026-11-02T00:00:00.000Z' },
        },
      },
      { labels: { metric: 'signups', env: 'prod' } },
    );

    expect(fake.requests).toHaveLength(1);
    const body = insertBody(fake.requests[0]);
    const q = body.configuration.query;
    expect(q.query).toBe(sql);
    expect(q.parameterMode).toBe('named');
    expect(q.queryParameters).toEqual([
      { name: 'name', parameterType: { type: 'STRING' }, parameterValue: { value: HOSTILE } },
      { name: 'min', parameterType: { type: 'INT64' }, parameterValue: { value: 10 } },
      { name: 'ratio', parameterType: { type: 'FLOAT64' }, parameterValue: { value: 0.5 } },
      { name: 'active', parameterType: { type: 'BOOL' }, parameterValue: { value: true } },
      { name: 'from_day', parameterType: { type: 'DATE' }, parameterValue: { value: '2026-11-01' } },
      { name: 'until', parameterType: { type: 'TIMESTAMP' }, parameterValue: { value: '2026-11-02T00:00:00.000Z' } },
    ]);
    // The hostile text travels once, as a parameter value, and never inside the SQL.
    expect(JSON.stringify(body).split('DROP TABLE').length - 1).toBe(1);
    expect(q.query).not.toContain('DROP');
    expect(q.maximumBytesBilled).toBe('1000000000');
    expect(q.useQueryCache).toBe(true);
    expect(q.useLegacySql).toBe(false);
    expect(body.configuration.jobTimeoutMs).toBe('5000');
    // Per-query labels win over the configured ones.
    expect(body.configuration.labels).toEqual({ app: 'analytics-bot', env: 'prod', metric: 'signups' });
    expect(body.jobReference).toMatchObject({ projectId: PROJECT, location: 'EU' });
  });

  test('leaves labels out when there are none', async () => {
    const fake = interceptBigQueryQuery({ projectId: PROJECT, schema: simpleSchema, rows: [['1']] });
    await warehouse({ labels: undefined }).query(simpleQuery);
    expect(insertBody(fake.requests[0]).configuration.labels).toBeUndefined();
  });

  test('rejects parameter values BigQuery would misread, before any request', async () => {
    const wh = warehouse();
    await expect(
      wh.query({ sql: 'SELECT @at', params: { at: { type: 'TIMESTAMP', value: 'next tuesday' } } }),
    ).rejects.toBeInstanceOf(WarehouseError);
    await expect(wh.query({ sql: 'SELECT @n', params: { n: { type: 'INT64', value: 2.5 } } })).rejects.toBeInstanceOf(
      WarehouseError,
    );
    await expect(wh.query({ sql: 'SELECT @d', params: { d: { type: 'DATE', value: '1/11/2026' } } })).rejects.toThrow(
      'Parameter d is not a DATE',
    );
  });
});

describe('BigQuery warehouse: results', () => {
  test('turns wire rows into plain values and reports bytes from the job', async () => {
    const fake = interceptBigQueryQuery({
      projectId: PROJECT,
      schema: [
        { name: 'day', type: 'DATE' },
        { name: 'at', type: 'TIMESTAMP' },
        { name: 'signups', type: 'INTEGER' },
        { name: 'revenue', type: 'NUMERIC' },
        { name: 'ratio', type: 'FLOAT' },
        { name: 'paid', type: 'BOOLEAN' },
        { name: 'country', type: 'STRING' },
        { name: 'big', type: 'BIGNUMERIC' },
        { name: 'local', type: 'DATETIME' },
        { name: 'tags', type: 'STRING', mode: 'REPEATED' },
      ],
      rows: [
        [
          '2026-11-01',
          '2026-11-01T09:30:00.000Z',
          '42',
          '1234.50',
          '0.25',
          'true',
          'DE',
          '12.5',
          '2026-11-01T09:30:00',
          ['a', 'b'],
        ],
        [null, null, null, null, null, null, null, null, null, []],
      ],
      totalBytesProcessed: 123_456,
    });
    const log = new RecordingLog();
    const result = await warehouse({}, log).query(simpleQuery);

    expect(result.rows).toEqual([
      {
        day: '2026-11-01',
        at: '2026-11-01T09:30:00.000Z',
        signups: 42,
        revenue: 1234.5,
        ratio: 0.25,
        paid: true,
        country: 'DE',
        big: 12.5,
        local: '2026-11-01T09:30:00',
        tags: ['a', 'b'],
      },
      {
        day: null,
        at: null,
        signups: null,
        revenue: null,
        ratio: null,
        paid: null,
        country: null,
        big: null,
        local: null,
        tags: [],
      },
    ]);
    expect(typeof result.rows[0]?.signups).toBe('number');
    expect(result.cacheHit).toBe(false);
    expect(result.bytesProcessed).toBe(123_456);
    // On-demand minimum: 10 MiB, read from jobs.get because getQueryResults does not carry it.
    expect(result.bytesBilled).toBe(10 * 1024 * 1024);
    expect(result.jobId).toBe(insertBody(fake.requests[0]).jobReference.jobId);
    expect(fake.paths.map((p) => p.split('?')[0]?.replace(result.jobId ?? '', '{job}'))).toEqual([
      `/bigquery/v2/projects/${PROJECT}/jobs`,
      `/bigquery/v2/projects/${PROJECT}/queries/{job}`,
      `/bigquery/v2/projects/${PROJECT}/jobs/{job}`,
    ]);
    expect(log.entries).toContainEqual({
      level: 'info',
      obj: expect.objectContaining({ jobId: result.jobId, bytesProcessed: 123_456, cacheHit: false, rows: 2 }),
      msg: 'bigquery query finished',
    });
  });

  test('keeps microseconds on TIMESTAMP values', async () => {
    interceptBigQueryQuery({
      projectId: PROJECT,
      schema: [{ name: 'at', type: 'TIMESTAMP' }],
      rows: [['2026-11-01T09:30:00.123456Z']],
    });
    const { rows } = await warehouse().query(simpleQuery);
    expect(rows).toEqual([{ at: '2026-11-01T09:30:00.123456Z' }]);
  });

  test('a cache hit bills nothing and needs no jobs.get', async () => {
    const fake = interceptBigQueryQuery({
      projectId: PROJECT,
      schema: simpleSchema,
      rows: [['7']],
      cacheHit: true,
      totalBytesProcessed: 0,
    });
    const result = await warehouse().query(simpleQuery);
    expect(result).toMatchObject({ rows: [{ n: 7 }], cacheHit: true, bytesBilled: 0, bytesProcessed: 0 });
    expect(fake.paths).toHaveLength(2);
  });

  test('follows page tokens until every row is read', async () => {
    const fake = interceptBigQueryQuery({
      projectId: PROJECT,
      schema: simpleSchema,
      rows: [['1'], ['2'], ['3'], ['4'], ['5']],
      pageSize: 2,
      cacheHit: true,
    });
    const { rows } = await warehouse().query(simpleQuery);
    expect(rows.map((r) => r.n)).toEqual([1, 2, 3, 4, 5]);
    expect(fake.paths.filter((p) => p.includes('/queries/'))).toHaveLength(3);
  });

  test('long-polls a running job until it completes', async () => {
    const fake = interceptBigQueryQuery({
      projectId: PROJECT,
      schema: simpleSchema,
      rows: [['9']],
      delayMs: 300,
    });
    const { rows } = await warehouse().query(simpleQuery);
    expect(rows).toEqual([{ n: 9 }]);
    const poll = fake.paths.find((p) => p.includes('/queries/'));
    expect(poll).toMatch(/[?&]timeoutMs=\d+/);
    expect(poll).toMatch(/[?&]location=EU/);
  });

  test('keeps polling, without spinning, when the server answers "not done" at once', async () => {
    const fake = interceptBigQueryQuery({
      projectId: PROJECT,
      schema: simpleSchema,
      rows: [['3']],
      delayMs: 700,
      holdPolls: false,
    });
    const { rows } = await warehouse().query(simpleQuery);
    expect(rows).toEqual([{ n: 3 }]);
    const polls = fake.paths.filter((p) => p.includes('/queries/')).length;
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThanOrEqual(8);
  });

  test('parallel queries each get their own job and rows', async () => {
    interceptBigQueryQuery({ projectId: PROJECT, schema: simpleSchema, rows: [['1']], sql: 'SELECT 1 AS n' });
    interceptBigQueryQuery({ projectId: PROJECT, schema: simpleSchema, rows: [['2']], sql: 'SELECT 2 AS n' });
    const wh = warehouse();
    const [one, two] = await Promise.all([
      wh.query({ sql: 'SELECT 1 AS n', params: {} }),
      wh.query({ sql: 'SELECT 2 AS n', params: {} }),
    ]);
    expect(one.rows).toEqual([{ n: 1 }]);
    expect(two.rows).toEqual([{ n: 2 }]);
    expect(one.jobId).not.toBe(two.jobId);
  });
});

describe('BigQuery warehouse: errors', () => {
  test('bytesBilledLimitExceeded becomes BytesLimitExceededError with the configured limit', async () => {
    interceptBigQueryQuery({
      projectId: PROJECT,
      schema: simpleSchema,
      rows: [],
      error: {
        code: 400,
        reason: 'bytesBilledLimitExceeded',
        message: 'Query exceeded limit for bytes billed: 1000000000. 2000000000 or higher required.',
      },
    });
    const err = await warehouse()
      .query(simpleQuery)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BytesLimitExceededError);
    expect((err as BytesLimitExceededError).limitBytes).toBe(1_000_000_000);
  });

  test('a job BigQuery timed out becomes WarehouseTimeoutError', async () => {
    interceptBigQueryQuery({
      projectId: PROJECT,
      schema: simpleSchema,
      rows: [],
      error: { code: 400, reason: 'timeout', message: 'Job execution was cancelled: Job timed out after 5s' },
    });
    const err = await warehouse()
      .query(simpleQuery)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WarehouseTimeoutError);
    expect((err as WarehouseTimeoutError).timeoutMs).toBe(5_000);
  });

  test('a job still running at jobTimeoutMs becomes WarehouseTimeoutError', async () => {
    interceptBigQueryQuery({ projectId: PROJECT, schema: simpleSchema, rows: [['1']], delayMs: 10_000 });
    const startedAt = Date.now();
    const err = await warehouse({ jobTimeoutMs: 400 })
      .query(simpleQuery)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WarehouseTimeoutError);
    expect((err as WarehouseTimeoutError).timeoutMs).toBe(400);
    expect(Date.now() - startedAt).toBeLessThan(3_000);
  });

  test('a 500 from getQueryResults becomes WarehouseError', async () => {
    interceptBigQueryQuery({
      projectId: PROJECT,
      schema: simpleSchema,
      rows: [],
      error: { code: 500, reason: 'backendError', message: 'Backend error. Please try again.' },
    });
    const err = await warehouse()
      .query(simpleQuery)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WarehouseError);
    expect((err as Error).message).toContain('HTTP 500 backendError');
    expect((err as Error).message).toContain('Backend error');
  });

  test('a 500 from jobs.insert becomes WarehouseError', async () => {
    interceptBigQueryQuery({
      projectId: PROJECT,
      schema: simpleSchema,
      rows: [],
      error: { code: 500, reason: 'internalError', message: 'Internal error.' },
      errorAt: 'insert',
    });
    await expect(warehouse().query(simpleQuery)).rejects.toBeInstanceOf(WarehouseError);
  });

  test('error messages carry no credentials', async () => {
    interceptBigQueryQuery({
      projectId: PROJECT,
      schema: simpleSchema,
      rows: [],
      error: {
        code: 403,
        reason: 'accessDenied',
        message: 'Access Denied: Bearer ya29.a0AfB_secret-token for https://x.test/?access_token=abc123',
      },
      errorAt: 'insert',
    });
    const log = new RecordingLog();
    const err = await warehouse({}, log)
      .query(simpleQuery)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WarehouseError);
    const message = (err as Error).message;
    expect(message).toContain('HTTP 403 accessDenied');
    expect(message).not.toMatch(/ya29|secret-token|abc123/);
    expect((err as Error).cause).toBeUndefined();
    expect(JSON.stringify(log.entries)).not.toMatch(/ya29|secret-token|abc123/);
  });
});

describe('BigQuery warehouse: dry run', () => {
  test('returns the bytes the query would scan', async () => {
    const fake = interceptBigQueryDryRun({ projectId: PROJECT, totalBytesProcessed: 987_654_321 });
    const result = await warehouse().dryRun({
      sql: 'SELECT * FROM t WHERE day >= @from_day',
      params: { from_day: { type: 'DATE', value: '2026-11-01' } },
    });
    expect(result).toEqual({ bytesProcessed: 987_654_321 });
    const body = insertBody(fake.requests[0]);
    expect(body.configuration.dryRun).toBe(true);
    expect(body.configuration.query.query).toBe('SELECT * FROM t WHERE day >= @from_day');
    expect(body.configuration.query.queryParameters).toEqual([
      { name: 'from_day', parameterType: { type: 'DATE' }, parameterValue: { value: '2026-11-01' } },
    ]);
    expect(body.jobReference.location).toBe('EU');
  });

  test('an invalid query becomes WarehouseError with BigQuery’s reason', async () => {
    interceptBigQueryDryRun({
      projectId: PROJECT,
      totalBytesProcessed: 0,
      error: { code: 400, reason: 'invalidQuery', message: 'Unrecognized name: nope at [1:8]' },
    });
    const err = await warehouse()
      .dryRun({ sql: 'SELECT nope', params: {} })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WarehouseError);
    expect((err as Error).message).toContain('Unrecognized name: nope');
  });
});

describe('BigQuery warehouse: client setup', () => {
  test('honours BIGQUERY_EMULATOR_HOST when no apiEndpoint is given', async () => {
    const saved = process.env.BIGQUERY_EMULATOR_HOST;
    process.env.BIGQUERY_EMULATOR_HOST = BIGQUERY_TEST_ENDPOINT;
    try {
      const fake = interceptBigQueryQuery({ projectId: PROJECT, schema: simpleSchema, rows: [['5']], cacheHit: true });
      const result = await warehouse({ apiEndpoint: undefined }).query(simpleQuery);
      expect(result.rows).toEqual([{ n: 5 }]);
      expect(fake.requests).toHaveLength(1);
      // The client uses the emulator host as its base URL as is, without the /bigquery/v2 prefix.
      expect(fake.paths[0]).toMatch(new RegExp(`^/projects/${PROJECT}/jobs`));
    } finally {
      if (saved === undefined) delete process.env.BIGQUERY_EMULATOR_HOST;
      else process.env.BIGQUERY_EMULATOR_HOST = saved;
    }
  });

  test('kind is bigquery and close resolves', async () => {
    const wh = warehouse();
    expect(wh.kind).toBe('bigquery');
    await expect(wh.close()).resolves.toBeUndefined();
  });
});
