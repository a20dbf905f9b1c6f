/**
 * DuckDB adapter for the warehouse port: local development, demos and tests.
 *
 * Time convention: every session runs with `TimeZone = 'UTC'`, demo time columns are TIMESTAMPTZ, and TIMESTAMP
 * params are bound as TIMESTAMPTZ instants, so comparisons and `::DATE` / `date_trunc` casts all happen in UTC, like
 * BigQuery's TIMESTAMP. Results come back as plain JSON-friendly values: DATE → 'YYYY-MM-DD', TIMESTAMP[TZ] → full ISO
 * string in UTC ('2026-11-28T10:00:00.000Z'), integers and decimals → number.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  type DuckDBConnection,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBListValue,
  DuckDBMapValue,
  type DuckDBPreparedStatement,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValue,
  dateValue,
  timestampTZValue,
} from '@duckdb/node-api';
import {
  DEMO_DATASET_VERSION,
  type DemoDatasetFacts,
  demoDatasetFacts,
  isDemoDatasetStale,
  seedDemoDataset,
} from './demo-dataset.js';
import {
  type CompiledQuery,
  type DryRunResult,
  type QueryParam,
  type QueryResult,
  type Warehouse,
  WarehouseError,
  WarehouseTimeoutError,
} from './warehouse.js';

export interface DuckDbWarehouseOptions {
  /** Database file path, or ':memory:' for a throwaway database. */
  path: string;
  /**
   * The clock: the demo data is generated up to `now()` when the file has none, holds an older version, or was
   * generated on an earlier UTC day. Checked at start (generation then runs in the background, so start-up never
   * waits for it) and before each query (which waits for it). Default: the system clock.
   */
  now?: () => Date;
  /** Per-query deadline, including time spent waiting for a free connection. Default 30 000 ms. */
  timeoutMs?: number;
  /** Connections in the pool. Default 3: each running query holds one libuv worker thread, of which Node has 4. */
  connections?: number;
}

export type DuckDbWarehouse = Warehouse & {
  /** The last day holding data (the generation day, complete only up to the generation instant). */
  readonly anchorDate: string;
  /** When the demo data was generated, and where its planted change and anomaly are. */
  readonly demo: DemoDatasetFacts;
};

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECTIONS = 3;
const MS_PER_DAY = 86_400_000;
// Re-send the interrupt until the statement stops: one sent between statements (prepare → execute) would be lost.
const INTERRUPT_RETRY_MS = 50;

export async function createDuckDbWarehouse(opts: DuckDbWarehouseOptions): Promise<DuckDbWarehouse> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const poolSize = Math.max(1, opts.connections ?? DEFAULT_CONNECTIONS);
  const inMemory = opts.path === ':memory:' || opts.path === '';
  const now = opts.now ?? (() => new Date());
  if (!inMemory) await mkdir(path.dirname(path.resolve(opts.path)), { recursive: true });

  const instance = await DuckDBInstance.create(inMemory ? ':memory:' : opts.path);
  const connections: DuckDBConnection[] = [];
  try {
    for (let i = 0; i < poolSize; i++) {
      const connection = await instance.connect();
      await connection.run("SET TimeZone = 'UTC'");
      connections.push(connection);
    }
    const meta = await readMeta(connections[0]!);
    const warehouse = new DuckDbWarehouseImpl(instance, connections, meta, timeoutMs, now);
    // A failure here is not lost: the first query retries the generation and reports it.
    warehouse.fresh().catch(() => undefined);
    return warehouse;
  } catch (error) {
    for (const connection of connections) connection.closeSync();
    instance.closeSync();
    throw error;
  }
}

