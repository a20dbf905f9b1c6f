/**
 * The value index: every dimension's distinct values, learnt from the warehouse itself, so "pro accounts", "on
 * 5.1" or "helm installs" are read as filters; and where each metric's data starts and ends, so answers can say
 * when a range runs past the data. Built at start and on a schedule; persisted in DATA_DIR so a restart answers
 * with the last snapshot at once. On BigQuery each query is bounded (a recent window, a row limit) and capped in
 * bytes billed; values are grouped per (table, column), so shared tables are read once per dimension.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { TaskTracker } from '../tasks.js';
import type { Metric, MetricCatalog } from './catalog.js';
import type { DataCoverage } from './metric-service.js';
import type { DimensionValues } from './question.js';
import type { QueryParam, Warehouse } from './warehouse.js';

export const VALUE_INDEX_FILE = 'value-index.json';
const SNAPSHOT_VERSION = 1;

export interface ValueSnapshot {
  version: typeof SNAPSHOT_VERSION;
  builtAt: string;
  warehouse: string;
  /** Dimension name → distinct values (most frequent first). */
  values: Record<string, string[]>;
  /** Metric name → first and last day with rows, in the metric time zone. */
  coverage: Record<string, DataCoverage>;
}

export interface ValueIndexOptions {
  catalog: MetricCatalog;
  warehouse: Warehouse;
  logger: Logger;
  /** Time zone in which coverage days are read (METRICS_TIMEZONE). */
  timezone: string;
  /** Where the snapshot is persisted; no persistence when absent. */
  dataDir?: string;
  clock?: () => Date;
  /** How often the index is rebuilt; 0 disables the schedule. */
  refreshMs?: number;
  /** At most this many values per dimension. */
  maxValues?: number;
  /** Values are read from this many recent days (partition pruning on BigQuery). */
  lookbackDays?: number;
  /** Per-query cap on bytes billed (BigQuery). */
  maximumBytesBilled?: number;
  /** Scheduled rebuilds are tracked here (shutdown finishes them; tests settle on them). */
  tasks?: TaskTracker;
}

type Listener = (snapshot: ValueSnapshot) => void;

const quote = (dialect: string, ident: string) => (dialect === 'bigquery' ? `\`${ident}\`` : `"${ident}"`);
const quoteTable = (dialect: string, table: string) =>
  dialect === 'bigquery'
    ? `\`${table}\``
    : table
        .split('.')
        .map((p) => `"${p}"`)
        .join('.');

export class ValueIndex {
  readonly #opts: Required<Omit<ValueIndexOptions, 'dataDir'>> & { dataDir?: string };
  #snapshot: ValueSnapshot | null = null;
  #timer: NodeJS.Timeout | undefined;
  #listeners: Listener[] = [];
  #refreshing: Promise<ValueSnapshot> | null = null;
  #stopped = false;

