/** BigQuery adapter for the warehouse port: one query job per question, capped by bytes billed and a job timeout. */

import type { BigQueryOptions, Job, JobMetadata, Query, QueryRowsResponse, TableField } from '@google-cloud/bigquery';
import { BigQuery } from '@google-cloud/bigquery';
import type { CompiledQuery, DryRunResult, QueryOptions, QueryParam, QueryResult, Warehouse } from './warehouse.js';
import { BytesLimitExceededError, WarehouseError, WarehouseTimeoutError } from './warehouse.js';

export interface BigQueryWarehouseConfig {
  projectId: string;
  location?: string;
  maximumBytesBilled: number;
  jobTimeoutMs: number;
  /** Tests and emulators only. Unset, the client uses Google's endpoint or `BIGQUERY_EMULATOR_HOST`. */
  apiEndpoint?: string;
  /** Job labels for cost attribution, merged under each query's own labels. */
  labels?: Record<string, string>;
  /** Retries of transient HTTP failures (429, 5xx); the client's default is 3, 0 turns them off. */
  maxRetries?: number;
}

export interface BigQueryWarehouseLogger {
  info: (obj: object, msg: string) => void;
  warn: (obj: object, msg: string) => void;
}

/** BigQuery long-polls getQueryResults for up to this long; shorter polls keep each HTTP request well inside limits. */
const MAX_POLL_WAIT_MS = 10_000;
/** Floor between polls when the server answers "not done" early (emulators do), so we never spin. */
const MIN_POLL_INTERVAL_MS = 200;
const MAX_ERROR_MESSAGE_LENGTH = 500;

/** The slice of a getQueryResults response we read; the client's own type is not exported. */
interface ResultsResponse {
  jobComplete?: boolean | null;
  cacheHit?: boolean | null;
  totalBytesProcessed?: string | number | null;
  schema?: { fields?: TableField[] | null } | null;
}

