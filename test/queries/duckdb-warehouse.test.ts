import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DEMO_DATASET_DAYS,
  DEMO_DATASET_VERSION,
  DEMO_TABLES,
  demoDatasetFacts,
  isDemoDatasetStale,
} from '../../src/queries/demo-dataset.js';
import { createDuckDbWarehouse, type DuckDbWarehouse } from '../../src/queries/duckdb-warehouse.js';
import {
  type CompiledQuery,
  type QueryParam,
  WarehouseError,
  WarehouseTimeoutError,
} from '../../src/queries/warehouse.js';

// Generated on a Sunday morning: that day is partial, the planted week is the one before.
const NOW = new Date('2026-11-29T10:00:00Z');
const FIRST_DAY = '2026-06-01'; // 181 days before
const LAST_COMPLETE_DAY = '2026-11-28';
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

/** Robust z-score of `value` against `baseline` (median and MAD scaled to a standard deviation). */
function robustZ(value: number, baseline: number[]): number {
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  };
  const m = median(baseline);
  const mad = median(baseline.map((x) => Math.abs(x - m))) * 1.4826;
  return (value - m) / mad;
}

let warehouse: DuckDbWarehouse;

beforeAll(async () => {
  warehouse = await createDuckDbWarehouse({ path: ':memory:', now: () => NOW });
});

afterAll(async () => {
  await warehouse?.close();
});

describe('demo dataset facts', () => {
  it('names the generation day, the last complete week and the anomaly day', () => {
    expect(demoDatasetFacts(NOW)).toMatchObject({
      firstDay: FIRST_DAY,
      lastDay: '2026-11-29',
      lastCompleteDay: LAST_COMPLETE_DAY,
      change: { metric: 'searches', dimension: 'country', value: 'DE', weekStart: '2026-11-16', weekEnd: '2026-11-22' },
      anomaly: { metric: 'signups', day: LAST_COMPLETE_DAY },
    });
    // The week ending on the generation day is complete only once that Sunday is over.
    expect(demoDatasetFacts(new Date('2026-11-29T23:59:59Z')).change.weekStart).toBe('2026-11-16');
    expect(demoDatasetFacts(new Date('2026-11-30T00:00:00Z')).change).toMatchObject({
      weekStart: '2026-11-23',
      weekEnd: '2026-11-29',
    });
    expect(demoDatasetFacts(new Date('2026-12-02T08:00:00Z')).anomaly.day).toBe('2026-12-01');
  });

  it('is stale when generated on an earlier UTC day or by another version', () => {
    const meta = { generatedAt: NOW, version: DEMO_DATASET_VERSION };
    expect(isDemoDatasetStale(meta, new Date('2026-11-29T23:59:59Z'))).toBe(false);
    expect(isDemoDatasetStale(meta, new Date('2026-11-30T00:00:00Z'))).toBe(true);
    expect(isDemoDatasetStale({ ...meta, version: DEMO_DATASET_VERSION - 1 }, NOW)).toBe(true);
  });
});

