/**
 * `npm run bench`: ack latency under a burst of slash commands, bare Bolt vs this bot, plus cache-hit answer latency
 * and peak RSS. Loopback only (127.0.0.1):
 *
 *   load client (child process) ──POST /slack/events──▶ bare Bolt app   (acks immediately)
 *                               ──POST /slack/events──▶ analytics-bot   (acks "working…", then a fake 2 s warehouse)
 *                                                       analytics-bot ──POST response_url, Web API──▶ local sink
 *
 * Both apps and the sink live in this process. The load generator is forked (bench/load-client.ts) so that this
 * process's event loop, CPU and RSS hold only what production would; BENCH_CLIENT=inline runs it on the main event
 * loop instead (every latency then also carries the client's own cost).
 *
 * A run is BENCH_ROUNDS (default 3) alternating rounds, bare then bot, each: connection warm-up, then 200 signed
 * commands fired at once. The bot is built once (like a long-lived process) with an empty metric cache per round,
 * so every round's burst hits the warehouse. The ratio target uses the median round, which keeps one noisy round
 * (other work on the machine) from deciding it. After the last round, 50 sequential repeats of one question
 * measure cache-hit answers.
 *
 * BENCH_LOG_LEVEL sets the bot's pino level (default info; lines are serialised, then discarded).
 * BENCH_TRACE=1 prints phase boundaries on the --cpu-prof clock, to cut a profile by phase.
 *
 * Prints a table with PASS/FAIL per target, writes bench/results.json, exits 0 when every target passes, 1 otherwise.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { type BotApp, buildApp, SLACK_EVENTS_PATH } from '../src/app.js';
import { createDeps, type Deps } from '../src/deps.js';
import { createLogger, toBoltLogger } from '../src/logger.js';
import { loadCatalogFile } from '../src/queries/catalog.js';
import { cacheKey, createMetricService } from '../src/queries/metric-service.js';
import { QuestionParser } from '../src/queries/question.js';
import type { CompiledQuery, QueryResult, Warehouse } from '../src/queries/warehouse.js';
import { openDatabase } from '../src/store/database.js';
import { createTelemetry } from '../src/telemetry.js';
import { TEST_BOT_TOKEN, TEST_SIGNING_SECRET, testConfig } from '../test/helpers/config.js';
import { type SlackRequest, signedHeaders, slashCommand } from '../test/helpers/slack.js';
import {
  type AckResult,
  burst,
  type LoadReply,
  type LoadRequest,
  newAgent,
  nowMs,
  type Prepared,
} from './load-client.js';

// ---------------------------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------------------------

const HOST = '127.0.0.1';
const CONCURRENCY = 200;
const WAREHOUSE_DELAY_MS = 2000;
const CACHE_HIT_REQUESTS = 50;
const WARMUP_REQUESTS = 5;
const WARMUP_BURST = 20;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3) || 3);
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';
const ANSWER_WAIT_MS = 30_000;
const RSS_SAMPLE_MS = 20;
const WATCHDOG_MS = 180_000;
const BOT_ID = 'B0BENCH';
const BOT_USER_ID = 'U0BENCH';

const TARGETS = {
  maxAckMs: 3000,
  ackRatio: 1.5,
  bareP99FloorMs: 20,
  cacheHitP99Ms: 50,
  peakRssMb: 250,
};

/** The burst rotates over these (all distinct cache keys, checked at start), so the warehouse is really hit and
 * ~8 commands share each in-flight warehouse job. */
const WAVE_QUESTIONS = [
  'signups last 7 days',
  'signups last 4 weeks by plan',
  'signups last 30 days by source',
  'searches last 14 days',
  'searches last 7 days',
  'searches last 30 days by client',
  'weekly active users last 4 weeks by plan',
  'weekly active users last 12 weeks',
  'daily active users last 7 days',
  'daily active users last 30 days by country',
  'code navigation last 4 weeks',
  'code navigation last 8 weeks by client',
  'active instances last 14 days',
  'active instances last 4 weeks by deployment type',
  'self-hosted searches last 4 weeks',
  'self-hosted searches last 12 weeks by country',
  'trial conversion last quarter',
  'trial conversion last 6 months by plan',
  'marketing sessions last 4 weeks',
  'marketing sessions last 8 weeks by channel',
  'docs sessions last 4 weeks',
  'docs sessions last 30 days by country',
  'bounce rate last 4 weeks',
  'bounce rate last 8 weeks by channel',
];
/** Warm-up questions: not in the burst, so they do not pre-fill its cache entries. */
const WARMUP_QUESTIONS = ['marketing spend last month', 'marketing spend last 3 months by channel'];
/** Asked again after the burst: must be answered from the metric service's cache. */
const CACHED_QUESTION = WAVE_QUESTIONS[6]!;