export function createBigQueryWarehouse(cfg: BigQueryWarehouseConfig, log?: BigQueryWarehouseLogger): Warehouse {
  const options: BigQueryOptions = { projectId: cfg.projectId };
  if (cfg.location) options.location = cfg.location;
  // Only when asked: an explicit apiEndpoint would stop the client from honouring BIGQUERY_EMULATOR_HOST.
  if (cfg.apiEndpoint) options.apiEndpoint = cfg.apiEndpoint;
  if (cfg.maxRetries !== undefined) {
    // The client reads maxRetries: 0 as "use the default", so zero has to be spelled autoRetry: false.
    options.retryOptions = cfg.maxRetries > 0 ? { maxRetries: cfg.maxRetries } : { autoRetry: false };
  }
  const client = new BigQuery(options);

  function jobRequest(compiled: CompiledQuery): Query {
    const request: Query = { query: compiled.sql, useLegacySql: false };
    if (cfg.location) request.location = cfg.location;
    const names = Object.keys(compiled.params);
    if (names.length > 0) {
      const params: Record<string, unknown> = {};
      const types: Record<string, string> = {};
      for (const name of names) {
        const param = compiled.params[name]!;
        params[name] = toClientValue(name, param);
        // Explicit types: inference would send 3.0 as INT64 and could not tell DATE from STRING.
        types[name] = param.type;
      }
      request.params = params;
      request.types = types;
      request.parameterMode = 'named';
    }
    return request;
  }

  async function waitForRows(
    job: Job,
    deadline: number,
  ): Promise<{ rows: Record<string, unknown>[]; meta: ResultsResponse }> {
    const rows: Record<string, unknown>[] = [];
    let meta: ResultsResponse | undefined;
    let pageToken: string | undefined;
    for (;;) {
      let page: QueryRowsResponse;
      if (meta) {
        // The deadline covers execution only: once the job is done, later pages are fetched regardless.
        page = await job.getQueryResults({ autoPaginate: false, pageToken });
      } else {
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new WarehouseTimeoutError(cfg.jobTimeoutMs);
        const waitMs = Math.min(remaining, MAX_POLL_WAIT_MS);
        const askedAt = Date.now();
        try {
          page = await job.getQueryResults({ autoPaginate: false, timeoutMs: waitMs });
        } catch (err) {
          if (!isStillRunning(err)) throw err;
          if (Date.now() - askedAt < waitMs) await sleep(Math.min(MIN_POLL_INTERVAL_MS, deadline - Date.now()));
          continue;
        }
      }
      const [pageRows, nextQuery, response] = page;
      const pageMeta = (response ?? {}) as ResultsResponse;
      meta ??= pageMeta;
      const fields = pageMeta.schema?.fields ?? meta.schema?.fields ?? [];
      for (const row of pageRows) rows.push(toPlainRow(row as Record<string, unknown>, fields));
      const next = nextQuery?.pageToken ?? undefined;
      if (!next) return { rows, meta };
      pageToken = next;
    }
  }

  /** Bytes billed is only on the job resource, and only once it is done. */
  async function bytesBilledOf(job: Job, inserted: JobMetadata, cacheHit: boolean): Promise<number | null> {
    if (cacheHit) return 0;
    if (inserted.status?.state === 'DONE') {
      const billed = toCount(inserted.statistics?.query?.totalBytesBilled);
      if (billed !== null) return billed;
    }
    try {
      const [metadata] = await job.getMetadata();
      return toCount((metadata as JobMetadata).statistics?.query?.totalBytesBilled);
    } catch (err) {
      // Cost reporting is best effort: the rows are already in hand.
      log?.warn({ jobId: job.id, err: describeError(err).message }, 'bigquery: could not read bytes billed');
      return null;
    }
  }

  function fail(err: unknown, op: 'query' | 'dry run', jobId?: string): Error {
    const mapped = toWarehouseError(err, cfg, op);
    log?.warn({ jobId, error: mapped.name, message: mapped.message }, `bigquery ${op} failed`);
    return mapped;
  }

  return {
    kind: 'bigquery',

    async query(compiled: CompiledQuery, queryOptions: QueryOptions = {}): Promise<QueryResult> {
      const startedAt = Date.now();
      const deadline = startedAt + cfg.jobTimeoutMs;
      const labels = { ...cfg.labels, ...queryOptions.labels };
      let jobId: string | undefined;
      try {
        const request = jobRequest(compiled);
        const [job, inserted] = await client.createQueryJob({
          ...request,
          // A string: the API field is int64, which JSON carries as a string.
          maximumBytesBilled: String(
            Math.min(cfg.maximumBytesBilled, queryOptions.maximumBytesBilled ?? cfg.maximumBytesBilled),
          ),
          // Server-side limit too, so BigQuery stops the job even if this process goes away.
          jobTimeoutMs: cfg.jobTimeoutMs,
          useQueryCache: true,
          ...(Object.keys(labels).length > 0 ? { labels } : {}),
        });
        jobId = job.id;
        const { rows, meta } = await waitForRows(job, deadline);
        const cacheHit = meta.cacheHit ?? inserted.statistics?.query?.cacheHit ?? false;
        const bytesProcessed =
          toCount(meta.totalBytesProcessed) ??
          toCount(inserted.statistics?.query?.totalBytesProcessed) ??
          toCount(inserted.statistics?.totalBytesProcessed);
        const bytesBilled = await bytesBilledOf(job, inserted, cacheHit);
        const result: QueryResult = { rows, bytesProcessed, bytesBilled, cacheHit };
        if (jobId) result.jobId = jobId;
        log?.info(
          { jobId, durationMs: Date.now() - startedAt, rows: rows.length, bytesProcessed, bytesBilled, cacheHit },
          'bigquery query finished',
        );
        return result;
      } catch (err) {
        throw fail(err, 'query', jobId);
      }
    },

    async dryRun(compiled: CompiledQuery): Promise<DryRunResult> {
      try {
        // No cache: the estimate should be what the query scans, not what a cached answer happens to cost.
        const [, metadata] = await client.createQueryJob({
          ...jobRequest(compiled),
          dryRun: true,
          useQueryCache: false,
        });
        const bytes = toCount(
          metadata.statistics?.totalBytesProcessed ?? metadata.statistics?.query?.totalBytesProcessed,
        );
        if (bytes === null) throw new WarehouseError('BigQuery dry run returned no totalBytesProcessed');
        return { bytesProcessed: bytes };
      } catch (err) {
        throw fail(err, 'dry run');
      }
    },

    async close(): Promise<void> {
      // The client holds no connections that need closing.
    },
  };
}

/** The client wants wrapper objects for DATE and TIMESTAMP: given a bare string with those types it sends null. */
function toClientValue(name: string, param: QueryParam): unknown {
  switch (param.type) {
    case 'DATE':
      if (!/^\d{4}-\d{2}-\d{2}$/.test(param.value)) throw new WarehouseError(`Parameter ${name} is not a DATE`);
      return BigQuery.date(param.value);
    case 'TIMESTAMP':
      if (Number.isNaN(Date.parse(param.value))) throw new WarehouseError(`Parameter ${name} is not a TIMESTAMP`);
      return BigQuery.timestamp(param.value);
    case 'INT64':
      if (!Number.isSafeInteger(param.value)) throw new WarehouseError(`Parameter ${name} is not an INT64`);
      return param.value;
    case 'FLOAT64':
      if (!Number.isFinite(param.value)) throw new WarehouseError(`Parameter ${name} is not a finite FLOAT64`);
      return param.value;
    default:
      return param.value;
  }
}