/** The recorded generation of an existing demo database; null when there is none (or it is unreadable). */
async function readMeta(connection: DuckDBConnection): Promise<{ generatedAt: Date; version: number } | null> {
  const exists = await connection.runAndReadAll(
    "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'main' AND table_name = 'demo_meta'",
  );
  if (Number(exists.getRows()[0]?.[0] ?? 0) === 0) return null;
  const meta = await connection.runAndReadAll('SELECT epoch_ms(generated_at), version FROM demo_meta LIMIT 1');
  const [ms, version] = meta.getRows()[0] ?? [];
  // Anything unexpected (an older layout, a hand-edited row) is treated as stale and regenerated.
  if (typeof ms !== 'bigint' && typeof ms !== 'number') return { generatedAt: new Date(0), version: -1 };
  return { generatedAt: new Date(Number(ms)), version: Number(version) };
}

/** A FIFO pool: DuckDB connections are not safe for concurrent statements, so each query borrows one exclusively. */
class ConnectionPool {
  private readonly idle: DuckDBConnection[];
  private readonly waiters: Array<(connection: DuckDBConnection | null) => void> = [];

  constructor(readonly all: readonly DuckDBConnection[]) {
    this.idle = [...all];
  }

  /**
   * Resolves with a connection, or `null` once `cancel` has withdrawn a request that was not served yet (cancel
   * returns whether it did).
   */
  acquire(): { promise: Promise<DuckDBConnection | null>; cancel: () => boolean } {
    const connection = this.idle.pop();
    if (connection) return { promise: Promise.resolve(connection), cancel: () => false };
    let waiter: ((c: DuckDBConnection | null) => void) | undefined;
    const promise = new Promise<DuckDBConnection | null>((resolve) => {
      waiter = resolve;
      this.waiters.push(resolve);
    });
    const cancel = () => {
      const index = waiter ? this.waiters.indexOf(waiter) : -1;
      if (index < 0) return false;
      this.waiters.splice(index, 1);
      waiter?.(null);
      return true;
    };
    return { promise, cancel };
  }

  release(connection: DuckDBConnection): void {
    const next = this.waiters.shift();
    if (next) next(connection);
    else this.idle.push(connection);
  }
}

interface Generation {
  done: Promise<void>;
  facts: DemoDatasetFacts;
  on?: DuckDBConnection;
}

class DuckDbWarehouseImpl implements DuckDbWarehouse {
  readonly kind = 'duckdb' as const;
  private readonly pool: ConnectionPool;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly busy = new Set<DuckDBConnection>();
  private closed = false;
  /** The generation in progress, with the connection it runs on (interrupted by close()). */
  private generating: Generation | null = null;

  constructor(
    private readonly instance: DuckDBInstance,
    connections: DuckDBConnection[],
    private meta: { generatedAt: Date; version: number } | null,
    private readonly timeoutMs: number,
    private readonly now: () => Date,
  ) {
    this.pool = new ConnectionPool(connections);
  }

  get demo(): DemoDatasetFacts {
    return this.generating?.facts ?? demoDatasetFacts(this.meta?.generatedAt ?? this.now());
  }

  get anchorDate(): string {
    return this.demo.lastDay;
  }

  /**
   * Generates the demo data when it is missing, of another version, or from an earlier day. A long-running bot
   * crosses midnight, so queries call this first: the generation holds every pooled connection (queries already
   * running finish first; later ones wait, within their deadline).
   */
  fresh(): Promise<void> {
    if (this.generating) return this.generating.done;
    const at = this.now();
    if (this.meta && !isDemoDatasetStale(this.meta, at)) return Promise.resolve();
    const held: DuckDBConnection[] = [];
    const generating: Generation = { facts: demoDatasetFacts(at), done: Promise.resolve() };
    generating.done = (async () => {
      try {
        for (let i = 0; i < this.pool.all.length; i++) {
          const connection = await this.pool.acquire().promise;
          if (connection) held.push(connection);
        }
        if (this.closed) throw new WarehouseError('The DuckDB warehouse is closed');
        generating.on = held[0]!;
        await seedDemoDataset(held[0]!, at);
        this.meta = { generatedAt: at, version: DEMO_DATASET_VERSION };
      } finally {
        for (const connection of held) this.pool.release(connection);
        this.generating = null;
      }
    })();
    this.generating = generating;
    return generating.done;
  }

