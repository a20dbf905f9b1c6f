/**
 * A nock fake of the BigQuery REST calls @google-cloud/bigquery makes for one query job:
 *   POST /projects/{p}/jobs                 jobs.insert (the job id is chosen by the client)
 *   GET  /projects/{p}/queries/{jobId}      jobs.getQueryResults, long-polled until jobComplete, then paged
 *   GET  /projects/{p}/jobs/{jobId}         jobs.get, for statistics getQueryResults lacks (bytes billed)
 * Paths are matched with and without the `/bigquery/v2` prefix: with BIGQUERY_EMULATOR_HOST set the client drops it.
 */

import os from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { createBigQueryWarehouse } from '../../src/queries/bigquery-warehouse.js';
import type { Warehouse } from '../../src/queries/warehouse.js';

export const BIGQUERY_TEST_ENDPOINT = 'http://bigquery.test';

export interface FakeField {
  name: string;
  /** As the API spells it: legacy names (INTEGER, FLOAT, BOOLEAN) and standard ones both work. */
  type: string;
  mode?: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
}

export interface FakeError {
  code: number;
  reason: string;
  message: string;
}

export interface InterceptQueryOptions {
  projectId: string;
  schema: FakeField[];
  /** One array per row, in schema order. TIMESTAMP cells may be ISO strings or Dates; the rest are stringified. */
  rows: unknown[][];
  cacheHit?: boolean;
  totalBytesProcessed?: number;
  /** Defaults to on-demand billing: 0 on a cache hit, else bytes rounded up to a MiB, at least 10 MiB. */
  totalBytesBilled?: number;
  /** The job completes this long after jobs.insert; until then getQueryResults waits up to its timeoutMs. */
  delayMs?: number;
  error?: FakeError;
  /** Where `error` surfaces: the insert itself (HTTP error) or, as with real job failures, getQueryResults. */
  errorAt?: 'insert' | 'results';
  /** False answers polls at once with jobComplete:false, as emulators do, instead of holding them. Default true. */
  holdPolls?: boolean;
  /** Rows per getQueryResults page; by default all rows come in one page. */
  pageSize?: number;
  /** Claim only the insert whose SQL matches, so parallel queries each find their own fake. */
  sql?: string | RegExp;
  endpoint?: string;
}

export interface InterceptedQuery {
  scope: nock.Scope;
  /** Parsed JSON bodies of the jobs.insert calls this fake answered. */
  requests: Array<Record<string, unknown>>;
  /** Every request path (with query string) this fake answered, in order. */
  paths: string[];
}

type Json = Record<string, unknown>;

const MIB = 1024 * 1024;
const DEFAULT_RESULTS_WAIT_MS = 10_000;
/** Follow-up calls are optional and repeatable (polls, pages, retries); nock.cleanAll() removes leftovers. */
const FOLLOW_UP_LIMIT = 1_000;