  constructor(opts: ValueIndexOptions) {
    this.#opts = {
      clock: () => new Date(),
      refreshMs: 6 * 3600_000,
      maxValues: 200,
      lookbackDays: 90,
      maximumBytesBilled: 1_000_000_000,
      ...opts,
      tasks: opts.tasks ?? new TaskTracker(),
    };
  }

  get snapshot(): ValueSnapshot | null {
    return this.#snapshot;
  }

  values(): DimensionValues {
    return this.#snapshot?.values ?? {};
  }

  coverage(metric: Metric): DataCoverage | null {
    return this.#snapshot?.coverage[metric.name] ?? null;
  }

  /** Takes a snapshot built elsewhere (another index over the same warehouse). */
  use(snapshot: ValueSnapshot): void {
    this.#set(snapshot);
  }

  onChange(listener: Listener): void {
    this.#listeners.push(listener);
  }

  #file(): string | null {
    return this.#opts.dataDir ? path.join(this.#opts.dataDir, VALUE_INDEX_FILE) : null;
  }

  /** Loads the persisted snapshot; false when there is none (or it is unreadable, or from another warehouse). */
  load(): boolean {
    const file = this.#file();
    if (!file) return false;
    try {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as ValueSnapshot;
      if (raw?.version !== SNAPSHOT_VERSION || raw.warehouse !== this.#opts.warehouse.kind) return false;
      this.#set(raw);
      return true;
    } catch {
      return false;
    }
  }

  #set(snapshot: ValueSnapshot) {
    this.#snapshot = snapshot;
    for (const l of this.#listeners) l(snapshot);
  }

  /** True when the snapshot is missing or older than the refresh interval. */
  stale(): boolean {
    if (!this.#snapshot) return true;
    const age = this.#opts.clock().getTime() - Date.parse(this.#snapshot.builtAt);
    return this.#opts.refreshMs > 0 && age >= this.#opts.refreshMs;
  }

  /** Rebuilds the index from the warehouse. One failing query leaves that part as it was, never the whole index. */
  refresh(): Promise<ValueSnapshot> {
    this.#refreshing ??= this.#build().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #build(): Promise<ValueSnapshot> {
    const { catalog, warehouse, logger, timezone } = this.#opts;
    const log = logger.child({ component: 'value-index' });
    const dialect = warehouse.kind;
    const now = this.#opts.clock();
    const previous = this.#snapshot;
    const values: Record<string, Set<string>> = {};
    const coverage: Record<string, DataCoverage> = {};
    const started = performance.now();
    let queries = 0;
    let failures = 0;

    // One statement per table: the distinct values of each of its dimension columns (recent rows only, bounded per
    // column), and the first and last timestamp (the data coverage of the metrics on it).
    interface TableJob {
      table: string;
      metric: Metric;
      metrics: Metric[];
      columns: Map<string, string>;
    }
    const tables = new Map<string, TableJob>();
    for (const metric of catalog.metrics) {
      const table = catalog.tableFor(metric, dialect);
      const key = `${table}|${metric.time_column}`;
      const job = tables.get(key) ?? { table, metric, metrics: [], columns: new Map<string, string>() };
      job.metrics.push(metric);
      for (const name of metric.dimensions) {
        const d = catalog.dimension(name);
        if (d) job.columns.set(name, d.column);
      }
      tables.set(key, job);
    }

    const since = (metric: Metric): QueryParam => {
      const at = DateTime.fromJSDate(now, { zone: 'UTC' }).minus({ days: this.#opts.lookbackDays }).startOf('day');
      return metric.time_type === 'date'
        ? { type: 'DATE', value: at.toISODate()! }
        : { type: 'TIMESTAMP', value: at.toISO()! };
    };
    const p = (name: string) => (dialect === 'bigquery' ? `@${name}` : `$${name}`);
    const str = dialect === 'bigquery' ? 'STRING' : 'VARCHAR';
    const limit = Math.trunc(this.#opts.maxValues); // a validated integer from configuration, not user text

    for (const job of tables.values()) {
      if (this.#stopped) break;
      const from = quoteTable(dialect, job.table);
      const t = quote(dialect, job.metric.time_column);
      const params: Record<string, QueryParam> = { since: since(job.metric) };
      const parts: string[] = [];
      let i = 0;
      for (const [name, column] of job.columns) {
        const col = quote(dialect, column);
        params[`d${i}`] = { type: 'STRING', value: name };
        parts.push(
          `SELECT * FROM (SELECT ${p(`d${i}`)} AS dim, CAST(${col} AS ${str}) AS value, COUNT(*) AS n FROM ${from}\n` +
            `  WHERE ${t} >= ${p('since')} AND ${col} IS NOT NULL GROUP BY value ORDER BY n DESC, value LIMIT ${limit}) AS d${i}`,
        );
        i++;
      }
      params.first = { type: 'STRING', value: '~first' };
      params.last = { type: 'STRING', value: '~last' };
      parts.push(`SELECT ${p('first')} AS dim, CAST(MIN(${t}) AS ${str}) AS value, 0 AS n FROM ${from}`);
      parts.push(`SELECT ${p('last')} AS dim, CAST(MAX(${t}) AS ${str}) AS value, 0 AS n FROM ${from}`);
      queries++;
      let rows: Record<string, unknown>[] | null = null;
      try {
        rows = (
          await warehouse.query(
            { sql: parts.join('\nUNION ALL\n'), params },
            { labels: { purpose: 'value_index' }, maximumBytesBilled: this.#opts.maximumBytesBilled },
          )
        ).rows;
      } catch (error) {
        if (this.#stopped) break;
        failures++;
        log.warn({ table: job.table, err: error }, 'value index query failed; keeping the previous values');
      }
      for (const name of job.columns.keys()) {
        const set = values[name] ?? new Set<string>();
        values[name] = set;
        if (rows === null) for (const v of previous?.values[name] ?? []) set.add(v);
      }
      let first: string | null = null;
      let last: string | null = null;
      for (const row of rows ?? []) {
        const dim = String(row.dim);
        if (dim === '~first') first = dayOf(row.value, timezone);
        else if (dim === '~last') last = dayOf(row.value, timezone);
        else if (row.value !== null && row.value !== undefined) values[dim]?.add(String(row.value));
      }
      for (const metric of job.metrics) {
        if (first && last) coverage[metric.name] = { first, last };
        else if (previous?.coverage[metric.name]) coverage[metric.name] = previous.coverage[metric.name]!;
      }
    }

    const snapshot: ValueSnapshot = {
      version: SNAPSHOT_VERSION,
      builtAt: now.toISOString(),
      warehouse: dialect,
      values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, [...v]])),
      coverage,
    };
    if (this.#stopped) return previous ?? snapshot;
    this.#set(snapshot);
    this.#persist(snapshot, log);
    log.info(
      {
        queries,
        failures,
        dimensions: Object.keys(values).length,
        durationMs: Math.round(performance.now() - started),
      },
      'value index built',
    );
    return snapshot;
  }

  #persist(snapshot: ValueSnapshot, log: Logger) {
    const file = this.#file();
    if (!file) return;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(snapshot));
      renameSync(tmp, file);
    } catch (error) {
      log.warn({ err: error }, 'value index could not be saved');
    }
  }

  /** Loads the saved snapshot, refreshes now when it is stale, then on the schedule. */
  async start(): Promise<void> {
    this.#stopped = false;
    this.load();
    // A failed rebuild leaves the last snapshot in use.
    const rebuild = () =>
      this.#opts.tasks.run(
        () => this.refresh(),
        (error) => this.#opts.logger.warn({ err: error }, 'value index rebuild failed; keeping the last snapshot'),
      );
    if (this.stale()) await rebuild();
    if (this.#opts.refreshMs > 0 && !this.#timer) {
      this.#timer = setInterval(() => void rebuild(), this.#opts.refreshMs);
      this.#timer.unref();
    }
  }

  /** Stops the schedule; resolves once a rebuild in flight has given up, so the warehouse can be closed. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#refreshing?.catch(() => undefined);
  }
}

/** A warehouse timestamp or date (as text) to its calendar day in `zone`. */
function dayOf(value: unknown, zone: string): string | null {
  if (value === null || value === undefined) return null;
  const s = String(value).trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
  const iso = s
    .replace(' ', 'T')
    .replace(/([+-]\d{2})$/, '$1:00')
    .replace(/ UTC$/, 'Z');
  const d = DateTime.fromISO(iso, { setZone: true });
  return d.isValid ? d.setZone(zone).toISODate() : null;
}

/** The value index as the composition root and the test harness wire it. */
export function createValueIndex(
  config: Config,
  catalog: MetricCatalog,
  warehouse: Warehouse,
  logger: Logger,
  clock: () => Date,
  tasks?: TaskTracker,
): ValueIndex {
  return new ValueIndex({
    catalog,
    warehouse,
    logger,
    clock,
    timezone: config.metrics.timezone,
    dataDir: config.dataDir,
    refreshMs: config.valueIndex.refreshMinutes * 60_000,
    maximumBytesBilled: config.valueIndex.maxBytes,
    tasks,
  });
}
