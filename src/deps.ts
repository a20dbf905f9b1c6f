/**
 * The composition root: `createDeps` builds every client and service from the config. main.ts, the test harness and
 * the benchmark all call it; tests and the benchmark pass fakes for the outside systems as overrides.
 */
import { WebClient } from '@slack/web-api';
import { AskService } from './ask/ask-service.js';
import { type ChartRenderer, createChartRenderer } from './charts/render-png.js';
import type { Config } from './config.js';
import { createDigestService, type DigestService } from './digest/digest-service.js';
import type { BoardReader } from './github/board.js';
import { createGitHub } from './github/create-github.js';
import type { ItemLookup } from './github/item-lookup.js';
import type { IssueTracker } from './github/tracker.js';
import { loadUserMap } from './github/user-map.js';
import { createRequestNotifier } from './handlers/webhooks/request-notifier.js';
import { loadKnowledgeFile } from './knowledge/knowledge.js';
import type { LocalBoard } from './local-board/local-board.js';
import { type Logger, toBoltLogger } from './logger.js';
import { createQueryBudget } from './queries/budget.js';
import { loadCatalogFile, type MetricCatalog } from './queries/catalog.js';
import { createMetricService, type MetricService } from './queries/metric-service.js';
import { QuestionParser } from './queries/question.js';
import { createValueIndex, type ValueIndex } from './queries/value-index.js';
import type { Warehouse } from './queries/warehouse.js';
import { type ChangeExplainer, createChangeExplainer } from './queries/what-changed.js';
import { createConfiguredFiler } from './requests/create-filer.js';
import type { RequestFiler } from './requests/filer.js';
import type { RequestNotifier } from './requests/notifier.js';
import { MetricAccess } from './slack/access.js';
import { createQuestionLimiter, type QuestionLimiter } from './slack/question-limiter.js';
import { SlowLane } from './slow-lane.js';
import { BytesLedger } from './store/bytes-ledger.js';
import { type Db, openDatabase } from './store/database.js';
import { DeliveryDedupe } from './store/delivery-dedupe.js';
import { DigestLedger } from './store/digest-ledger.js';
import { FeedbackStore } from './store/feedback-store.js';
import { InstanceRegistry } from './store/instances.js';
import { ThreadStore } from './store/thread-store.js';
import { WatchStore } from './store/watch-store.js';
import { TaskTracker } from './tasks.js';
import { createTelemetry, type Telemetry } from './telemetry.js';
import { createWatchService, type WatchService } from './watches/watch-service.js';

export interface Deps {
  readonly config: Config;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  readonly tasks: TaskTracker;
  /** Post-ack work waits here behind other requests' acks (entered by the app's instrumentation, not by handlers). */
  readonly lane: SlowLane;
  /** Restricted metrics: who may see which, with the user-group memberships that takes. */
  readonly access: MetricAccess;
  /** Scheduled and time-relative work takes `now` from here, so tests can pin it. */
  readonly clock: () => Date;
  readonly warehouse: Warehouse;
  readonly catalog: MetricCatalog;
  readonly parser: QuestionParser;
  /** Distinct dimension values and data coverage, learnt from the warehouse; the parser follows its refreshes. */
  readonly values: ValueIndex;
  readonly metrics: MetricService;
  /** QUESTIONS_PER_MINUTE_PER_USER, per person, for every surface that answers a metric question. */
  readonly questionLimiter: QuestionLimiter;
  /** "What changed?": the change between two periods, decomposed along the metric's dimensions. */
  readonly changes: ChangeExplainer;
  /** Draws chart blocks as PNG (fallback uploads, the local console). */
  readonly charts: ChartRenderer;
  readonly requests: RequestFiler;
  /** This bot process on DATA_DIR: claims carry its id; its heartbeat tells others it is alive. */
  readonly instance: InstanceRegistry;
  readonly digest: DigestService;
  /** A Web API client for work that is not a reply to a request (DMs, announcements, the digest). */
  readonly slack: WebClient;
  readonly ask: AskService;
  /** Slack event ids already answered: a redelivered event (same event_id) is ignored. */
  readonly slackEvents: DeliveryDedupe;
  /** GitHub webhook deliveries already handled: a redelivery (or "Redeliver") does nothing twice. */
  readonly webhookDeliveries: DeliveryDedupe;
  /** Answers shown and the 👍/👎 given on them. */
  readonly feedback: FeedbackStore;
  /** Board items behind projects_v2_item webhooks. */
  readonly items: ItemLookup;
  /** GitHub login (lower case) → Slack user id, from GITHUB_USER_MAP. */
  readonly userMap: Readonly<Record<string, string>>;
  /** Tells requesters when their request moves (GitHub webhooks and the local board's console commands). */
  readonly notifier: RequestNotifier;
  /** The embedded board, when there are no GitHub credentials (it is then the tracker and the board too). */
  readonly localBoard?: LocalBoard;
  /** Scheduled metric posts and alerts. */
  readonly watches: WatchService;
}

/**
 * What createDeps takes instead of building it: fakes of the outside systems (warehouse, Slack client, board ports,
 * clock, database) and, for tests, replacements of whole services. Everything not given is built from the config,
 * on top of what was given (an overridden warehouse is the one the metric service queries).
 */
