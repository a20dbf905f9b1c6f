/** The request filer wired from config, as main.ts runs it (tests and the crash-point child build it the same way). */
import { WebClient } from '@slack/web-api';
import type { Config } from '../config.js';
import type { IssueTracker } from '../github/tracker.js';
import { type Logger, toBoltLogger } from '../logger.js';
import type { Db } from '../store/database.js';
import type { InstanceRegistry } from '../store/instances.js';
import { RequestOutbox } from '../store/request-outbox.js';
import type { Telemetry } from '../telemetry.js';
import { createRequestFiler, type FilerOptions, type RequestFiler } from './filer.js';

export interface FilerWiring {
  db: Db;
  instance: InstanceRegistry;
  logger: Logger;
  telemetry: Telemetry;
  clock: () => Date;
  /** The process's tracker (createGitHub), so filing shares its GitHub client. */
  tracker: IssueTracker;
  renewEveryMs?: FilerOptions['renewEveryMs'];
  tasks?: FilerOptions['tasks'];
  /** Default: a new one on `db`. */
  outbox?: RequestOutbox;
}

export function createConfiguredFiler(config: Config, wiring: FilerWiring): RequestFiler {
  const { logger, telemetry } = wiring;
  return createRequestFiler({
    outbox: wiring.outbox ?? new RequestOutbox(wiring.db),
    tracker: wiring.tracker,
    // Side effects of filing must not be retried blindly (a timeout can come after the post); the outbox retries
    // them itself, waiting out Retry-After without holding a worker.
    slack: new WebClient(config.slack.botToken, {
      slackApiUrl: config.slack.apiUrl,
      logger: toBoltLogger(logger),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    }),
    instance: wiring.instance,
    announceChannel: config.slack.analyticsChannelId,
    initialStatus: config.github.fields.triageStatus,
    statusField: config.github.fields.status,
    logger,
    telemetry,
    clock: wiring.clock,
    renewEveryMs: wiring.renewEveryMs,
    tasks: wiring.tasks,
  });
}
