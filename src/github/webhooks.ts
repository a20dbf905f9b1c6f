/** POST /github/webhooks: signature-verified deliveries through @octokit/webhooks (handlers: issue #7). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Webhooks } from '@octokit/webhooks';
import { BodyTooLargeError, readBody } from '../http/read-body.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';

export interface WebhookRoute {
  readonly webhooks?: Webhooks;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export interface WebhookRouteOptions {
  /** False for a delivery id seen before: GitHub redelivers, and people press "Redeliver". */
  isFirstDelivery?: (id: string) => boolean;
  /** Called when handling failed, so a redelivery of the same id is processed. */
  forgetDelivery?: (id: string) => void;
}

export function createWebhookRoute(
  secret: string | undefined,
  logger: Logger,
  telemetry: Telemetry,
  options: WebhookRouteOptions = {},
): WebhookRoute {
  const log = logger.child({ component: 'github-webhooks' });
  const webhooks = secret ? new Webhooks({ secret }) : undefined;

  const reply = (res: ServerResponse, status: number, body: object) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  return {
    webhooks,
    async handle(req, res) {
      const id = header(req, 'x-github-delivery');
      const name = header(req, 'x-github-event');
      const signature = header(req, 'x-hub-signature-256');
      let raw: string;
      try {
        raw = await readBody(req, 25 * 1024 * 1024); // GitHub caps payloads at 25 MB
      } catch (error) {
        if (error instanceof BodyTooLargeError) return reply(res, 413, { error: 'payload too large' });
        throw error;
      }
      if (!webhooks) {
        log.warn({ delivery: id }, 'webhook refused: GITHUB_WEBHOOK_SECRET is not set');
        telemetry.webhookDeliveries.inc({ event: name ?? 'unknown', outcome: 'unconfigured' });
        return reply(res, 503, { error: 'GITHUB_WEBHOOK_SECRET is not set; webhooks are disabled' });
      }
      if (!signature || !(await webhooks.verify(raw, signature).catch(() => false))) {
        log.warn({ delivery: id, event: name }, 'webhook refused: bad or missing signature');
        telemetry.webhookDeliveries.inc({ event: name ?? 'unknown', outcome: 'bad_signature' });
        return reply(res, 401, { error: 'signature does not match' });
      }
      if (!id || !name) return reply(res, 400, { error: 'missing X-GitHub-Delivery or X-GitHub-Event header' });
      let payload: unknown;
      try {
        payload = JSON.parse(raw);
      } catch {
        return reply(res, 400, { error: 'body is not JSON' });
      }
      if (options.isFirstDelivery && !options.isFirstDelivery(id)) {
        log.info({ delivery: id, event: name }, 'duplicate webhook delivery ignored');
        telemetry.webhookDeliveries.inc({ event: name, outcome: 'duplicate' });
        return reply(res, 200, { ok: true, duplicate: true });
      }
      try {
        // Signature already checked above; receive() runs the registered handlers.
        await webhooks.receive({ id, name, payload } as Parameters<Webhooks['receive']>[0]);
        telemetry.webhookDeliveries.inc({ event: name, outcome: 'ok' });
        reply(res, 200, { ok: true });
      } catch (error) {
        options.forgetDelivery?.(id);
        telemetry.webhookDeliveries.inc({ event: name, outcome: 'error' });
        log.error({ err: error, delivery: id, event: name }, 'webhook handler failed');
        reply(res, 500, { error: 'handler failed' });
      }
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