// ---------------------------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------------------------

/** BENCH_TRACE=1 prints phase boundaries (µs on the clock --cpu-prof uses) to stderr, to cut a profile. */
const trace = (phase: string) => {
  if (process.env.BENCH_TRACE) console.error(`bench-trace ${phase} ${process.hrtime.bigint() / 1000n}`);
};
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles. */
function summarise(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const pick = (p: number) =>
    n === 0 ? Number.NaN : sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!;
  return {
    n,
    p50: round(pick(50), 2),
    p99: round(pick(99), 2),
    max: round(n === 0 ? Number.NaN : sorted[n - 1]!, 2),
    mean: round(n === 0 ? Number.NaN : sorted.reduce((a, b) => a + b, 0) / n, 2),
  };
}

/** Resolves with `value`, or rejects after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Peak RSS sampler
// ---------------------------------------------------------------------------------------------------------------

const rss = { baselineMb: process.memoryUsage().rss / 2 ** 20, peakMb: 0, samples: 0 };
const sampleRss = () => {
  const mb = process.memoryUsage().rss / 2 ** 20;
  rss.samples++;
  if (mb > rss.peakMb) rss.peakMb = mb;
};
sampleRss();
const rssTimer = setInterval(sampleRss, RSS_SAMPLE_MS);

// ---------------------------------------------------------------------------------------------------------------
// Local sink: response_url posts and Slack Web API calls
// ---------------------------------------------------------------------------------------------------------------

interface Delivery {
  at: number;
  /** The final answer replaces the "working" ack; failures are posted without replace_original. */
  answered: boolean;
}