  async query(query: CompiledQuery): Promise<QueryResult> {
    await this.fresh().catch((error: unknown) => {
      throw toWarehouseError(error);
    });
    const rows = await this.withDeadline(async (connection, cancelled) => {
      const statement = await prepare(connection, query);
      try {
        // The deadline may have passed while preparing; an interrupt sent then would not reach the execution.
        if (cancelled()) throw new WarehouseTimeoutError(this.timeoutMs);
        const reader = await statement.runAndReadAll();
        const names = reader.deduplicatedColumnNames();
        return reader.getRows().map((row) => {
          const out: Record<string, unknown> = {};
          names.forEach((name, i) => {
            out[name] = toPlain(row[i] ?? null);
          });
          return out;
        });
      } finally {
        statement.destroySync();
      }
    });
    return { rows, bytesProcessed: null, bytesBilled: null, cacheHit: false };
  }

  async dryRun(query: CompiledQuery): Promise<DryRunResult> {
    await this.fresh().catch((error: unknown) => {
      throw toWarehouseError(error);
    });
    await this.withDeadline(async (connection) => {
      const statement = await prepare(connection, query);
      statement.destroySync();
    });
    return { bytesProcessed: 0 };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A generation cut short rolls back: the next start generates again.
    this.generating?.on?.interrupt();
    await this.generating?.done.catch(() => undefined);
    for (const connection of this.busy) connection.interrupt();
    await Promise.allSettled([...this.inFlight]);
    for (const connection of this.pool.all) connection.closeSync();
    this.instance.closeSync();
  }

  /**
   * Runs `work` on a pooled connection under the deadline. On timeout the caller gets `WarehouseTimeoutError` at
   * once; the connection is interrupted and only returns to the pool when the statement has actually stopped.
   */
  private withDeadline<T>(work: (connection: DuckDBConnection, cancelled: () => boolean) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new WarehouseError('The DuckDB warehouse is closed'));
    const timeoutMs = this.timeoutMs;
    return new Promise<T>((resolve, reject) => {
      let timedOut = false;
      let running: DuckDBConnection | undefined;
      let retry: NodeJS.Timeout | undefined;
      const request = this.pool.acquire();

      const timer = setTimeout(() => {
        timedOut = true;
        reject(new WarehouseTimeoutError(timeoutMs));
        if (request.cancel()) return;
        const connection = running;
        if (connection) {
          connection.interrupt();
          retry = setInterval(() => connection.interrupt(), INTERRUPT_RETRY_MS);
        }
      }, timeoutMs);

      const task = request.promise.then(async (connection) => {
        if (!connection) return;
        running = connection;
        this.busy.add(connection);
        try {
          if (timedOut) return;
          if (this.closed) throw new WarehouseError('The DuckDB warehouse is closed');
          const value = await work(connection, () => timedOut);
          clearTimeout(timer);
          if (!timedOut) resolve(value);
        } catch (error) {
          clearTimeout(timer);
          if (!timedOut) reject(toWarehouseError(error));
        } finally {
          if (retry) clearInterval(retry);
          this.busy.delete(connection);
          this.pool.release(connection);
        }
      });
      this.inFlight.add(task);
      void task.finally(() => this.inFlight.delete(task));
    });
  }
}