/** The client has already turned wire strings into numbers, Big, Buffers and wrapper objects; flatten those. */
function toPlainRow(row: Record<string, unknown>, fields: readonly TableField[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    const field = fields.find((f) => f.name === name);
    out[name] =
      field?.mode === 'REPEATED' && Array.isArray(value)
        ? value.map((item) => toPlainValue(item, field))
        : toPlainValue(value, field);
  }
  return out;
}

function toPlainValue(value: unknown, field: TableField | undefined): unknown {
  if (value === null || value === undefined) return null;
  switch (field?.type?.toUpperCase()) {
    case 'INTEGER':
    case 'INT64':
    case 'FLOAT':
    case 'FLOAT64':
    case 'NUMERIC':
    case 'BIGNUMERIC':
      // Big (NUMERIC) and BigQueryInt both print as decimal strings.
      return typeof value === 'number' ? value : Number(String(value));
    case 'RECORD':
    case 'STRUCT':
      return typeof value === 'object' ? toPlainRow(value as Record<string, unknown>, field?.fields ?? []) : value;
    case 'BYTES':
      return Buffer.isBuffer(value) ? value.toString('base64') : value;
    default:
      // DATE, DATETIME, TIME, TIMESTAMP and GEOGRAPHY arrive wrapped, with the text form in `.value`.
      if (typeof value === 'object' && 'value' in value && typeof value.value === 'string') {
        // Sub-millisecond timestamps come with nanosecond digits; BigQuery stops at microseconds.
        return value.value.replace(/(\.\d{6})000Z$/, '$1Z');
      }
      return value;
  }
}

function toCount(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** The client reports "not done yet" this way whenever getQueryResults is given a timeoutMs. */
function isStillRunning(err: unknown): boolean {
  return err instanceof Error && !('code' in err) && /did not complete before \d+ms/.test(err.message);
}

interface ErrorDetails {
  code?: number | string;
  reasons: string[];
  message: string;
}

function describeError(err: unknown): ErrorDetails {
  if (!(err instanceof Error)) return { reasons: [], message: String(err) };
  const { code, errors } = err as Error & { code?: unknown; errors?: unknown };
  const reasons = Array.isArray(errors)
    ? errors.flatMap((e: unknown) =>
        e && typeof e === 'object' && 'reason' in e && typeof e.reason === 'string' ? [e.reason] : [],
      )
    : [];
  const details: ErrorDetails = { reasons, message: err.message };
  if (typeof code === 'number' || typeof code === 'string') details.code = code;
  return details;
}

function toWarehouseError(err: unknown, cfg: BigQueryWarehouseConfig, op: string): Error {
  if (err instanceof WarehouseTimeoutError || err instanceof BytesLimitExceededError || err instanceof WarehouseError) {
    return err;
  }
  const { code, reasons, message } = describeError(err);
  if (reasons.includes('bytesBilledLimitExceeded') || /exceeded limit for bytes billed/i.test(message)) {
    return new BytesLimitExceededError(cfg.maximumBytesBilled);
  }
  if (reasons.includes('timeout') || reasons.includes('jobTimeout') || /job timed out/i.test(message)) {
    return new WarehouseTimeoutError(cfg.jobTimeoutMs);
  }
  const tag = [code === undefined ? '' : `HTTP ${code}`, reasons.join(', ')].filter(Boolean).join(' ');
  // Built from scratch, without `cause`: the client's errors carry request options, headers included.
  return new WarehouseError(`BigQuery ${op} failed${tag ? ` (${tag})` : ''}: ${redact(message)}`);
}

/** Error text is logged; strip anything shaped like a credential in case a transport error echoes one. */
function redact(message: string): string {
  const cleaned = message
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[redacted key]')
    .replace(/\b(Bearer|Basic)\s+[\w.~+/=-]+/gi, '$1 [redacted]')
    .replace(/\bya29\.[\w.-]+/g, '[redacted token]')
    .replace(/([?&](?:access_token|key|token|client_secret)=)[^&\s]+/gi, '$1[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > MAX_ERROR_MESSAGE_LENGTH ? `${cleaned.slice(0, MAX_ERROR_MESSAGE_LENGTH)}…` : cleaned;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