describe('demo dataset', () => {
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
    expect(events.n).toBeGreaterThanOrEqual(250_000);
    expect(events.n).toBeLessThanOrEqual(400_000);
    expect(events.ids).toBe(events.n);
    expect(events.users).toBeGreaterThan(2_300);
    expect(events.users).toBeLessThan(3_300);
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
      spend_rows: 4 * (DEMO_DATASET_DAYS - 1), // four channels, complete days only
      spend_keys: 4 * (DEMO_DATASET_DAYS - 1),
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
    expect(perWeekday.web_sessions).toBeGreaterThan(800);
    expect(perWeekday.web_sessions).toBeLessThan(1_500);
    expect(perWeekday.trials).toBeGreaterThan(5);
    expect(perWeekday.trials).toBeLessThan(15);
  });

  it('holds no row later than the instant it was generated, and covers every day from the first on', async () => {
    const columns: Array<[string, string]> = [
      ['events', 'occurred_at'],
      ['instance_pings', 'pinged_at'],
      ['signups', 'signed_up_at'],
      ['web_sessions', 'started_at'],
      ['trials', 'started_at'],
      ['trials', 'converted_at'],
    ];
    const start = `${FIRST_DAY}T00:00:00.000Z`;
    const end = NOW.toISOString();
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
    // The busy tables cover both ends, the generation day up to its last hour.
    const days = await one(
      warehouse,
      `SELECT min(occurred_at::DATE) AS first, max(occurred_at::DATE) AS last, max(occurred_at) AS latest,
         count(DISTINCT occurred_at::DATE) AS days FROM events`,
    );
    expect(days).toMatchObject({ first: FIRST_DAY, last: '2026-11-29', days: DEMO_DATASET_DAYS });
    expect(days.latest as string).toMatch(/^2026-11-29T09:/);
    // A day's spend is known once the day is over.
    const spend = await one(warehouse, 'SELECT min(spend_date) AS first, max(spend_date) AS last FROM marketing_spend');
    expect(spend).toEqual({ first: FIRST_DAY, last: LAST_COMPLETE_DAY });
    expect(await one(warehouse, 'SELECT anchor_date, generated_at, version FROM demo_meta')).toEqual({
      anchor_date: '2026-11-29',
      generated_at: NOW.toISOString(),
      version: DEMO_DATASET_VERSION,
    });
    expect(warehouse.demo).toEqual(demoDatasetFacts(NOW));
  });

  it('has the planted change: DE searches carry the drop of the last complete week', async () => {
    // Independent of the generator: searches per country, that week against the one before.
    const byCountry = await rows(
      warehouse,
      `SELECT country,
         count(*) FILTER (WHERE occurred_at >= $cur) AS cur,
         count(*) FILTER (WHERE occurred_at < $cur) AS prev
       FROM events
       WHERE event_name = 'search' AND occurred_at >= $prev AND occurred_at < $next
       GROUP BY country ORDER BY cur - prev`,
      {
        prev: { type: 'DATE', value: '2026-11-09' },
        cur: { type: 'DATE', value: '2026-11-16' },
        next: { type: 'DATE', value: '2026-11-23' },
      },
    );
    const change = (row: Record<string, unknown>) => (row.cur as number) - (row.prev as number);
    const total = byCountry.reduce((sum, row) => sum + change(row), 0);
    const [top, second] = byCountry;
    expect(top?.country).toBe('DE');
    expect((top?.cur as number) / (top?.prev as number)).toBeLessThan(0.5); // a sharp drop
    expect(total).toBeLessThan(0);
    expect(change(top!) / total).toBeGreaterThan(0.7); // most of the total change
    expect(Math.abs(change(second!))).toBeLessThan(Math.abs(change(top!)) / 3); // and clearly ahead of the rest
  });

  it('has the planted anomaly: sign-ups on the last complete day, against the same weekday of 8 weeks', async () => {
    const perDay = async (sql: string) =>
      (
        await rows(
          warehouse,
          `SELECT d, count(*) AS n FROM (${sql}) WHERE isodow(d) = isodow($day)
          AND d BETWEEN $day - 56 AND $day GROUP BY d ORDER BY d`,
          {
            day: { type: 'DATE', value: LAST_COMPLETE_DAY },
          },
        )
      ).map((row) => row.n as number);
    const signups = await perDay('SELECT signed_up_at::DATE AS d FROM signups');
    expect(signups).toHaveLength(9);
    expect(robustZ(signups.at(-1)!, signups.slice(0, 8))).toBeGreaterThan(6);
    // Nothing else is unusual that day.
    const searches = await perDay("SELECT occurred_at::DATE AS d FROM events WHERE event_name = 'search'");
    expect(Math.abs(robustZ(searches.at(-1)!, searches.slice(0, 8)))).toBeLessThan(3);
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
        early: { type: 'DATE', value: '2026-06-29' }, // first four weeks
        late: { type: 'DATE', value: '2026-11-01' }, // the last four weeks and a bit of the generation day
      },
    );
    expect(growth.ratio).toBeGreaterThan(1.03);
    expect(growth.ratio).toBeLessThan(1.8);
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
          t: { type: 'TIMESTAMP', value: `${LAST_COMPLETE_DAY}T00:00:00Z` },
        }),
      ),
    );
    expect(results.map((row) => row.i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    for (const [i, row] of results.entries()) expect(row.n).toBe(results[i % countries.length]?.n);
    expect(results.every((row) => (row.n as number) > 0)).toBe(true);
  });

  describe('on a database file', () => {
    // Writing a generated dataset to a file takes a few seconds on a busy 2-core machine.
    const GENERATES = 60_000;
    let dir: string;
    let file: string;
    let clock: Date;
    const open = (extra: { timeoutMs?: number; connections?: number } = {}) =>
      createDuckDbWarehouse({ path: file, now: () => clock, ...extra });
    const generatedAt = async (w: DuckDbWarehouse) => (await one(w, 'SELECT generated_at FROM demo_meta')).generated_at;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'duckdb-warehouse-'));
      file = path.join(dir, 'nested', 'demo.duckdb');
      clock = NOW;
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it(
      'generates once, then reuses the file the same day and regenerates it on a later day',
      async () => {
        const first = await open();
        const before = await checksums(first);
        expect(before).toEqual(await checksums(warehouse)); // deterministic for a given generation instant
        await first.query(sql('CREATE TABLE reuse_marker AS SELECT 42 AS v'));
        await first.close();

        clock = new Date('2026-11-29T23:30:00Z'); // same UTC day: reused as is
        const second = await open();
        try {
          expect(await generatedAt(second)).toBe(NOW.toISOString());
          expect(await one(second, 'SELECT v FROM reuse_marker')).toEqual({ v: 42 });
          expect(await checksums(second)).toEqual(before);
        } finally {
          await second.close();
        }

        clock = new Date('2026-12-01T08:00:00Z'); // its last complete day is now older than yesterday
        const third = await open();
        try {
          expect(third.anchorDate).toBe('2026-12-01');
          expect(await generatedAt(third)).toBe('2026-12-01T08:00:00.000Z');
          expect(
            await one(third, 'SELECT max(occurred_at) <= $t AS ok FROM events', {
              t: { type: 'TIMESTAMP', value: clock.toISOString() },
            }),
          ).toEqual({ ok: true });
        } finally {
          await third.close();
        }
      },
      GENERATES,
    );

    it(
      'regenerates a file written by another dataset version',
      async () => {
        const w = await open();
        await w.query(sql(`UPDATE demo_meta SET version = ${DEMO_DATASET_VERSION - 1}`));
        await w.close();
        clock = new Date(clock.getTime() + 60_000);
        const again = await open();
        try {
          expect(await one(again, 'SELECT version, generated_at FROM demo_meta')).toEqual({
            version: DEMO_DATASET_VERSION,
            generated_at: clock.toISOString(),
          });
        } finally {
          await again.close();
        }
      },
      GENERATES,
    );

    it(
      'regenerates while running when the day changes, before the next query',
      async () => {
        const w = await open();
        try {
          const generated = await generatedAt(w);
          expect(await generatedAt(w)).toBe(generated); // same day: nothing happens
          clock = new Date('2026-12-02T00:05:00Z');
          const [a, b] = await Promise.all([generatedAt(w), generatedAt(w)]);
          expect([a, b]).toEqual(['2026-12-02T00:05:00.000Z', '2026-12-02T00:05:00.000Z']);
          expect(w.demo.change.weekStart).toBe('2026-11-23');
        } finally {
          await w.close();
        }
      },
      GENERATES,
    );

    it(
      'a close during the background generation returns promptly; the next start generates a complete dataset',
      async () => {
        const other = path.join(dir, 'interrupted.duckdb');
        const first = await createDuckDbWarehouse({ path: other, now: () => clock });
        const closing = Date.now();
        await first.close(); // interrupts the generation that started in the background
        expect(Date.now() - closing).toBeLessThan(10_000);

        const second = await createDuckDbWarehouse({ path: other, now: () => clock });
        try {
          expect(await one(second, 'SELECT count(*) AS n, max(version) AS version FROM demo_meta')).toEqual({
            n: 1,
            version: DEMO_DATASET_VERSION,
          });
          expect(await one(second, 'SELECT count(*) > 100000 AS full FROM events')).toEqual({ full: true });
        } finally {
          await second.close();
        }
      },
      GENERATES,
    );

    it('times out slow queries, including ones queued behind them, and recovers', async () => {
      const slow = await open({ timeoutMs: 150, connections: 1 }); // reuses the file: no generation under the deadline
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
  });
});
