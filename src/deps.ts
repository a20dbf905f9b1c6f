/** Everything handlers may use, built once by the composition root (main.ts) or by tests with fakes. */
import type { WebClient } from '@slack/web-api';
import type { AskService } from './ask/ask-service.js';
import type { ChartRenderer } from './charts/render-png.js';
import type { Config } from './config.js';
import type { DigestService } from './digest/digest-service.js';
import type { ItemLookup } from './github/item-lookup.js';
import type { LocalBoard } from './local-board/local-board.js';
import type { Logger } from './logger.js';
import type { MetricCatalog } from './queries/catalog.js';
import type { MetricService } from './queries/metric-service.js';
import type { QuestionParser } from './queries/question.js';
import type { ValueIndex } from './queries/value-index.js';
import type { Warehouse } from './queries/warehouse.js';
import type { ChangeExplainer } from './queries/what-changed.js';
import type { RequestFiler } from './requests/filer.js';
import type { RequestNotifier } from './requests/notifier.js';
import type { QuestionLimiter } from './slack/question-limiter.js';
import type { ConversationStore } from './store/conversation-store.js';
import type { FeedbackStore } from './store/feedback-store.js';
import type { InstanceRegistry } from './store/instances.js';
import type { TaskTracker } from './tasks.js';
import type { Telemetry } from './telemetry.js';
import type { WatchService } from './watches/watch-service.js';

export interface Deps {
  readonly config: Config;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  readonly tasks: TaskTracker;
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
  readonly conversations: ConversationStore;
  /** Answers shown and the 👍/👎 given on them. */
  readonly feedback: FeedbackStore;
  /** Board items behind projects_v2_item webhooks (#7). */
  readonly items: ItemLookup;
  /** GitHub login (lower case) → Slack user id, from GITHUB_USER_MAP. */
  readonly userMap: Readonly<Record<string, string>>;
  /** Tells requesters when their request moves (GitHub webhooks and the local board's console commands). */
  readonly notifier: RequestNotifier;
  /** The embedded board, when there are no GitHub credentials (it is then the tracker and the board too). */
  readonly localBoard?: LocalBoard;
  /** Scheduled metric posts and alerts (#13). */
  readonly watches: WatchService;
}
