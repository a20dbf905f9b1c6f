/**
 * The test harness: the real app in HTTP mode on an ephemeral port, Slack's Web API and response_url intercepted by
 * nock at the wire, and every Block Kit payload the app sends checked against Slack's limits.
 */

import nock from 'nock';
import { type BotApp, buildApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { createDeps, type Deps } from '../../src/deps.js';
import type { BoardReader } from '../../src/github/board.js';
import type { IssueTracker } from '../../src/github/tracker.js';
import { loadCatalogFile, type MetricCatalog } from '../../src/queries/catalog.js';
import { demoDatasetFacts } from '../../src/queries/demo-dataset.js';
import { createDuckDbWarehouse } from '../../src/queries/duckdb-warehouse.js';
import type { ValueIndex, ValueSnapshot } from '../../src/queries/value-index.js';
import type { Warehouse } from '../../src/queries/warehouse.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { createTelemetry } from '../../src/telemetry.js';
import { assertBlockKit, extractSlackPayload, surfaceForSlackMethod } from './block-kit.js';
import { RESPONSE_URL_ORIGIN, SLACK_API_ORIGIN, testConfig } from './config.js';
import { type CapturedLogs, captureLogs } from './logs.js';
import { type SignOptions, type SlackRequest, signedHeaders } from './slack.js';

export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
}

export interface ResponseUrlPost {
  path: string;
  body: Record<string, unknown>;
}

type MethodReply = (body: Record<string, unknown>) => {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
};

export interface TestBot {
  readonly bot: BotApp;
  readonly db: Db;
  readonly deps: Deps;
  readonly url: string;
  readonly logs: CapturedLogs;
  /** Web API calls the app made, in order. */
  readonly calls: SlackCall[];
  /** response_url posts the app made, in order. */
  readonly responses: ResponseUrlPost[];
  /** Payload-shape violations seen on the wire (tests assert this stays empty; see afterEach in suites). */
  readonly violations: string[];
  /** Override the reply of one Web API method. */
  onSlackMethod(method: string, reply: MethodReply): void;
  /** Override how response_url answers (default 200 ok), e.g. Slack's 400 `invalid_blocks`. */
  onResponseUrl(reply: (body: Record<string, unknown>) => { status: number; body: string }): void;
  post(req: SlackRequest, opts?: SignOptions, path?: string): Promise<Response>;
  /** Waits until all work started by requests so far has finished (post-ack work included). */
  settle(timeoutMs?: number): Promise<void>;
  callsTo(method: string): SlackCall[];
  stop(): Promise<void>;
}

function parseForm(raw: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) out[k] = v;
  return out;
}

const defaultReplies: Record<string, MethodReply> = {
  'auth.test': () => ({ body: { ok: true, user_id: 'U0BOT', bot_id: 'B0BOT', team_id: 'T0TEST' } }),
  'chat.postMessage': (b) => ({ body: { ok: true, channel: b.channel, ts: `${Date.now() / 1000}`, message: b } }),
  'chat.postEphemeral': () => ({ body: { ok: true, message_ts: `${Date.now() / 1000}` } }),
  'chat.update': (b) => ({ body: { ok: true, channel: b.channel, ts: b.ts } }),
  'views.open': () => ({ body: { ok: true, view: { id: 'V0TEST' } } }),
  'views.publish': () => ({ body: { ok: true, view: { id: 'V0HOME' } } }),
  'reactions.add': () => ({ body: { ok: true } }),
  'users.info': (b) => ({
    body: { ok: true, user: { id: b.user, name: 'asker', real_name: 'Ada Asker', tz: 'America/New_York' } },
  }),
  'reactions.remove': () => ({ body: { ok: true } }),
};

