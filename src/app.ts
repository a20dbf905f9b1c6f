/**
 * buildApp: the Bolt App behind the instrumented receiver, the Slack and GitHub listeners, and our HTTP server.
 * The pieces live apart: the receiver choice (slack/receivers.ts), the instrumentation every Slack request passes
 * (slack/instrumentation.ts) and the HTTP server (http/server.ts); this file wires them and owns the lifecycle.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, type CodedError, type Context, type Receiver } from '@slack/bolt';
import type { Deps } from './deps.js';
import { createWebhookRoute, type WebhookRoute } from './github/webhooks.js';
import { registerHandlers } from './handlers/index.js';
import { registerWebhookHandlers } from './handlers/webhooks/github-events.js';
import { createHttpServer, type RouteHandler } from './http/server.js';
import { toBoltLogger } from './logger.js';
import { InstrumentedReceiver, surfaceOf } from './slack/instrumentation.js';
import { chooseReceiver, SLACK_EVENTS_PATH } from './slack/receivers.js';

export { SLACK_EVENTS_PATH };
export const GITHUB_WEBHOOKS_PATH = '/github/webhooks';

export interface BuildOptions {
  /** Replaces the receiver chosen from the mode (the local console passes its own). */
  receiver?: Receiver;
  /** Known bot identity: Bolt then skips auth.test (tests, local mode). */
  botId?: string;
  botUserId?: string;
}

export interface BotApp {
  readonly app: App;
  readonly server: Server;
  readonly webhooks: WebhookRoute;
  /** The separate /metrics listener, when PROMETHEUS_PORT is set. */
  readonly metricsServer?: Server;
  /** Starts the HTTP server (and the Socket Mode / console connection); resolves with the bound address. */
  start(port?: number): Promise<AddressInfo>;
  /** Stops accepting, lets in-flight work finish within `graceMs`, then closes everything. */
  stop(graceMs?: number): Promise<void>;
}

export function buildApp(deps: Deps, options: BuildOptions = {}): BotApp {
  const { config, logger, telemetry, tasks } = deps;
  const boltLogger = toBoltLogger(logger);

  const chosen = options.receiver ? { receiver: options.receiver } : chooseReceiver(config, boltLogger);
  const httpReceiver = 'http' in chosen ? chosen.http : undefined;
  const receiver = new InstrumentedReceiver(chosen.receiver, deps);

  const app = new App({
    receiver,
    // The console's loopback Slack accepts any token; Bolt just needs one to build its client.
    token: config.slack.botToken ?? 'local-console',
    botId: options.botId,
    botUserId: options.botUserId,
    logger: boltLogger,
    clientOptions: { slackApiUrl: config.slack.apiUrl, logger: boltLogger },
    // Our handlers report failures to users themselves; this sees only the unexpected ones.
    extendedErrorHandler: true,
  });

  // Typed from Bolt's public exports: with extendedErrorHandler, Bolt passes the request's body and context too.
  app.error(
    async ({
      error,
      body,
      context,
    }: {
      error: CodedError & { original?: unknown };
      body: object;
      context: Context;
    }) => {
      receiver.markFailed(body);
      logger.error(
        {
          err: error.original ?? error,
          requestId: context.requestId,
          surface: surfaceOf(body as Record<string, unknown>),
        },
        'unhandled error in a Slack listener',
      );
    },
  );

  registerHandlers(app, deps);

  const webhooks = createWebhookRoute(config.github.webhookSecret, logger, telemetry, {
    deliveries: {
      handled: (id) => deps.webhookDeliveries.handled(id),
      markHandled: (id) => deps.webhookDeliveries.markHandled(id, deps.clock().getTime()),
    },
  });
  if (webhooks.webhooks) {
    registerWebhookHandlers(webhooks.webhooks, {
      slack: deps.slack,
      outbox: deps.requests.outbox,
      items: deps.items,
      notifier: deps.notifier,
      userMap: deps.userMap,
      repository: config.github.repository
        ? `${config.github.repository.owner}/${config.github.repository.repo}`
        : undefined,
      projectUrl: config.github.projectUrl,
      logger,
      clock: deps.clock,
    });
  }
  const posts = new Map<string, RouteHandler>();
  if (httpReceiver) posts.set(SLACK_EVENTS_PATH, (req, res) => httpReceiver.requestListener(req, res));
  posts.set(GITHUB_WEBHOOKS_PATH, (req, res) => webhooks.handle(req, res));
  const http = createHttpServer(
    { posts, board: deps.localBoard },
    { logger, telemetry, prometheusPort: config.prometheusPort },
  );

  return {
    app,
    server: http.server,
    webhooks,
    metricsServer: http.metricsServer,
    async start(port = config.port) {
      const address = await http.listen(port);
      // Socket Mode and the console connect through the receiver; HTTP mode is served by the HTTP server alone.
      if (!httpReceiver) await receiver.start();
      http.markReady();
      return address;
    },
    async stop(graceMs = 8000) {
      http.drain();
      if (!httpReceiver) await receiver.stop().catch((error: unknown) => logger.warn({ err: error }, 'receiver stop'));
      const finished = await tasks.idle(graceMs);
      if (!finished) logger.warn({ inFlight: tasks.size }, 'shutdown grace period over; abandoning in-flight work');
      await http.close();
    },
  };
}