export function interceptBigQueryQuery(opts: InterceptQueryOptions): InterceptedQuery {
  const endpoint = opts.endpoint ?? BIGQUERY_TEST_ENDPOINT;
  const requests: Json[] = [];
  const paths: string[] = [];
  const errorAt = opts.errorAt ?? 'results';
  const cacheHit = opts.cacheHit ?? false;
  const bytesProcessed = opts.totalBytesProcessed ?? 0;
  const bytesBilled = opts.totalBytesBilled ?? (cacheHit ? 0 : onDemandBytesBilled(bytesProcessed));
  const pageSize = opts.pageSize ?? Math.max(opts.rows.length, 1);
  let job: { jobId: string; location?: string; readyAt: number; createdAt: number } | undefined;

  const jobReference = (): Json => ({
    projectId: opts.projectId,
    jobId: job?.jobId,
    ...(job?.location ? { location: job.location } : {}),
  });
  const isOwnJobPath = (kind: 'queries' | 'jobs') => (uri: string) =>
    job !== undefined && matchesPath(uri, opts.projectId, `${kind}/${encodeURIComponent(job.jobId)}`);

  const scope = nock(endpoint)
    .post(
      (uri) => matchesPath(uri, opts.projectId, 'jobs'),
      (body: Json) => isQueryInsert(body, false, opts.sql),
    )
    .reply((uri, body) => {
      const request = body as Json;
      requests.push(request);
      paths.push(uri);
      const reference = (request.jobReference ?? {}) as Json;
      const now = Date.now();
      job = {
        jobId: String(reference.jobId),
        readyAt: now + (opts.delayMs ?? 0),
        createdAt: now,
        ...(typeof reference.location === 'string' ? { location: reference.location } : {}),
      };
      if (opts.error && errorAt === 'insert') return [opts.error.code, errorBody(opts.error)];
      // Cache hits finish inside the insert call; everything else is still running when it returns.
      const done = cacheHit && !opts.delayMs && !opts.error;
      return [
        200,
        {
          kind: 'bigquery#job',
          id: `${opts.projectId}:${job.location ?? 'US'}.${job.jobId}`,
          jobReference: jobReference(),
          configuration: request.configuration,
          status: { state: done ? 'DONE' : 'RUNNING' },
          statistics: done ? doneStatistics(job.createdAt) : { creationTime: String(now), startTime: String(now) },
        },
      ];
    })
    .get(isOwnJobPath('queries'))
    .times(FOLLOW_UP_LIMIT)
    .optionally()
    .reply(async (uri) => {
      paths.push(uri);
      const current = job!;
      const query = new URL(uri, endpoint).searchParams;
      const waitMs = Number(query.get('timeoutMs') ?? DEFAULT_RESULTS_WAIT_MS);
      const untilReady = current.readyAt - Date.now();
      if (untilReady > 0) {
        // Like the real API: hold the poll until the job finishes or the caller's timeoutMs runs out.
        if (opts.holdPolls !== false) await sleep(Math.min(untilReady, waitMs));
        if (current.readyAt > Date.now()) {
          return [200, { kind: 'bigquery#getQueryResultsResponse', jobReference: jobReference(), jobComplete: false }];
        }
      }
      if (opts.error && errorAt === 'results') return [opts.error.code, errorBody(opts.error)];
      const start = Number(query.get('pageToken') ?? 0);
      const end = start + pageSize;
      return [
        200,
        {
          kind: 'bigquery#getQueryResultsResponse',
          jobReference: jobReference(),
          schema: { fields: opts.schema.map((f) => ({ mode: 'NULLABLE', ...f })) },
          rows: opts.rows.slice(start, end).map((row) => toWireRow(row, opts.schema)),
          totalRows: String(opts.rows.length),
          ...(end < opts.rows.length ? { pageToken: String(end) } : {}),
          totalBytesProcessed: String(bytesProcessed),
          jobComplete: true,
          cacheHit,
        },
      ];
    })
    .get(isOwnJobPath('jobs'))
    .times(FOLLOW_UP_LIMIT)
    .optionally()
    .reply((uri) => {
      paths.push(uri);
      const current = job!;
      const running = current.readyAt > Date.now();
      const failed = !running && opts.error !== undefined;
      return [
        200,
        {
          kind: 'bigquery#job',
          id: `${opts.projectId}:${current.location ?? 'US'}.${current.jobId}`,
          jobReference: jobReference(),
          status: running
            ? { state: 'RUNNING' }
            : {
                state: 'DONE',
                ...(failed && opts.error
                  ? { errorResult: errorProto(opts.error), errors: [errorProto(opts.error)] }
                  : {}),
              },
          statistics: running
            ? { creationTime: String(current.createdAt), startTime: String(current.createdAt) }
            : doneStatistics(current.createdAt),
        },
      ];
    });

  function doneStatistics(createdAt: number): Json {
    return {
      creationTime: String(createdAt),
      startTime: String(createdAt),
      endTime: String(Date.now()),
      totalBytesProcessed: String(bytesProcessed),
      query: {
        totalBytesProcessed: String(bytesProcessed),
        totalBytesBilled: String(bytesBilled),
        cacheHit,
        statementType: 'SELECT',
      },
    };
  }

  return { scope, requests, paths };
}

export interface InterceptDryRunOptions {
  projectId: string;
  totalBytesProcessed: number;
  /** E.g. `{ code: 400, reason: 'invalidQuery', message: 'Unrecognized name: x at [1:8]' }`. */
  error?: FakeError;
  sql?: string | RegExp;
  endpoint?: string;
}

export function interceptBigQueryDryRun(opts: InterceptDryRunOptions): InterceptedQuery {
  const requests: Json[] = [];
  const paths: string[] = [];
  const scope = nock(opts.endpoint ?? BIGQUERY_TEST_ENDPOINT)
    .post(
      (uri) => matchesPath(uri, opts.projectId, 'jobs'),
      (body: Json) => isQueryInsert(body, true, opts.sql),
    )
    .reply((uri, body) => {
      const request = body as Json;
      requests.push(request);
      paths.push(uri);
      if (opts.error) return [opts.error.code, errorBody(opts.error)];
      const reference = (request.jobReference ?? {}) as Json;
      const bytes = String(opts.totalBytesProcessed);
      return [
        200,
        {
          kind: 'bigquery#job',
          // Dry runs create no job: the reference has no jobId, but the client needs it to be there.
          jobReference: { projectId: opts.projectId, location: reference.location ?? 'US' },
          configuration: request.configuration,
          status: { state: 'DONE' },
          statistics: {
            creationTime: String(Date.now()),
            totalBytesProcessed: bytes,
            query: { totalBytesProcessed: bytes, totalBytesProcessedAccuracy: 'PRECISE', statementType: 'SELECT' },
          },
        },
      ];
    });
  return { scope, requests, paths };
}

