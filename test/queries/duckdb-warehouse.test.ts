import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEMO_TABLES } from '../../src/queries/demo-dataset.js';
import { createDuckDbWarehouse, type DuckDbWarehouse } from '../../src/queries/duckdb-warehouse.js';
import {
  type CompiledQuery,
  type QueryParam,
  WarehouseError,
  WarehouseTimeoutError,
} from '../../src/queries/warehouse.js';

const ANCHOR = '2026-11-28';
const FIRST_DAY = '2026-08-31'; // ANCHOR - 89 days
const DATA_TABLES = DEMO_TABLES.filter((table) => table !== 'demo_meta');
// Never finishes in test time: ~10^13 hashes.
const SLOW_SQL = 'SELECT sum(hash(i)) AS s FROM range(10000000000000) t(i)';

const sql = (text: string, params: Record<string, QueryParam> = {}): CompiledQuery => ({ sql: text, params });

async function rows(warehouse: DuckDbWarehouse, text: string, params: Record<string, QueryParam> = {}) {
  return (await warehouse.query(sql(text, params))).rows;
}

async function one(warehouse: DuckDbWarehouse, text: string, params: Record<string, QueryParam> = {}) {
  const [row] = await rows(warehouse, text, params);
  if (!row) throw new Error(`no rows for ${text}`);
  return row;
}

/** Order-independent fingerprint of a table's full contents. */
async function checksums(warehouse: DuckDbWarehouse): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const table of DATA_TABLES) {
    out[table] = await one(warehouse, `SELECT count(*) AS n, sum(hash(t) % 1000000007) AS s FROM ${table} t`);
  }
  return out;
}

let warehouse: DuckDbWarehouse;

beforeAll(async () => {
  warehouse = await createDuckDbWarehouse({ path: ':memory:', seedAnchor: ANCHOR });
});

afterAll(async () => {
  await warehouse?.close();
});