export interface StartOptions {
  env?: Record<string, string | undefined>;
  config?: Config;
  /** The warehouse port; default: the file's shared in-memory DuckDB with the demo data generated at TEST_NOW. */
  warehouse?: Warehouse;
  catalog?: MetricCatalog;
  /** The board port; default: from config (the embedded local board without GITHUB_TOKEN; Octokit, retries off, with one). */
  tracker?: IssueTracker;
  /** The board reader for the digest; default: from config (Octokit GraphQL, retries off). */
  board?: BoardReader;
  /** Reuse a database (simulated restart); default: a fresh one in the config's DATA_DIR. */
  db?: Db;
  /** Extra or replacement dependencies (fake ports). */
  deps?: Partial<Deps>;
}

/** Tests run at a fixed instant (a Sunday), which is also when the demo data was generated. */
export const TEST_NOW = new Date('2026-11-29T10:00:00Z');
/** The demo data at TEST_NOW: its days, and the planted change and anomaly (see src/queries/demo-dataset.ts). */
export const TEST_DEMO = demoDatasetFacts(TEST_NOW);
/** The last complete day of demo data (TEST_NOW's day holds data up to 10:00 UTC only). */
export const TEST_ANCHOR = TEST_DEMO.lastCompleteDay;

/** The shipped catalog, as production loads it. */
export function shippedCatalog(): MetricCatalog {
  return loadCatalogFile(new URL('../../metrics.yml', import.meta.url).pathname);
}

let sharedDemo: Promise<Warehouse> | undefined;

/**
 * The demo warehouse generated at TEST_NOW, shared by every test of one file (jest gives each file its own module
 * registry) because generating it costs most of a second: closing it is a no-op, and it closes when the file ends.
 */
export function demoWarehouse(): Promise<Warehouse> {
  if (!sharedDemo) {
    const inner = createDuckDbWarehouse({ path: ':memory:', now: () => TEST_NOW });
    const atEnd = (globalThis as { atTestFileEnd?: (cleanup: () => Promise<void>) => void }).atTestFileEnd;
    atEnd?.(async () => {
      sharedDemo = undefined;
      await (await inner).close();
    });
    sharedDemo = inner.then(
      (w): Warehouse => ({
        kind: w.kind,
        query: (q, o) => w.query(q, o),
        dryRun: (q) => w.dryRun(q),
        close: async () => {},
      }),
    );
  }
  return sharedDemo;
}

/** Value snapshots of the shared demo warehouse: one index build per warehouse, not per test bot. */
const indexed = new WeakMap<Warehouse, Promise<ValueSnapshot>>();
function indexOnce(warehouse: Warehouse, index: ValueIndex): Promise<ValueSnapshot> {
  let snapshot = indexed.get(warehouse);
  if (!snapshot) {
    snapshot = index.refresh();
    indexed.set(warehouse, snapshot);
  }
  return snapshot;
}

/** The dependencies a test bot runs on: real adapters over test doubles of the outside world. */
export async function testDeps(options: StartOptions = {}): Promise<{ deps: Deps; db: Db; logs: CapturedLogs }> {
  const logs = captureLogs();
  const config = options.config ?? testConfig(options.env);
  const warehouse = options.warehouse ?? (await demoWarehouse());
  const db = options.db ?? openDatabase(config.dataDir);
  const deps = await createDeps(config, logs.logger, {
    telemetry: createTelemetry({ defaultMetrics: false }),
    clock: () => TEST_NOW,
    catalog: options.catalog ?? shippedCatalog(),
    warehouse,
    db,
    tracker: options.tracker,
    board: options.board,
    retries: { slack: 0, github: 0, throttle: false },
    digestRetryMs: 60_000,
    ...options.deps,
  });
  // The demo warehouse is indexed for real (once per warehouse); a fake warehouse leaves the catalog's own values.
  if (!options.warehouse) deps.values.use(await indexOnce(warehouse, deps.values));
  return { deps, db, logs };
}