/**
 * Keep Google auth from looking for real credentials while these fakes answer: no metadata-server probe, no ADC
 * file, no emulator redirect. Returns a function that restores the environment.
 */
export function isolateGoogleAuth(): () => void {
  const names = [
    'METADATA_SERVER_DETECTION',
    'CLOUDSDK_CONFIG',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'BIGQUERY_EMULATOR_HOST',
  ];
  const saved = new Map(names.map((name) => [name, process.env[name]]));
  process.env.METADATA_SERVER_DETECTION = 'none';
  process.env.CLOUDSDK_CONFIG = path.join(os.tmpdir(), 'analytics-bot-test-no-gcloud');
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  delete process.env.BIGQUERY_EMULATOR_HOST;
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

function matchesPath(uri: string, projectId: string, rest: string): boolean {
  const pathname = uri.split('?')[0] ?? '';
  const suffix = `/projects/${encodeURIComponent(projectId)}/${rest}`;
  return pathname === suffix || pathname === `/bigquery/v2${suffix}`;
}

function isQueryInsert(body: Json, dryRun: boolean, sql: string | RegExp | undefined): boolean {
  const configuration = body.configuration as Json | undefined;
  if (!configuration || (configuration.dryRun === true) !== dryRun) return false;
  if (sql === undefined) return true;
  const text = String((configuration.query as Json | undefined)?.query ?? '');
  return typeof sql === 'string' ? text === sql : sql.test(text);
}

function errorProto(error: FakeError): Json {
  return { reason: error.reason, message: error.message, domain: 'global' };
}

function errorBody(error: FakeError): Json {
  return { error: { code: error.code, message: error.message, errors: [errorProto(error)] } };
}

function onDemandBytesBilled(bytesProcessed: number): number {
  if (bytesProcessed === 0) return 0;
  return Math.max(10 * MIB, Math.ceil(bytesProcessed / MIB) * MIB);
}

/** BigQuery's wire format: every scalar is a string, TIMESTAMP as int64 microseconds (the client asks for that). */
function toWireRow(row: unknown[], schema: FakeField[]): Json {
  return {
    f: schema.map((field, i) => {
      const value = row[i];
      if (field.mode === 'REPEATED' && Array.isArray(value)) {
        return { v: value.map((item) => ({ v: toWireScalar(item, field.type) })) };
      }
      return { v: toWireScalar(value, field.type) };
    }),
  };
}

function toWireScalar(value: unknown, type: string): string | null {
  if (value === null || value === undefined) return null;
  if (type.toUpperCase() === 'TIMESTAMP' && (typeof value === 'string' || value instanceof Date)) {
    return toEpochMicros(value);
  }
  if (Buffer.isBuffer(value)) return value.toString('base64');
  return String(value);
}

function toEpochMicros(value: string | Date): string {
  const iso = typeof value === 'string' ? value : value.toISOString();
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) throw new Error(`Not a timestamp: ${iso}`);
  // Date.parse stops at milliseconds; keep digits 4-6 of the fraction.
  const extraMicros = Number((/\.\d{3}(\d{1,3})/.exec(iso)?.[1] ?? '').padEnd(3, '0'));
  return (BigInt(millis) * 1000n + BigInt(extraMicros)).toString();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The columns every compiled metric query returns, as BigQuery describes them. */
export const METRIC_QUERY_SCHEMA: FakeField[] = [
  { name: 'part', type: 'STRING' },
  { name: 'period', type: 'STRING' },
  { name: 'bucket', type: 'DATE' },
  { name: 'dim', type: 'STRING' },
  { name: 'value', type: 'FLOAT' },
  { name: 'latest', type: 'STRING' },
];

/** The real BigQuery adapter pointed at the intercepted REST API (project acme-analytics, no retries). */
export function testBigQueryWarehouse(location = 'EU'): Warehouse {
  return createBigQueryWarehouse({
    projectId: 'acme-analytics',
    location,
    maximumBytesBilled: 5_000_000_000,
    jobTimeoutMs: 20_000,
    apiEndpoint: BIGQUERY_TEST_ENDPOINT,
    labels: { app: 'analytics-bot' },
    maxRetries: 0,
  });
}