describe('demo dataset', () => {
  it('is deterministic for a given anchor', async () => {
    const other = await createDuckDbWarehouse({ path: ':memory:', seedAnchor: ANCHOR });
    try {
      expect(other.anchorDate).toBe(ANCHOR);
      expect(await checksums(other)).toEqual(await checksums(warehouse));
    } finally {
      await other.close();
    }
  });

  it('has the contracted columns and types', async () => {
    const columns = await rows(
      warehouse,
      `SELECT table_name || '.' || column_name || ' ' || data_type AS c FROM information_schema.columns
       WHERE table_schema = 'main' ORDER BY table_name, ordinal_position`,
    );
    expect(columns.map((row) => row.c)).toEqual([
      'demo_meta.anchor_date DATE',
      'demo_meta.generated_at TIMESTAMP WITH TIME ZONE',
      'demo_meta.version INTEGER',
      'events.event_id VARCHAR',
      'events.user_id VARCHAR',
      'events.event_name VARCHAR',
      'events.occurred_at TIMESTAMP WITH TIME ZONE',
      'events.plan VARCHAR',
      'events.country VARCHAR',
      'events.client VARCHAR',
      'instance_pings.instance_id VARCHAR',
      'instance_pings.pinged_at TIMESTAMP WITH TIME ZONE',
      'instance_pings.deployment_type VARCHAR',
      'instance_pings.version VARCHAR',
      'instance_pings.country VARCHAR',
      'instance_pings.active_users INTEGER',
      'instance_pings.searches INTEGER',
      'marketing_spend.spend_date DATE',
      'marketing_spend.channel VARCHAR',
      'marketing_spend.amount_usd DOUBLE',
      'signups.user_id VARCHAR',
      'signups.signed_up_at TIMESTAMP WITH TIME ZONE',
      'signups.plan VARCHAR',
      'signups.country VARCHAR',
      'signups.source VARCHAR',
      'trials.trial_id VARCHAR',
      'trials.account_name VARCHAR',
      'trials.started_at TIMESTAMP WITH TIME ZONE',
      'trials.converted BOOLEAN',
      'trials.converted_at TIMESTAMP WITH TIME ZONE',
      'trials.plan VARCHAR',
      'trials.deployment_type VARCHAR',
      'trials.country VARCHAR',
      'web_sessions.session_id VARCHAR',
      'web_sessions.started_at TIMESTAMP WITH TIME ZONE',
      'web_sessions.site VARCHAR',
      'web_sessions.channel VARCHAR',
      'web_sessions.country VARCHAR',
      'web_sessions.pageviews INTEGER',
      'web_sessions.bounced BOOLEAN',
    ]);
  });

  it('has realistic volumes and stable per-entity attributes', async () => {
    const events = await one(
      warehouse,
      `SELECT count(*) AS n, count(DISTINCT user_id) AS users, count(DISTINCT event_id) AS ids,
         mode(event_name) AS top_event FROM events`,
    );
    expect(events.n).toBeGreaterThanOrEqual(150_000);
    expect(events.n).toBeLessThanOrEqual(250_000);
    expect(events.ids).toBe(events.n);
    expect(events.users).toBeGreaterThan(2_500);
    expect(events.users).toBeLessThan(3_500);
    expect(events.top_event).toBe('search');

    const unstable = await one(
      warehouse,
      `SELECT
         (SELECT count(*) FROM (SELECT user_id FROM events GROUP BY 1
           HAVING count(DISTINCT plan) > 1 OR count(DISTINCT country) > 1)) AS users,
         (SELECT count(*) FROM (SELECT instance_id FROM instance_pings GROUP BY 1
           HAVING count(DISTINCT deployment_type) > 1 OR count(DISTINCT country) > 1)) AS instances`,
    );
    expect(unstable).toEqual({ users: 0, instances: 0 });

    const other = await one(
      warehouse,
      `SELECT
         (SELECT count(DISTINCT instance_id) FROM instance_pings) AS instances,
         (SELECT count(*) FROM marketing_spend) AS spend_rows,
         (SELECT count(DISTINCT (spend_date, channel)) FROM marketing_spend) AS spend_keys,
         (SELECT avg(converted::INT) FROM trials) AS conversion,
         (SELECT count(*) FROM trials WHERE converted <> (converted_at IS NOT NULL)) AS bad_conversions`,
    );
    expect(other).toEqual({
      instances: 400,
      spend_rows: 360,
      spend_keys: 360,
      conversion: expect.any(Number),
      bad_conversions: 0,
    });
    expect(other.conversion).toBeGreaterThan(0.2);
    expect(other.conversion).toBeLessThan(0.3);

    const weekdays = await rows(
      warehouse,
      `SELECT t, avg(n) AS per_weekday FROM (
         SELECT 'signups' AS t, signed_up_at::DATE AS d, count(*) AS n FROM signups GROUP BY ALL
         UNION ALL SELECT 'web_sessions', started_at::DATE, count(*) FROM web_sessions GROUP BY ALL
         UNION ALL SELECT 'trials', started_at::DATE, count(*) FROM trials GROUP BY ALL
       ) WHERE isodow(d) <= 5 GROUP BY t ORDER BY t`,
    );
    const perWeekday = Object.fromEntries(weekdays.map((row) => [row.t, row.per_weekday as number]));
    expect(perWeekday.signups).toBeGreaterThan(30);
    expect(perWeekday.signups).toBeLessThan(80);
    expect(perWeekday.web_sessions).toBeGreaterThan(1_500);
    expect(perWeekday.web_sessions).toBeLessThan(3_000);
    expect(perWeekday.trials).toBeGreaterThan(5);
    expect(perWeekday.trials).toBeLessThan(15);
  });

  it('keeps every timestamp within the 90 days ending on the anchor (UTC)', async () => {
    const columns: Array<[string, string]> = [
      ['events', 'occurred_at'],
      ['instance_pings', 'pinged_at'],
      ['signups', 'signed_up_at'],
      ['web_sessions', 'started_at'],
      ['trials', 'started_at'],
      ['trials', 'converted_at'],
    ];
    const start = `${FIRST_DAY}T00:00:00.000Z`;
    const end = `${ANCHOR}T23:59:59.000Z`;
    for (const [table, column] of columns) {
      const bounds = await one(
        warehouse,
        `SELECT min(${column}) AS lo, max(${column}) AS hi,
           count(*) FILTER (WHERE ${column} < $start OR ${column} > $end) AS outside
         FROM ${table}`,
        { start: { type: 'TIMESTAMP', value: start }, end: { type: 'TIMESTAMP', value: end } },
      );
      expect({ table, column, outside: bounds.outside }).toEqual({ table, column, outside: 0 });
      expect((bounds.lo as string) >= start && (bounds.hi as string) <= end).toBe(true);
    }
    // The busy tables cover both ends of the window.
    const days = await one(
      warehouse,
      `SELECT min(occurred_at::DATE) AS first, max(occurred_at::DATE) AS last,
         count(DISTINCT occurred_at::DATE) AS days FROM events`,
    );
    expect(days).toEqual({ first: FIRST_DAY, last: ANCHOR, days: 90 });
    const spend = await one(warehouse, 'SELECT min(spend_date) AS first, max(spend_date) AS last FROM marketing_spend');
    expect(spend).toEqual({ first: FIRST_DAY, last: ANCHOR });
    expect(await one(warehouse, 'SELECT anchor_date, version FROM demo_meta')).toEqual({
      anchor_date: ANCHOR,
      version: 1,
    });
  });

  it('has more activity on weekdays than weekends, and grows over the window', async () => {
    const seasonality = await one(
      warehouse,
      `SELECT avg(n) FILTER (WHERE isodow(d) <= 5) AS weekday, avg(n) FILTER (WHERE isodow(d) >= 6) AS weekend
       FROM (SELECT occurred_at::DATE AS d, count(*) AS n FROM events GROUP BY 1)`,
    );
    const ratio = (seasonality.weekday as number) / (seasonality.weekend as number);
    expect(ratio).toBeGreaterThan(2);
    expect(ratio).toBeLessThan(3.5);

    const growth = await one(
      warehouse,
      `SELECT count(*) FILTER (WHERE occurred_at >= $late) / count(*) FILTER (WHERE occurred_at < $early) AS ratio
       FROM events`,
      {
        early: { type: 'DATE', value: '2026-09-28' }, // first four weeks
        late: { type: 'DATE', value: '2026-11-01' }, // last four weeks
      },
    );
    expect(growth.ratio).toBeGreaterThan(1.03);
    expect(growth.ratio).toBeLessThan(1.5);
  });
});

