/**
 * Our one HTTP server: Slack's endpoint in HTTP mode, GitHub webhooks, /healthz, the local board's pages and
 * /metrics (or /metrics alone on PROMETHEUS_PORT). It knows routes and connections, nothing about Slack or GitHub.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveBoardPage } from '../local-board/board-page.js';
import type { LocalBoard } from '../local-board/local-board.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

interface HttpRoutes {
  /** POST-only routes by path (the Slack endpoint in HTTP mode, GitHub webhooks). */
  readonly posts: ReadonlyMap<string, RouteHandler>;
  /** The embedded board's pages, when there is one. */
  readonly board?: LocalBoard;
}

interface HttpServer {
  readonly server: Server;
  /** The separate /metrics listener, when PROMETHEUS_PORT is set. */
  readonly metricsServer?: Server;
  /** Binds both listeners; resolves with the main one's address. */
  listen(port: number): Promise<AddressInfo>;
  /** /healthz says ok only between markReady() and drain(). */
  markReady(): void;
  /** Stops accepting connections and tells clients to close theirs; in-flight requests go on. */
  drain(): void;
  /** Closes every connection and both listeners. */
  close(): Promise<void>;
}

export function createHttpServer(
  routes: HttpRoutes,
  opts: { logger: Logger; telemetry: Telemetry; prometheusPort?: number },
): HttpServer {
  const { logger, telemetry } = opts;
  let ready = false;
  let draining = false;
  let closed: Promise<void> | undefined;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const metrics = async (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': telemetry.registry.contentType });
    res.end(await telemetry.registry.metrics());
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    if (draining) res.setHeader('connection', 'close');
    const post = routes.posts.get(pathname);
    if (post) {
      if (method !== 'POST') return json(res, 405, { error: 'POST only' });
      return void (await post(req, res));
    }
    if (pathname === '/healthz' && method === 'GET') {
      // Anyone who can reach the port may ask: say whether to send traffic, nothing about the deployment.
      return ready && !draining ? json(res, 200, { status: 'ok' }) : json(res, 503, { status: 'not ready' });
    }
    if (routes.board && method === 'GET' && (await serveBoardPage(routes.board, pathname, req, res))) return;
    if (pathname === '/metrics' && method === 'GET' && !metricsServer) return metrics(res);
    json(res, 404, { error: `no route for ${method} ${pathname}` });
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
    opts.prometheusPort === undefined
      ? undefined
      : serve(async (req, res) => {
          const { pathname } = new URL(req.url ?? '/', 'http://localhost');
          if (pathname === '/metrics' && req.method === 'GET') return metrics(res);
          json(res, 404, { error: 'only GET /metrics is served on this port' });
        });
  const drain = () => {
    draining = true;
    closed ??= new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
  };
  const bind = (target: Server, port: number) =>
    new Promise<void>((resolve, reject) => {
      target.once('error', reject);
      target.listen(port, () => {
        target.off('error', reject);
        resolve();
      });
    });

  return {
    server,
    metricsServer,
    async listen(port) {
      await bind(server, port);
      if (metricsServer) await bind(metricsServer, opts.prometheusPort!);
      return server.address() as AddressInfo;
    },
    markReady() {
      ready = true;
    },
    drain,
    async close() {
      drain();
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