function startSink() {
  const deliveries = new Map<string, Delivery>();
  const waiters = new Map<string, (d: Delivery) => void>();
  const apiCalls: string[] = [];
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = nowMs();
      const path = req.url ?? '/';
      if (path.startsWith('/api/')) {
        apiCalls.push(path.slice(5));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true }));
        return;
      }
      let answered = false;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { replace_original?: boolean };
        answered = body.replace_original === true;
      } catch {
        // counted as delivered but not answered
      }
      const delivery = { at, answered };
      deliveries.set(path, delivery);
      waiters.get(path)?.(delivery);
      waiters.delete(path);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  return {
    server,
    deliveries,
    apiCalls,
    /** Numbers response_url paths; unique across rounds. */
    seq: 0,
    get port() {
      return (server.address() as AddressInfo).port;
    },
    url: (path: string) => `http://${HOST}:${(server.address() as AddressInfo).port}${path}`,
    /** Resolves when `path` has been posted to (or already was). */
    waitFor(path: string): Promise<Delivery> {
      const done = deliveries.get(path);
      if (done) return Promise.resolve(done);
      return new Promise((resolve) => waiters.set(path, resolve));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Fake warehouse: 2 s per query, plausible rows for the compiled query
// ---------------------------------------------------------------------------------------------------------------

function fakeWarehouse(
  delayMs: number,
): Warehouse & { readonly queries: number; readonly maxInFlight: number; resetMaxInFlight(): void } {
  let inFlight = 0;
  const state = { queries: 0, maxInFlight: 0 };
  const dateOf = (q: CompiledQuery, name: string) => {
    const p = q.params[name];
    return new Date(`${String(p?.value ?? '2026-01-01').slice(0, 10)}T00:00:00Z`);
  };
  const rowsFor = (q: CompiledQuery): Record<string, unknown>[] => {
    const start = dateOf(q, 'range_start');
    const end = dateOf(q, 'range_end');
    const prevStart = dateOf(q, 'prev_start');
    const base = 1000 + (q.sql.length % 500);
    const series = (from: Date, to: Date, period: string) => {
      const out: Record<string, unknown>[] = [];
      const step = Math.max(1, Math.ceil((to.getTime() - from.getTime()) / 86_400_000 / 6)) * 86_400_000;
      for (let t = from.getTime(), i = 0; t < to.getTime(); t += step, i++) {
        const bucket = new Date(t).toISOString().slice(0, 10);
        out.push({ part: 'series', period, bucket, dim: null, value: base + 37 * i, latest: `${bucket} 23:59:00+00` });
      }
      return out;
    };
    const latest = `${new Date(end.getTime() - 60_000).toISOString().slice(0, 19).replace('T', ' ')}+00`;
    const rows = [
      ...series(start, end, 'current'),
      ...series(prevStart, start, 'previous'),
      { part: 'total', period: 'current', bucket: null, dim: null, value: base * 6.2, latest },
      { part: 'total', period: 'previous', bucket: null, dim: null, value: base * 5.9, latest: null },
    ];
    if (q.sql.includes("'breakdown' AS part")) {
      for (const [i, dim] of ['alpha', 'beta', 'gamma', null].entries()) {
        rows.push({ part: 'breakdown', period: 'current', bucket: null, dim, value: base * (4 - i), latest });
      }
    }
    return rows;
  };
  return {
    kind: 'bigquery',
    get queries() {
      return state.queries;
    },
    get maxInFlight() {
      return state.maxInFlight;
    },
    resetMaxInFlight() {
      state.maxInFlight = inFlight;
    },
    async query(q): Promise<QueryResult> {
      state.queries++;
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      try {
        await sleep(delayMs);
        return { rows: rowsFor(q), bytesProcessed: 123_456_789, bytesBilled: 124_780_544, cacheHit: false };
      } finally {
        inFlight--;
      }
    },
    async dryRun() {
      return { bytesProcessed: 123_456_789 };
    },
    async close() {},
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Load generator: a child process by default (BENCH_CLIENT=inline runs it on the main event loop instead)
// ---------------------------------------------------------------------------------------------------------------

interface LoadClient {
  readonly kind: 'process' | 'inline';
  /** Sends all requests at once to `port`; resolves with one result per request, in order. */
  burst(port: number, requests: Prepared[]): Promise<AckResult[]>;
  /** Closes keep-alive sockets to `port`. */
  drop(port: number): Promise<void>;
  close(): Promise<void>;
}

function prepare(req: SlackRequest): Prepared {
  return { body: req.body, headers: { ...signedHeaders(req), 'content-length': Buffer.byteLength(req.body) } };
}

function inlineClient(): LoadClient {
  const agents = new Map<number, http.Agent>();
  const agentFor = (port: number) => {
    let agent = agents.get(port);
    if (!agent) {
      agent = newAgent();
      agents.set(port, agent);
    }
    return agent;
  };
  return {
    kind: 'inline',
    burst: (port, requests) => burst(agentFor(port), HOST, port, SLACK_EVENTS_PATH, requests),
    async drop(port) {
      agents.get(port)?.destroy();
      agents.delete(port);
    },
    async close() {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
    },
  };
}

function processClient(): LoadClient {
  // Same node, same flags (--import tsx); BENCH_LOAD_CLIENT tells the module it is the forked client.
  const child = fork(new URL('./load-client.ts', import.meta.url), [], {
    env: { ...process.env, BENCH_LOAD_CLIENT: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (r: AckResult[]) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let closing = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  child.on('message', (reply: LoadReply) => {
    pending.get(reply.id)?.resolve(reply.results);
    pending.delete(reply.id);
  });
  child.on('error', failAll);
  child.on('exit', (code, signal) => {
    if (!closing) failAll(new Error(`load client exited (code ${code}, signal ${signal})`));
  });
  const call = (make: (id: number) => LoadRequest) =>
    new Promise<AckResult[]>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send(make(id));
    });
  return {
    kind: 'process',
    burst: (port, requests) =>
      call((id) => ({ id, type: 'burst', host: HOST, port, path: SLACK_EVENTS_PATH, requests })),
    async drop(port) {
      await call((id) => ({ id, type: 'drop', port }));
    },
    async close() {
      if (closing) return;
      closing = true;
      if (child.connected) {
        await within(
          call((id) => ({ id, type: 'close' })),
          2000,
          'load client close',
        ).catch(() => undefined);
      }
      await within(exited, 2000, 'load client exit').catch(() => {
        child.kill('SIGKILL'); // our own child, by its handle
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The two apps
// ---------------------------------------------------------------------------------------------------------------

async function startBare() {
  const app = new App({
    signingSecret: TEST_SIGNING_SECRET,
    token: TEST_BOT_TOKEN,
    botId: BOT_ID,
    botUserId: BOT_USER_ID,
    logLevel: LogLevel.ERROR,
    receiver: new HTTPReceiver({ signingSecret: TEST_SIGNING_SECRET, processBeforeResponse: false }),
  });
  app.command('/analytics', async ({ ack }) => ack());
  const server = (await app.start({ port: 0, host: HOST })) as http.Server;
  return { port: (server.address() as AddressInfo).port, stop: () => app.stop() };
}

/**
 * The bot, built as main.ts builds it but with the fake warehouse. One long-lived bot serves every round, as in
 * production; `emptyCache()` gives the next round a fresh metric service, so its burst misses the cache again.
 */
async function buildBot(sinkPort: number) {
  let logLines = 0;
  const logger = createLogger({
    level: LOG_LEVEL,
    // Production logs JSON lines at info; serialise them as it would, then drop them.
    destination: {
      write() {
        logLines++;
      },
    },
  });
  const config = testConfig({
    SLACK_API_URL: `http://${HOST}:${sinkPort}/api/`,
    METRICS_CACHE_TTL_SECONDS: '3600',
    LOG_LEVEL,
    // No GitHub side in this bench: without a secret the webhook route registers no handlers.
    GITHUB_WEBHOOK_SECRET: undefined,
  });
  const catalog = loadCatalogFile(config.metrics.file);
  const warehouse = fakeWarehouse(WAREHOUSE_DELAY_MS);
  const telemetry = createTelemetry({ defaultMetrics: false });
  const newMetricService = () =>
    createMetricService({ catalog, warehouse, telemetry, logger, ttlMs: config.metrics.cacheTtlSeconds * 1000 });
  let metrics = newMetricService();
  // Question ranges are read against a clock pinned at start (a run crossing midnight keeps its cache keys); the
  // cache TTL runs on the real clock.
  const pinned = new Date();
  // Diagnostic: CPU spent parsing questions (the one piece of real work before the ack).
  const parser = new QuestionParser(catalog);
  const parse = parser.parse.bind(parser);
  const parsing = { ms: 0, calls: 0 };
  parser.parse = (text, ctx) => {
    const started = performance.now();
    try {
      return parse(text, ctx);
    } finally {
      parsing.ms += performance.now() - started;
      parsing.calls++;
    }
  };
  // Built as main.ts builds it; only the outside systems are fakes (warehouse, Slack pointed at the sink, an
  // in-memory database), and the metric service can be swapped for an empty one between rounds.
  const deps = await createDeps(config, logger, {
    telemetry,
    clock: () => pinned,
    catalog,
    warehouse,
    parser,
    metrics: { answer: (question, asker) => metrics.answer(question, asker) },
    db: openDatabase(':memory:'),
    slack: new WebClient(config.slack.botToken, { slackApiUrl: config.slack.apiUrl, logger: toBoltLogger(logger) }),
  });
  const bot: BotApp = buildApp(deps, { botId: BOT_ID, botUserId: BOT_USER_ID });
  return {
    bot,
    deps,
    warehouse,
    logLines: () => logLines,
    parsing,
    emptyCache() {
      metrics = newMetricService();
    },
  };
}

/** Fails fast if two burst questions would share a cache key, or one does not parse. */
function checkQuestions(deps: Deps): number {
  const keys = new Set<string>();
  for (const text of [...WAVE_QUESTIONS, ...WARMUP_QUESTIONS]) {
    const parsed = deps.parser.parse(text, { now: deps.clock(), timezone: deps.config.metrics.timezone });
    if (!parsed.ok) throw new Error(`bench question does not parse: "${text}" (${parsed.error.kind})`);
    keys.add(cacheKey(parsed.question));
  }
  if (keys.size !== WAVE_QUESTIONS.length + WARMUP_QUESTIONS.length)
    throw new Error('bench questions share cache keys');
  return keys.size;
}

// ---------------------------------------------------------------------------------------------------------------
// Run
// ---------------------------------------------------------------------------------------------------------------

interface Target {
  name: string;
  actual: string;
  limit: string;
  pass: boolean;
}

type Client = LoadClient;
type Sink = ReturnType<typeof startSink>;

const ok = (r: AckResult) => r.status === 200 && !r.error;
const one = async (client: Client, port: number, prepared: Prepared) => (await client.burst(port, [prepared]))[0]!;

/** One bare-Bolt round: warm-up, then the burst. */
interface BareRound {
  acks: AckResult[];
  /** Main event loop busy time and process CPU time during the burst. */
  busyMs: number;
  cpuMs: number;
}

/**
 * What `work` cost this process: event-loop busy time (wall time not waiting for I/O, so it includes being
 * descheduled) and CPU time (user + system, all threads; the load client is another process).
 */
async function busyDuring<T>(work: () => Promise<T>): Promise<{ value: T; busyMs: number; cpuMs: number }> {
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const value = await work();
  const used = process.cpuUsage(cpu);
  return { value, busyMs: performance.eventLoopUtilization(elu).active, cpuMs: (used.user + used.system) / 1000 };
}

async function bareRound(client: Client, bare: { port: number }, roundNo: number): Promise<BareRound> {
  try {
    const command = (i: number) => prepare(slashCommand({ text: WAVE_QUESTIONS[i % WAVE_QUESTIONS.length] }));
    for (let i = 0; i < WARMUP_REQUESTS; i++) await one(client, bare.port, command(i));
    await client.burst(
      bare.port,
      Array.from({ length: WARMUP_BURST }, (_, i) => command(i)),
    );
    const requests = Array.from({ length: CONCURRENCY }, (_, i) => command(i));
    trace(`bare-${roundNo}-start`);
    const { value: acks, busyMs, cpuMs } = await busyDuring(() => client.burst(bare.port, requests));
    trace(`bare-${roundNo}-end`);
    return { acks, busyMs, cpuMs };
  } finally {
    // Every round opens its connections afresh (the servers' 5 s keep-alive timeout would otherwise decide).
    await client.drop(bare.port).catch(() => undefined);
  }
}

interface BotRound {
  acks: AckResult[];
  /** Main event loop busy time and process CPU time during the burst, and the time spent in QuestionParser.parse. */
  busyMs: number;
  cpuMs: number;
  parseMs: number;
  /** Burst command → its answer at response_url. */
  answers: number[];
  delivered: number;
  answered: number;
  lastAnswerAfterAcksMs: number;
  warehouseQueries: number;
  maxInFlight: number;
  logLines: number;
  apiCalls: number;
  cache?: { acks: AckResult[]; answers: number[]; answered: number; warehouseQueries: number };
}

type Bot = Awaited<ReturnType<typeof buildBot>> & { port: number };

/** One bot round with an empty metric cache: warm-up, the burst, all answers; optionally the cache-hit phase. */
async function botRound(
  client: Client,
  sink: Sink,
  bot: Bot,
  roundNo: number,
  withCacheHits: boolean,
): Promise<BotRound> {
  const { warehouse, port } = bot;
  bot.emptyCache();
  warehouse.resetMaxInFlight();
  const apiCallsBefore = sink.apiCalls.length;
  const logLinesBefore = bot.logLines();
  try {
    const command = (text: string, tag: string) => {
      const n = ++sink.seq;
      const path = `/resp/${roundNo}/${tag}/${n}`;
      // A burst from many people, as in a busy workspace: each asks a few questions a minute, well under
      // QUESTIONS_PER_MINUTE_PER_USER, so every command is answered and the burst measures acks, not the limit.
      const user_id = `U${String(n % CONCURRENCY).padStart(6, '0')}`;
      return { path, prepared: prepare(slashCommand({ text, response_url: sink.url(path), user_id })) };
    };

    // Warm-up: a few full round trips (parse, warehouse, Block Kit, response_url), then a small burst of acks.
    const warm = Array.from({ length: WARMUP_REQUESTS }, (_, i) =>
      command(WARMUP_QUESTIONS[i % WARMUP_QUESTIONS.length]!, 'warmup'),
    );
    for (const w of warm) await one(client, port, w.prepared);
    await client.burst(
      port,
      Array.from({ length: WARMUP_BURST }, () => command('help', 'warmup-help').prepared),
    );
    await within(Promise.all(warm.map((w) => sink.waitFor(w.path))), 10_000, 'warm-up answers');
    const queriesBefore = warehouse.queries;

    // The burst: 200 commands rotating over 24 distinct questions, fired at once.
    const wave = Array.from({ length: CONCURRENCY }, (_, i) =>
      command(WAVE_QUESTIONS[i % WAVE_QUESTIONS.length]!, 'burst'),
    );
    const requests = wave.map((w) => w.prepared);
    const parsedBefore = bot.parsing.ms;
    trace(`bot-${roundNo}-start`);
    const { value: acks, busyMs, cpuMs } = await busyDuring(() => client.burst(port, requests));
    const parseMs = bot.parsing.ms - parsedBefore;
    const acksDoneAt = nowMs();
    trace(`bot-${roundNo}-end`);

    // Every answer must reach response_url (bounded wait).
    const waitStarted = nowMs();
    while (nowMs() - waitStarted < ANSWER_WAIT_MS && !wave.every((w) => sink.deliveries.has(w.path))) await sleep(25);
    const deliveries = wave.map((w) => sink.deliveries.get(w.path));
    const result: BotRound = {
      acks,
      busyMs,
      cpuMs,
      parseMs,
      answers: deliveries.flatMap((d, i) => (d ? [d.at - acks[i]!.started] : [])),
      delivered: deliveries.filter((d) => d !== undefined).length,
      answered: deliveries.filter((d) => d?.answered).length,
      lastAnswerAfterAcksMs: Math.max(0, ...deliveries.map((d) => (d ? d.at - acksDoneAt : 0))),
      warehouseQueries: warehouse.queries - queriesBefore,
      maxInFlight: warehouse.maxInFlight,
      logLines: 0,
      apiCalls: 0,
    };

    // Cache hits: the same question again, sequentially, command → answer at response_url.
    if (withCacheHits) {
      const before = warehouse.queries;
      const cache = { acks: [] as AckResult[], answers: [] as number[], answered: 0, warehouseQueries: 0 };
      trace('cache-start');
      for (let i = 0; i < CACHE_HIT_REQUESTS; i++) {
        const c = command(CACHED_QUESTION, 'cache');
        const delivery = sink.waitFor(c.path);
        const [ack, d] = await within(Promise.all([one(client, port, c.prepared), delivery]), 5000, 'cache-hit answer');
        cache.acks.push(ack);
        cache.answers.push(d.at - ack.started);
        if (d.answered) cache.answered++;
      }
      trace('cache-end');
      cache.warehouseQueries = warehouse.queries - before;
      result.cache = cache;
    }
    result.logLines = bot.logLines() - logLinesBefore;
    result.apiCalls = sink.apiCalls.length - apiCallsBefore;
    return result;
  } finally {
    await client.drop(port).catch(() => undefined);
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function main(): Promise<number> {
  const sink = startSink();
  await listen(sink.server);
  const client = process.env.BENCH_CLIENT === 'inline' ? inlineClient() : processClient();
  const loadBefore = os.loadavg()[0] ?? 0;

  let bare: Awaited<ReturnType<typeof startBare>> | undefined;
  let bot: Bot | undefined;

  try {
    bare = await startBare();
    const built = await buildBot(sink.port);
    checkQuestions(built.deps);
    // bot.start() has no host option and would bind every interface; listen on loopback directly.
    bot = { ...built, port: await listen(built.bot.server) };

    // Bare and bot rounds alternate, so drift in what else the machine is doing hits both alike.
    const bareRounds: BareRound[] = [];
    const botRounds: BotRound[] = [];
    const rssAfterRound: number[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      bareRounds.push(await bareRound(client, bare, r));
      botRounds.push(await botRound(client, sink, bot, r, r === ROUNDS));
      sampleRss();
      rssAfterRound.push(round(rss.peakMb));
    }
    const loadAfter = os.loadavg()[0] ?? 0;
    const last = botRounds[botRounds.length - 1]!;
    const cache = last.cache!;

    // --- Report ----------------------------------------------------------------------------------------------------
    const bareAcks = bareRounds.flatMap((b) => b.acks);
    const bareSummaries = bareRounds.map((b) => summarise(b.acks.map((a) => a.ms)));
    const botSummaries = botRounds.map((b) => summarise(b.acks.map((a) => a.ms)));
    const bareP99 = round(median(bareSummaries.map((s) => s.p99)), 2);
    const botP99 = round(median(botSummaries.map((s) => s.p99)), 2);
    const bareAll = summarise(bareAcks.map((a) => a.ms));
    const botAll = summarise(botRounds.flatMap((b) => b.acks.map((a) => a.ms)));
    const answersAll = summarise(botRounds.flatMap((b) => b.answers));
    const cacheAck = summarise(cache.acks.map((a) => a.ms));
    const cacheHit = summarise(cache.answers);
    const bareErrors = bareAcks.filter((a) => !ok(a)).length;
    const botErrors = botRounds.flatMap((b) => b.acks).filter((a) => !ok(a)).length;
    const cacheErrors = cache.acks.filter((a) => !ok(a)).length;
    const allAcks = [...bareAcks, ...botRounds.flatMap((b) => b.acks), ...cache.acks];
    const perCommand = (ms: number) => round(ms / CONCURRENCY, 2);
    const bareBusy = median(bareRounds.map((b) => b.busyMs));
    const botBusy = median(botRounds.map((b) => b.busyMs));
    const botParse = median(botRounds.map((b) => b.parseMs));
    const bareCpu = median(bareRounds.map((b) => b.cpuMs));
    const botCpu = median(botRounds.map((b) => b.cpuMs));
    const maxAck = Math.max(...allAcks.map((a) => a.ms));
    const failedAcks = allAcks.filter((a) => !ok(a) || a.ms >= TARGETS.maxAckMs).length;
    const delivered = botRounds.reduce((n, b) => n + b.delivered, 0);
    const answered = botRounds.reduce((n, b) => n + b.answered, 0);
    const expected = CONCURRENCY * ROUNDS;
    const floored = bareP99 < TARGETS.bareP99FloorMs;
    const reference = Math.max(bareP99, TARGETS.bareP99FloorMs);
    const ratio = botP99 / bareP99;
    const ratioVsReference = botP99 / reference;
    const busy = Math.max(loadBefore, loadAfter) > os.cpus().length * 0.75;

    const targets: Target[] = [
      {
        name: 'every ack < 3000 ms (and HTTP 200)',
        actual: `max ${round(maxAck)} ms, ${failedAcks} failed of ${allAcks.length}`,
        limit: `< ${TARGETS.maxAckMs} ms`,
        pass: failedAcks === 0 && maxAck < TARGETS.maxAckMs,
      },
      {
        name: floored
          ? `bot ack p99 ≤ 1.5 × max(bare p99, ${TARGETS.bareP99FloorMs} ms)`
          : 'bot ack p99 ≤ 1.5 × bare p99 (median round)',
        actual: `${botP99} ms = ${round(ratioVsReference, 2)} × ${round(reference, 2)} ms`,
        limit: `≤ ${round(TARGETS.ackRatio * reference, 2)} ms`,
        pass: botP99 <= TARGETS.ackRatio * reference,
      },
      {
        name: 'cache-hit answer p99 < 50 ms',
        actual: `${cacheHit.p99} ms (${cache.answered}/${CACHE_HIT_REQUESTS} answered, ${cache.warehouseQueries} warehouse queries)`,
        limit: `< ${TARGETS.cacheHitP99Ms} ms`,
        pass:
          cacheHit.n === CACHE_HIT_REQUESTS &&
          cache.answered === CACHE_HIT_REQUESTS &&
          cacheHit.p99 < TARGETS.cacheHitP99Ms,
      },
      {
        name: 'peak RSS < 250 MB',
        actual: `${round(rss.peakMb)} MB`,
        limit: `< ${TARGETS.peakRssMb} MB`,
        pass: rss.peakMb < TARGETS.peakRssMb,
      },
      {
        name: 'every burst answer posted to response_url',
        actual: `${delivered} delivered, ${answered} answers of ${expected}`,
        limit: `${CONCURRENCY}/round within ${ANSWER_WAIT_MS / 1000} s`,
        pass: delivered === expected && answered === expected,
      },
    ];

    const widths = [36, 6, 9, 9, 9, 7];
    const row = (cells: Array<string | number>) =>
      cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  ');
    const cpu = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}`;
    const lines = [
      '',
      `analytics-bot bench — node ${process.version}, ${cpu}, ${os.platform()}; load client: ${client.kind}`,
      `${ROUNDS} rounds × ${CONCURRENCY} concurrent signed /analytics commands per app on ${HOST}; ` +
        `fake warehouse ${WAREHOUSE_DELAY_MS} ms/query; load average ${round(loadBefore, 2)} → ${round(loadAfter, 2)}` +
        (busy ? ' (busy machine: expect noise)' : ''),
      '',
      row(['latency (ms)', 'n', 'p50', 'p99', 'max', 'errors']),
      ...bareSummaries.map((s, i) => row([`ack: bare Bolt, round ${i + 1}`, s.n, s.p50, s.p99, s.max, ''])),
      ...botSummaries.map((s, i) => row([`ack: analytics-bot, round ${i + 1}`, s.n, s.p50, s.p99, s.max, ''])),
      row(['ack: bare Bolt, all rounds', bareAll.n, bareAll.p50, bareAll.p99, bareAll.max, bareErrors]),
      row(['ack: analytics-bot, all rounds', botAll.n, botAll.p50, botAll.p99, botAll.max, botErrors]),
      row([
        'answer at response_url, burst',
        answersAll.n,
        answersAll.p50,
        answersAll.p99,
        answersAll.max,
        expected - answered,
      ]),
      row(['ack: cache-hit phase', cacheAck.n, cacheAck.p50, cacheAck.p99, cacheAck.max, cacheErrors]),
      row([
        'answer at response_url, cache hit',
        cacheHit.n,
        cacheHit.p50,
        cacheHit.p99,
        cacheHit.max,
        CACHE_HIT_REQUESTS - cache.answered,
      ]),
      '',
      `ack p99, median of rounds: bare ${bareP99} ms, bot ${botP99} ms → ratio ${round(ratio, 2)}` +
        (floored
          ? ` (bare p99 < ${TARGETS.bareP99FloorMs} ms, so vs ${TARGETS.bareP99FloorMs} ms: ${round(ratioVsReference, 2)})`
          : '') +
        `; per round: ${botSummaries.map((s, i) => round(s.p99 / bareSummaries[i]!.p99, 2)).join(', ')}`,
      `during a burst (median round), per command: event loop busy bare ${perCommand(bareBusy)} ms, ` +
        `bot ${perCommand(botBusy)} ms (QuestionParser.parse ${perCommand(botParse)} ms); ` +
        `process CPU bare ${perCommand(bareCpu)} ms, bot ${perCommand(botCpu)} ms`,
      `burst: ${WAVE_QUESTIONS.length} distinct questions → ${botRounds.map((b) => b.warehouseQueries).join('/')} warehouse queries per round ` +
        `(max ${Math.max(...botRounds.map((b) => b.maxInFlight))} in flight); the other commands shared an in-flight job`,
      `answers: ${delivered}/${expected} delivered (${answered} answers); last one ${botRounds.map((b) => round(b.lastAnswerAfterAcksMs)).join('/')} ms after the last ack; ` +
        `Web API calls: ${botRounds.reduce((n, b) => n + b.apiCalls, 0)}; log lines/round: ${botRounds.map((b) => b.logLines).join('/')}`,
      `RSS: baseline ${round(rss.baselineMb)} MB (modules loaded through tsx), peak ${round(rss.peakMb)} MB ` +
        `(peak after round ${rssAfterRound.map((_, i) => i + 1).join('/')}: ${rssAfterRound.join('/')} MB; ` +
        `${rss.samples} samples every ${RSS_SAMPLE_MS} ms)`,
      '',
      `${'target'.padEnd(46)}  result  actual (limit)`,
      ...targets.map((t) => `${t.name.padEnd(46)}  ${t.pass ? 'PASS' : 'FAIL'}    ${t.actual}  (${t.limit})`),
      '',
    ];
    console.log(lines.join('\n'));

    const allPass = targets.every((t) => t.pass);
    const results = {
      at: new Date().toISOString(),
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: cpu,
      loadAverage: { before: round(loadBefore, 2), after: round(loadAfter, 2) },
      params: {
        rounds: ROUNDS,
        concurrency: CONCURRENCY,
        warehouseDelayMs: WAREHOUSE_DELAY_MS,
        cacheHitRequests: CACHE_HIT_REQUESTS,
        distinctQuestions: WAVE_QUESTIONS.length,
        loadClient: client.kind,
        logLevel: LOG_LEVEL,
      },
      ackMs: {
        bareRounds: bareSummaries,
        botRounds: botSummaries,
        bareAll: { ...bareAll, errors: bareErrors },
        botAll: { ...botAll, errors: botErrors },
        cachePhase: { ...cacheAck, errors: cacheErrors },
        bareP99MedianRound: bareP99,
        burstCostMs: {
          eventLoopBusy: { bare: round(bareBusy), bot: round(botBusy), botParse: round(botParse) },
          processCpu: { bare: round(bareCpu), bot: round(botCpu) },
        },
        botP99MedianRound: botP99,
        ratioP99: round(ratio, 3),
        ratioP99VsReference: round(ratioVsReference, 3),
        referenceMs: reference,
      },
      answers: {
        burst: { ...answersAll, delivered, answered, expected },
        cacheHit: { ...cacheHit, answered: cache.answered },
      },
      warehouse: {
        burstQueriesPerRound: botRounds.map((b) => ({ queries: b.warehouseQueries, maxInFlight: b.maxInFlight })),
        cachePhaseQueries: cache.warehouseQueries,
      },
      rssMb: {
        baseline: round(rss.baselineMb),
        peak: round(rss.peakMb),
        peakAfterRound: rssAfterRound.map((mb, i) => ({ round: i + 1, mb })),
        samples: rss.samples,
      },
      targets: targets.map((t) => ({ name: t.name, pass: t.pass, actual: t.actual, limit: t.limit })),
      pass: allPass,
    };
    writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
    console.log(`${allPass ? 'ALL TARGETS PASS' : 'SOME TARGETS FAIL'} — results written to bench/results.json`);
    return allPass ? 0 : 1;
  } finally {
    // Bounded: each step gives up on its own.
    await client.close().catch(() => undefined);
    await bare?.stop().catch(() => undefined);
    await bot?.bot.stop(5000).catch(() => undefined);
    sink.server.closeAllConnections();
    await new Promise<void>((resolve) => sink.server.close(() => resolve()));
  }
}

const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MS / 1000} s; giving up`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    console.error('bench failed:', error);
    process.exitCode = 1;
  })
  .finally(() => {
    clearInterval(rssTimer);
    clearTimeout(watchdog);
  });
