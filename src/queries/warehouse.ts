/** The warehouse port: run one compiled, parameterised query. Adapters: BigQuery (production), DuckDB (local, tests). */

export type Dialect = 'bigquery' | 'duckdb';

/** A bound query parameter. Values derived from user text only ever travel this way, never inside `sql`. */
export type QueryParam =
  | { type: 'STRING'; value: string }
  | { type: 'INT64'; value: number }
  | { type: 'FLOAT64'; value: number }
  | { type: 'BOOL'; value: boolean }
  | { type: 'DATE'; value: string } // YYYY-MM-DD
  | { type: 'TIMESTAMP'; value: string }; // ISO-8601 instant, e.g. 2026-11-01T00:00:00.000Z

export interface CompiledQuery {
  /** SQL text in the warehouse's dialect; placeholders are `@name` (BigQuery) or `$name` (DuckDB). */
  sql: string;
  params: Record<string, QueryParam>;
}

export interface QueryOptions {
  /** Cost-attribution labels (BigQuery job labels); keys and values already sanitised to [a-z0-9_-]. */
  labels?: Record<string, string>;
  /** A tighter per-query cap on bytes billed than the adapter's (BigQuery only); never a looser one. */
  maximumBytesBilled?: number;
}

export interface QueryResult {
  rows: Record<string, unknown>[];
  /** Bytes the warehouse processed (BigQuery `totalBytesProcessed`); null where the engine does not say. */
  bytesProcessed: number | null;
  /** Bytes billed; 0 on a cache hit. */
  bytesBilled: number | null;
  /** True when the warehouse answered from its own result cache. */
  cacheHit: boolean;
  jobId?: string;
}

export interface DryRunResult {
  bytesProcessed: number;
}

export interface Warehouse {
  readonly kind: Dialect;
  query(query: CompiledQuery, options?: QueryOptions): Promise<QueryResult>;
  /** Validate and price a query without running it (BigQuery dry run; DuckDB prepares it). */
  dryRun(query: CompiledQuery): Promise<DryRunResult>;
  close(): Promise<void>;
}

/** The query ran past the job timeout. */
export class WarehouseTimeoutError extends Error {
  override readonly name = 'WarehouseTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`The warehouse did not answer within ${Math.round(timeoutMs / 1000)} s`);
  }
}

/** The query would scan more than the configured `maximumBytesBilled`. */
export class BytesLimitExceededError extends Error {
  override readonly name = 'BytesLimitExceededError';
  constructor(readonly limitBytes: number) {
    super(`The query would scan more than the ${limitBytes} byte limit`);
  }
}

/** Any other warehouse failure; `message` is safe to log but not meant for end users. */
export class WarehouseError extends Error {
  override readonly name = 'WarehouseError';
}

/** How a failed query is counted in telemetry. */
export function failureOutcome(error: unknown): 'timeout' | 'bytes_limit' | 'error' {
  if (error instanceof WarehouseTimeoutError) return 'timeout';
  if (error instanceof BytesLimitExceededError) return 'bytes_limit';
  return 'error';
}