export async function startTestBot(options: StartOptions = {}): Promise<TestBot> {
  const { deps, db, logs } = await testDeps(options);
  const calls: SlackCall[] = [];
  const responses: ResponseUrlPost[] = [];
  const violations: string[] = [];
  const replies = new Map<string, MethodReply>(Object.entries(defaultReplies));
  let responseUrlReply: ((body: Record<string, unknown>) => { status: number; body: string }) | undefined;

  const check = (what: string, payload: unknown, surface: 'message' | 'modal' | 'home') => {
    try {
      assertBlockKit(payload, surface);
    } catch (error) {
      violations.push(`${what}: ${(error as Error).message}`);
    }
  };

  nock(SLACK_API_ORIGIN)
    .persist()
    .post(/^\/api\/[\w.]+$/)
    .reply(function (uri, requestBody) {
      const method = uri.replace(/^\/api\//, '');
      const raw = typeof requestBody === 'string' ? requestBody : JSON.stringify(requestBody);
      const contentType = String(this.req.headers['content-type'] ?? '');
      const body = contentType.includes('json') ? (JSON.parse(raw) as Record<string, unknown>) : parseForm(raw);
      const surface = surfaceForSlackMethod(method);
      const parsed = extractSlackPayload(method, body) as Record<string, unknown>;
      if (surface) check(method, parsed, surface);
      calls.push({ method, body: { ...body, ...(parsed && typeof parsed === 'object' ? parsed : {}) } });
      const reply = replies.get(method)?.(body) ?? { body: { ok: true } };
      return [reply.status ?? 200, reply.body, reply.headers ?? {}];
    });

  nock(RESPONSE_URL_ORIGIN)
    .persist()
    .post(/.*/)
    .reply((uri, requestBody) => {
      const body = (typeof requestBody === 'string' ? JSON.parse(requestBody) : requestBody) as Record<string, unknown>;
      check(`response_url ${uri}`, body, 'message');
      responses.push({ path: uri, body });
      const reply = responseUrlReply?.(body) ?? { status: 200, body: 'ok' };
      return [reply.status, reply.body];
    });

  const bot = buildApp(deps, { botId: 'B0BOT', botUserId: 'U0BOT' });
  const address = await bot.start(0);
  const url = `http://127.0.0.1:${address.port}`;

  return {
    bot,
    db,
    deps,
    url,
    logs,
    calls,
    responses,
    violations,
    onSlackMethod(method, reply) {
      replies.set(method, reply);
    },
    onResponseUrl(reply) {
      responseUrlReply = reply;
    },
    async post(req, opts = {}, path = '/slack/events') {
      const res = await fetch(`${url}${path}`, { method: 'POST', headers: signedHeaders(req, opts), body: req.body });
      const clone = res.clone();
      const text = await clone.text();
      if (text.startsWith('{') && text.includes('"blocks"')) {
        const body = JSON.parse(text) as Record<string, unknown>;
        // view_submission acks carry a view (update/push); everything else is a message.
        if (body.view) check('ack view', body.view, 'modal');
        else check('ack body', body, 'message');
      }
      return res;
    },
    async settle(timeoutMs = 10_000) {
      const ok = await deps.tasks.idle(timeoutMs);
      if (!ok) throw new Error(`work still running after ${timeoutMs} ms`);
    },
    callsTo(method) {
      return calls.filter((c) => c.method === method);
    },
    async stop() {
      await bot.stop(2000);
      deps.digest.stop();
      deps.watches.stop();
      await deps.requests.stop();
      deps.instance.stop();
      await deps.warehouse.close();
      deps.localBoard?.stop();
      nock.cleanAll();
    },
  };
}

/** Call in beforeAll/afterAll of suites that use the harness. */
export function blockNetwork(): void {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
}

/**
 * The lifecycle most suites share: the network blocked, a fresh bot per test, and after each test no Block Kit
 * violation in anything it sent. `use` receives each test's bot.
 */
export function useTestBot(use: (bot: TestBot) => void): void {
  let bot: TestBot | undefined;
  beforeAll(() => blockNetwork());
  beforeEach(async () => {
    bot = await startTestBot();
    use(bot);
  });
  afterEach(async () => {
    expect(bot?.violations).toEqual([]);
    await bot?.stop();
  });
}