export interface DepsOverrides extends Partial<Omit<Deps, 'config' | 'logger'>> {
  /** The SQLite database; default: the one in DATA_DIR. */
  readonly db?: Db;
  /** The board ports; default: from config (GitHub with credentials, the embedded local board without). */
  readonly tracker?: IssueTracker;
  readonly board?: BoardReader;
  /** Outside-call resilience; tests turn retries and throttling off so failures show at once. */
  readonly retries?: { readonly slack: number; readonly github: number; readonly throttle: boolean };
  /** How long the digest waits before retrying a failed day (default 15 min). */
  readonly digestRetryMs?: number;
}

/**
 * The warehouse the config names: BigQuery, or the embedded DuckDB with the demo data. Each adapter is imported only
 * when chosen: their clients are the heaviest modules the bot has (DuckDB's native binding alone is ~38 MB of RSS),
 * and a process never needs both.
 */
export async function createWarehouse(config: Config, logger: Logger): Promise<Warehouse> {
  if (config.warehouse.kind === 'bigquery') {
    const { createBigQueryWarehouse } = await import('./queries/bigquery-warehouse.js');
    const bq = config.warehouse.bigquery;
    return createBigQueryWarehouse(
      {
        projectId: bq.projectId!,
        location: bq.location,
        maximumBytesBilled: bq.maximumBytesBilled,
        jobTimeoutMs: bq.jobTimeoutMs,
        labels: { app: 'analytics-bot' },
      },
      logger.child({ component: 'bigquery' }),
    );
  }
  const { createDuckDbWarehouse } = await import('./queries/duckdb-warehouse.js');
  return createDuckDbWarehouse({
    path: config.warehouse.duckdbPath,
    timeoutMs: config.warehouse.bigquery.jobTimeoutMs,
  });
}

/**
 * Builds every client and service once. The catalog is read from METRICS_FILE unless given (a bad catalog throws
 * CatalogError naming every problem). Nothing is started: the caller starts what it runs (see main.ts).
 */
export async function createDeps(config: Config, logger: Logger, overrides: DepsOverrides = {}): Promise<Deps> {
  const o = overrides;
  // Without an override each client keeps its own defaults.
  const githubClient = o.retries ? { retries: o.retries.github, throttle: o.retries.throttle } : {};
  const catalog = o.catalog ?? loadCatalogFile(config.metrics.file);
  const telemetry = o.telemetry ?? createTelemetry();
  const clock = o.clock ?? (() => new Date());
  const warehouse = o.warehouse ?? (await createWarehouse(config, logger));
  const slack =
    o.slack ??
    new WebClient(config.slack.botToken, {
      slackApiUrl: config.slack.apiUrl,
      logger: toBoltLogger(logger),
      retryConfig: { retries: o.retries?.slack ?? 3 },
    });
  const db = o.db ?? openDatabase(config.dataDir);
  const gh = await createGitHub(config, { logger, telemetry, clock }, githubClient);
  const tasks = o.tasks ?? new TaskTracker();
  const instance = o.instance ?? new InstanceRegistry(db, { clock, logger, tasks });
  const requests =
    o.requests ??
    createConfiguredFiler(config, { db, instance, logger, telemetry, clock, tasks, tracker: o.tracker ?? gh.tracker });
  const values = o.values ?? createValueIndex(config, catalog, warehouse, logger, clock, tasks);
  const parser = o.parser ?? new QuestionParser(catalog, values.values());
  values.onChange((snapshot) => parser.setValues(snapshot.values));
  const access = o.access ?? new MetricAccess();
  const charts = o.charts ?? createChartRenderer();
  const ttlMs = config.metrics.cacheTtlSeconds * 1000;
  const budget = createQueryBudget(new BytesLedger(db), config.budgets);
  const metrics =
    o.metrics ??
    createMetricService({
      catalog,
      warehouse,
      telemetry,
      logger,
      ttlMs,
      clock,
      budget,
      coverage: (metric) => values.coverage(metric),
    });
  const digest =
    o.digest ??
    createDigestService({
      board: o.board ?? gh.board,
      ledger: new DigestLedger(db),
      slack,
      channel: config.slack.analyticsChannelId,
      cron: config.digest.cron,
      timezone: config.digest.timezone,
      triageStatus: config.github.fields.triageStatus,
      logger,
      clock,
      retryMs: o.digestRetryMs,
      charts: { mode: config.charts.mode, renderer: charts },
      instance,
      tasks,
    });
  const base: Omit<Deps, 'watches'> = {
    config,
    logger,
    telemetry,
    tasks,
    lane: o.lane ?? new SlowLane(),
    access,
    clock,
    warehouse,
    catalog,
    parser,
    values,
    metrics,
    questionLimiter: o.questionLimiter ?? createQuestionLimiter(config.budgets.questionsPerMinutePerUser),
    changes:
      o.changes ?? createChangeExplainer({ catalog, warehouse, metrics, telemetry, logger, ttlMs, clock, budget }),
    charts,
    requests,
    instance,
    digest,
    slack,
    ask: o.ask ?? new AskService(parser, catalog, loadKnowledgeFile(config.knowledgeFile), new ThreadStore(db)),
    slackEvents: o.slackEvents ?? new DeliveryDedupe(db, 'slack_events'),
    webhookDeliveries: o.webhookDeliveries ?? new DeliveryDedupe(db, 'github_deliveries'),
    feedback: o.feedback ?? new FeedbackStore(db),
    items: o.items ?? gh.items,
    userMap: o.userMap ?? loadUserMap(config.github.userMapFile),
    notifier: o.notifier ?? createRequestNotifier({ slack, outbox: requests.outbox, logger, clock }),
    localBoard: 'localBoard' in o ? o.localBoard : gh.local,
  };
  return { ...base, watches: o.watches ?? createWatchService({ ...base, store: new WatchStore(db) }) };
}
