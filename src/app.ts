/**
 * buildApp: the Bolt App plus our one HTTP server (Slack endpoint in HTTP mode, GitHub webhooks, /healthz, /metrics).
 * Every Slack request, whatever the receiver (HTTP, Socket Mode, local console), passes one instrumentation point
 * that assigns a request id, counts it and times its ack.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, type Receiver, type ReceiverEvent, SocketModeReceiver } from '@slack/bolt';
import type { ExtendedErrorHandlerArgs } from '@slack/bolt/dist/App.js';
import type { Deps } from './deps.js';
import { createWebhookRoute, type WebhookRoute } from './github/webhooks.js';
import { registerHandlers } from './handlers/index.js';
import { registerWebhookHandlers } from './handlers/webhooks/github-events.js';
import { serveBoardPage } from './local-board/board-page.js';
import { toBoltLogger } from './logger.js';

export const SLACK_EVENTS_PATH = '/slack/events';
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
  const { config, logger, telemetry, tasks, lane } = deps;
  const boltLogger = toBoltLogger(logger);

  let httpReceiver: HTTPReceiver | undefined;
  let receiver = options.receiver;
  if (!receiver) {
    if (config.mode === 'socket') {
      receiver = new SocketModeReceiver({
        appToken: config.slack.appToken!,
        logger: boltLogger,
        // apps.connections.open must go to the same Web API as everything else (GovSlack, tests).
        installerOptions: { clientOptions: { slackApiUrl: config.slack.apiUrl } },
      });
    } else if (config.mode === 'http') {
      httpReceiver = new HTTPReceiver({
        signingSecret: config.slack.signingSecret!,
        endpoints: SLACK_EVENTS_PATH,
        // Ack first, work after: the HTTP response goes out as soon as a listener calls ack().
        processBeforeResponse: false,
        logger: boltLogger,
      });
      receiver = httpReceiver;
    } else {
      throw new Error('Local mode needs a console receiver (see src/console)');
    }
  }

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

  const failed = new WeakSet<object>();
  app.error((async ({ error, body, context }: ExtendedErrorHandlerArgs) => {
    failed.add(body);
    logger.error(
      {
        err: error.original ?? error,
        requestId: context.requestId,
        surface: surfaceOf(body as unknown as Record<string, unknown>),
      },
      'unhandled error in a Slack listener',
    );
  }) as unknown as Parameters<App['error']>[0]);

  // The instrumentation point: wrap the App the receiver talks to (Bolt passes listener args by copy, so this is
  // the one place that sees every ack).
  receiver.init({
    processEvent: (event: ReceiverEvent) => {
      lane.noteArrival();
      const surface = surfaceOf(event.body);
      const started = process.hrtime.bigint();
      let acked = false;
      const ack: ReceiverEvent['ack'] = async (response) => {
        if (!acked) {
          acked = true;
          telemetry.ackLatency.observe({ surface }, Number(process.hrtime.bigint() - started) / 1e9);
        }
        await event.ack(response);
        // The one place the slow-lane rule is applied: whatever a listener does after its ack (events are acked
        // by Bolt before the listener runs) waits its turn behind other requests' acks.
        await lane.enter();
      };
      const requestId = randomUUID();
      const work = app
        .processEvent({ ...event, ack, customProperties: { ...event.customProperties, requestId } })
        .then(() => {
          telemetry.slackRequests.inc({ surface, outcome: failed.has(event.body) ? 'error' : 'ok' });
        })
        .catch((error: unknown) => {
          telemetry.slackRequests.inc({ surface, outcome: 'error' });
          throw error;
        });
      return tasks.track(work);
    },
  } as unknown as App);

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
  let ready = false;
  let draining = false;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    if (draining) res.setHeader('connection', 'close');
    if (pathname === SLACK_EVENTS_PATH && httpReceiver) {
      if (method !== 'POST') return json(res, 405, { error: 'POST only' });
      return httpReceiver.requestListener(req, res);
    }
    if (pathname === GITHUB_WEBHOOKS_PATH) {
      if (method !== 'POST') return json(res, 405, { error: 'POST only' });
      return webhooks.handle(req, res);
    }
    if (pathname === '/healthz' && method === 'GET') {
      // Anyone who can reach the port may ask: say whether to send traffic, nothing about the deployment.
      return ready && !draining ? json(res, 200, { status: 'ok' }) : json(res, 503, { status: 'not ready' });
    }
    if (deps.localBoard && method === 'GET' && (await serveBoardPage(deps.localBoard, pathname, req, res))) return;
    if (pathname === '/metrics' && method === 'GET' && !metricsServer) return metrics(res);
    json(res, 404, { error: `no route for ${method} ${pathname}` });
  };

  const metrics = async (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': telemetry.registry.contentType });
    res.end(await telemetry.registry.metrics());
  };

  const serve = (handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    createServer((req, res) => {
      handler(req, res).catch((error: unknown) => {
        logger.error({ err: error, url: req.url }, 'HTTP request failed');
        if (!res.headersSent) json(res, 500, { error: 'internal error' });
        else res.end();
      });
    });
  const server = serve(route);
  // PROMETHEUS_PORT: /metrics alone on its own listener, for scraping from a private network.
  const metricsServer =
    config.prometheusPort === undefined
      ? undefined
      : serve(async (req, res) => {
          const { pathname } = new URL(req.url ?? '/', 'http://localhost');
          if (pathname === '/metrics' && req.method === 'GET') return metrics(res);
          json(res, 404, { error: 'only GET /metrics is served on this port' });
        });
  const listen = (target: Server, port: number) =>
    new Promise<void>((resolve, reject) => {
      target.once('error', reject);
      target.listen(port, () => {
        target.off('error', reject);
        resolve();
      });
    });

  return {
    app,
    server,
    webhooks,
    metricsServer,
    async start(port = config.port) {
      await listen(server, port);
      if (metricsServer) await listen(metricsServer, config.prometheusPort!);
      // Socket Mode and the console connect through the receiver; HTTP mode is served by `server` alone.
      if (!httpReceiver) await receiver.start();
      ready = true;
      return server.address() as AddressInfo;
    },
    async stop(graceMs = 8000) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (!httpReceiver) await receiver.stop().catch((error: unknown) => logger.warn({ err: error }, 'receiver stop'));
      const finished = await tasks.idle(graceMs);
      if (!finished) logger.warn({ inFlight: tasks.size }, 'shutdown grace period over; abandoning in-flight work');
      server.closeAllConnections();
      await closed;
      if (metricsServer?.listening) {
        const metricsClosed = new Promise<void>((resolve) => metricsServer.close(() => resolve()));
        metricsServer.closeAllConnections();
        await metricsClosed;
      }
      ready = false;
    },
  };
}

/** Which Slack surface a request body belongs to, for metrics and logs. */
export function surfaceOf(body: Record<string, unknown>): string {
  if (typeof body.command === 'string') return 'command';
  switch (body.type) {
    case 'block_actions':
    case 'interactive_message':
      return 'action';
    case 'view_submission':
    case 'view_closed':
      return 'view';
    case 'shortcut':
    case 'message_action':
      return 'shortcut';
    case 'block_suggestion':
      return 'options';
    case 'event_callback':
      return `event:${(body.event as { type?: string } | undefined)?.type ?? 'unknown'}`;
    default:
      return 'other';
  }
}