describe('DuckDB warehouse', () => {
  it('binds every QueryParam type with the right DuckDB type', async () => {
    const tricky = `O'Brien said "hi"; '; DROP TABLE events; --`;
    const row = await one(
      warehouse,
      `SELECT $s AS s, typeof($s) AS ts, $i AS i, typeof($i) AS ti, $f AS f, typeof($f) AS tf,
         $b AS b, typeof($b) AS tb, $d AS d, typeof($d) AS td, $t AS t, typeof($t) AS tt`,
      {
        s: { type: 'STRING', value: tricky },
        i: { type: 'INT64', value: 9_007_199_254_740_991 },
        f: { type: 'FLOAT64', value: 0.25 },
        b: { type: 'BOOL', value: true },
        d: { type: 'DATE', value: '2026-11-01' },
        t: { type: 'TIMESTAMP', value: '2026-11-01T12:34:56.789Z' },
        unused: { type: 'STRING', value: 'ignored' },
      },
    );
    expect(row).toEqual({
      s: tricky,
      ts: 'VARCHAR',
      i: 9_007_199_254_740_991,
      ti: 'BIGINT',
      f: 0.25,
      tf: 'DOUBLE',
      b: true,
      tb: 'BOOLEAN',
      d: '2026-11-01',
      td: 'DATE',
      t: '2026-11-01T12:34:56.789Z',
      tt: 'TIMESTAMP WITH TIME ZONE',
    });
  });

  it('treats injection attempts in params as data', async () => {
    const attack: QueryParam = { type: 'STRING', value: "'; DROP TABLE events; --" };
    expect(await one(warehouse, 'SELECT count(*) AS n FROM events WHERE country = $c', { c: attack })).toEqual({
      n: 0,
    });
    expect(await one(warehouse, 'SELECT count(*) > 0 AS ok FROM events')).toEqual({ ok: true });
  });

  it('filters TIMESTAMPTZ columns with DATE and TIMESTAMP params consistently in UTC', async () => {
    const byDate = await one(warehouse, 'SELECT count(*) AS n FROM events WHERE occurred_at::DATE = $d', {
      d: { type: 'DATE', value: '2026-11-02' },
    });
    const byRange = await one(
      warehouse,
      'SELECT count(*) AS n FROM events WHERE occurred_at >= $a AND occurred_at < $b',
      {
        a: { type: 'TIMESTAMP', value: '2026-11-02T01:00:00+01:00' }, // = midnight UTC
        b: { type: 'TIMESTAMP', value: '2026-11-03T00:00:00Z' },
      },
    );
    expect(byDate.n).toBeGreaterThan(0);
    expect(byRange).toEqual(byDate);
  });

  it('returns plain JS values', async () => {
    const row = await one(
      warehouse,
      `SELECT 12::HUGEINT AS huge, 3::BIGINT AS big, 1.50::DECIMAL(10, 2) AS dec, sum(x) AS total, NULL AS nothing,
         DATE '2026-01-02' AS day, TIMESTAMP '2026-01-02 03:04:05' AS naive, [1, 2] AS list, {'a': 1} AS struct
       FROM (VALUES (1), (2)) v(x)`,
    );
    expect(row).toEqual({
      huge: 12,
      big: 3,
      dec: 1.5,
      total: 3,
      nothing: null,
      day: '2026-01-02',
      naive: '2026-01-02T03:04:05.000Z',
      list: [1, 2],
      struct: { a: 1 },
    });
    const result = await warehouse.query(sql('SELECT 1 AS x'));
    expect(result).toEqual({ rows: [{ x: 1 }], bytesProcessed: null, bytesBilled: null, cacheHit: false });
  });

  it('reports bad SQL, bad params and missing params as WarehouseError', async () => {
    await expect(warehouse.query(sql('SELEC 1'))).rejects.toThrow(WarehouseError);
    await expect(warehouse.query(sql('SELECT * FROM no_such_table'))).rejects.toThrow(/no_such_table/);
    await expect(warehouse.query(sql('SELECT $x AS x'))).rejects.toThrow(/\$x/);
    await expect(
      warehouse.query(sql('SELECT $d AS d', { d: { type: 'DATE', value: '2026-02-30' } })),
    ).rejects.toBeInstanceOf(WarehouseError);
    await expect(
      warehouse.query(sql('SELECT $t AS t', { t: { type: 'TIMESTAMP', value: '2026-02-01T00:00:00' } })),
    ).rejects.toBeInstanceOf(WarehouseError);
  });

  it('dry-runs by preparing and binding', async () => {
    await expect(
      warehouse.dryRun(sql('SELECT count(*) FROM events WHERE plan = $p', { p: { type: 'STRING', value: 'pro' } })),
    ).resolves.toEqual({ bytesProcessed: 0 });
    await expect(warehouse.dryRun(sql('SELECT nope FROM events'))).rejects.toBeInstanceOf(WarehouseError);
    await expect(warehouse.dryRun(sql('SELECT $p AS p'))).rejects.toBeInstanceOf(WarehouseError);
  });

  it('serves 20 parallel queries', async () => {
    const countries = ['US', 'DE', 'GB', 'IN', 'FR', 'BR', 'JP', 'CA'];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        one(warehouse, 'SELECT $i AS i, count(*) AS n FROM events WHERE country = $c AND occurred_at < $t', {
          i: { type: 'INT64', value: i },
          c: { type: 'STRING', value: countries[i % countries.length]! },
          t: { type: 'TIMESTAMP', value: `${ANCHOR}T00:00:00Z` },
        }),
      ),
    );
    expect(results.map((row) => row.i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    for (const [i, row] of results.entries()) expect(row.n).toBe(results[i % countries.length]?.n);
    expect(results.every((row) => (row.n as number) > 0)).toBe(true);
  });

  it('times out slow queries, including ones queued behind them, and recovers', async () => {
    const slow = await createDuckDbWarehouse({ path: ':memory:', seedAnchor: ANCHOR, timeoutMs: 150, connections: 1 });
    try {
      const started = Date.now();
      const results = await Promise.allSettled([slow.query(sql(SLOW_SQL)), slow.query(sql('SELECT 1 AS x'))]);
      expect(Date.now() - started).toBeLessThan(3_000);
      for (const result of results) {
        expect(result.status).toBe('rejected');
        if (result.status === 'rejected') {
          expect(result.reason).toBeInstanceOf(WarehouseTimeoutError);
          expect((result.reason as WarehouseTimeoutError).timeoutMs).toBe(150);
        }
      }
      // The interrupted connection comes back to the pool in working order.
      expect((await slow.query(sql('SELECT 1 AS x'))).rows).toEqual([{ x: 1 }]);
    } finally {
      await slow.close();
    }
    await expect(slow.query(sql('SELECT 1'))).rejects.toBeInstanceOf(WarehouseError);
  });

  it('reuses an existing database file instead of regenerating it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'duckdb-warehouse-'));
    const file = path.join(dir, 'nested', 'demo.duckdb');
    try {
      const first = await createDuckDbWarehouse({ path: file, seedAnchor: ANCHOR });
      const generated = await one(first, 'SELECT generated_at FROM demo_meta');
      const before = await checksums(first);
      await first.query(sql('CREATE TABLE reuse_marker AS SELECT 42 AS v'));
      await first.close();

      const second = await createDuckDbWarehouse({ path: file, seedAnchor: '2025-01-01' });
      try {
        expect(second.anchorDate).toBe(ANCHOR);
        expect(await one(second, 'SELECT generated_at FROM demo_meta')).toEqual(generated);
        expect(await one(second, 'SELECT v FROM reuse_marker')).toEqual({ v: 42 });
        expect(await checksums(second)).toEqual(before);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