function toWarehouseError(error: unknown): Error {
  if (error instanceof WarehouseError || error instanceof WarehouseTimeoutError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new WarehouseError(message, { cause: error });
}

async function prepare(connection: DuckDBConnection, query: CompiledQuery): Promise<DuckDBPreparedStatement> {
  const statement = await connection.prepare(query.sql);
  try {
    bindParams(statement, query.params);
    return statement;
  } catch (error) {
    statement.destroySync();
    throw error;
  }
}

/**
 * Binds by the names the statement declares: params the SQL does not use are ignored (BigQuery tolerates them too),
 * and a placeholder without a value fails here with a clear message rather than at execution.
 */
function bindParams(statement: DuckDBPreparedStatement, params: Record<string, QueryParam>): void {
  for (let index = 1; index <= statement.parameterCount; index++) {
    const name = statement.parameterName(index);
    const param = Object.hasOwn(params, name) ? params[name] : undefined;
    if (!param) throw new WarehouseError(`No value for query parameter $${name}`);
    bindParam(statement, index, name, param);
  }
}

function bindParam(statement: DuckDBPreparedStatement, index: number, name: string, param: QueryParam): void {
  switch (param.type) {
    case 'STRING':
      statement.bindVarchar(index, param.value);
      return;
    case 'INT64':
      if (!Number.isSafeInteger(param.value)) {
        throw new WarehouseError(`Parameter $${name} is not a safe integer: ${param.value}`);
      }
      statement.bindBigInt(index, BigInt(param.value));
      return;
    case 'FLOAT64':
      statement.bindDouble(index, param.value);
      return;
    case 'BOOL':
      statement.bindBoolean(index, param.value);
      return;
    case 'DATE':
      statement.bindDate(index, dateValue(parseDateDays(name, param.value)));
      return;
    case 'TIMESTAMP':
      statement.bindTimestampTZ(index, timestampTZValue(BigInt(parseInstantMs(name, param.value)) * 1000n));
      return;
    default: {
      const unknownType: never = param;
      throw new WarehouseError(`Unsupported parameter type for $${name}: ${JSON.stringify(unknownType)}`);
    }
  }
}

function parseDateDays(name: string, value: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const ms = Date.UTC(year, month - 1, day);
    const back = new Date(ms);
    if (back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === day) {
      return ms / MS_PER_DAY;
    }
  }
  throw new WarehouseError(`Parameter $${name} is not a YYYY-MM-DD date: ${JSON.stringify(value)}`);
}

// A bare date or a date-time with an explicit zone; a zone-less date-time would be read in the host's local time.
const INSTANT = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

function parseInstantMs(name: string, value: string): number {
  const ms = INSTANT.test(value) ? Date.parse(value.replace(' ', 'T')) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new WarehouseError(`Parameter $${name} is not an ISO-8601 instant with a zone: ${JSON.stringify(value)}`);
  }
  return ms;
}

function instantToIso(ms: bigint, fallback: { toString(): string }): string {
  const n = Number(ms);
  // JS Dates cover ±8.64e15 ms; infinities and far-out values keep DuckDB's own rendering.
  return Math.abs(n) <= 8.64e15 ? new Date(n).toISOString() : fallback.toString();
}

/** DuckDB value → JSON-friendly JS value (see the module comment for the conventions). */
export function toPlain(value: DuckDBValue): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'bigint':
      return Number(value);
    case 'number':
    case 'boolean':
    case 'string':
      return value;
  }
  if (value instanceof DuckDBDateValue) return value.toString();
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue) {
    return value.isFinite ? instantToIso(value.micros / 1000n, value) : value.toString();
  }
  if (value instanceof DuckDBTimestampMillisecondsValue) {
    return value.isFinite ? instantToIso(value.millis, value) : value.toString();
  }
  if (value instanceof DuckDBTimestampSecondsValue) {
    return value.isFinite ? instantToIso(value.seconds * 1000n, value) : value.toString();
  }
  if (value instanceof DuckDBTimestampNanosecondsValue) {
    return value.isFinite ? instantToIso(value.nanos / 1_000_000n, value) : value.toString();
  }
  if (value instanceof DuckDBDecimalValue) return value.toDouble();
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) return value.items.map(toPlain);
  if (value instanceof DuckDBStructValue) {
    return Object.fromEntries(Object.entries(value.entries).map(([key, item]) => [key, toPlain(item)]));
  }
  if (value instanceof DuckDBMapValue) {
    return value.entries.map((entry) => ({ key: toPlain(entry.key), value: toPlain(entry.value) }));
  }
  if (value instanceof DuckDBBlobValue) return value.toString();
  // Intervals, times, UUIDs, bit strings: DuckDB's own text form is the most useful plain rendering.
  return String(value);
}
