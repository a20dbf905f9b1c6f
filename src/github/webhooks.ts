/**
 * POST /github/webhooks: signature-verified deliveries through @octokit/webhooks. Until the HMAC checks out, a request
 * is a stranger's: its body is capped, how many are read at once is bounded, and nothing it says (event name,
 * delivery id) becomes a metric label.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Webhooks } from '@octokit/webhooks';
import { BodyTooLargeError, readBody } from '../http/read-body.js';
import type { Logger } from '../logger.js';
import type { RefusalReason, Telemetry } from '../telemetry.js';

/** GitHub's issue and project payloads are a few KB; 1 MB leaves room for long issue bodies. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;
/** Unverified requests read at once; more are turned away with 503 (GitHub retries failed deliveries by hand). */
export const WEBHOOK_UNVERIFIED_CONCURRENCY = 16;

/** Event names we count by name once verified; anything else is `other`, so the label set stays fixed. */
const COUNTED_EVENTS = new Set(['issues', 'issue_comment', 'projects_v2_item', 'ping']);

const REFUSALS = {
  unconfigured: 'webhook_unconfigured',
  bad_signature: 'webhook_bad_signature',
  too_large: 'webhook_too_large',
  busy: 'webhook_busy',
} as const satisfies Record<string, RefusalReason>;

export interface WebhookRoute {
  readonly webhooks?: Webhooks;
  /** Requests whose body is being read or verified right now (bounded by maxUnverified). */
  readonly unverifiedInFlight: number;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** Which deliveries were handled, so GitHub's redeliveries (and "Redeliver") do nothing twice. */
export interface DeliveryLog {
  handled(id: string): boolean;
  /** Called only after the handlers finished: a crash mid-handler leaves the id free for the redelivery. */
  markHandled(id: string): void;
}

export interface WebhookRouteOptions {
  deliveries?: DeliveryLog;
  bodyLimit?: number;
  maxUnverified?: number;
}

export function createWebhookRoute(
  secret: string | undefined,
  logger: Logger,
  telemetry: Telemetry,
  options: WebhookRouteOptions = {},
): WebhookRoute {
  const log = logger.child({ component: 'github-webhooks' });
  const webhooks = secret ? new Webhooks({ secret }) : undefined;
  const bodyLimit = options.bodyLimit ?? WEBHOOK_BODY_LIMIT;
  const maxUnverified = options.maxUnverified ?? WEBHOOK_UNVERIFIED_CONCURRENCY;
  let unverified = 0;
  /** Deliveries being handled right now: a concurrent redelivery of the same id waits for the log instead. */
  const inProgress = new Set<string>();

  const reply = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const refuse = (outcome: keyof typeof REFUSALS) => {
    telemetry.webhookDeliveries.inc({ event: 'unverified', outcome });
    telemetry.refusals.inc({ reason: REFUSALS[outcome] });
  };

  async function verified(req: IncomingMessage, res: ServerResponse): Promise<string | null> {
    const declared = Number(req.headers['content-length']);
    if (declared > bodyLimit) {
      refuse('too_large');
      reply(res, 413, { error: 'payload too large' }, { connection: 'close' });
      return null;
    }
    let raw: string;
    try {
      raw = await readBody(req, bodyLimit);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) {
        // The sender went away mid-body (or never finished it): nothing to answer.
        log.debug({ err: error }, 'webhook body not received');
        res.destroy();
        return null;
      }
      refuse('too_large');
      reply(res, 413, { error: 'payload too large' }, { connection: 'close' });
      return null;
    }
    if (!webhooks) {
      log.warn('webhook refused: GITHUB_WEBHOOK_SECRET is not set');
      refuse('unconfigured');
      reply(res, 503, { error: 'GITHUB_WEBHOOK_SECRET is not set; webhooks are disabled' });
      return null;
    }
    const signature = header(req, 'x-hub-signature-256');
    if (!signature || !(await webhooks.verify(raw, signature).catch(() => false))) {
      log.warn('webhook refused: bad or missing signature');
      refuse('bad_signature');
      reply(res, 401, { error: 'signature does not match' });
      return null;
    }
    return raw;
  }

  return {
    webhooks,
    get unverifiedInFlight() {
      return unverified;
    },
    async handle(req, res) {
      if (unverified >= maxUnverified) {
        refuse('busy');
        req.resume();
        return reply(res, 503, { error: 'too many requests in flight' }, { 'retry-after': '5', connection: 'close' });
      }
      unverified++;
      let raw: string | null;
      try {
        raw = await verified(req, res);
      } finally {
        unverified--;
      }
      if (raw === null || !webhooks) return;

      const id = header(req, 'x-github-delivery');
      const name = header(req, 'x-github-event');
      if (!id || !name) return reply(res, 400, { error: 'missing X-GitHub-Delivery or X-GitHub-Event header' });
      const event = COUNTED_EVENTS.has(name) ? name : 'other';
      let payload: unknown;
      try {
        payload = JSON.parse(raw);
      } catch {
        return reply(res, 400, { error: 'body is not JSON' });
      }
      // The signature covers the body but not the delivery id header: a captured delivery replayed under a new id
      // is caught by the body's hash (genuine events differ, if only in their timestamps).
      const keys = [id, `sha256:${createHash('sha256').update(raw).digest('hex')}`];
      if (keys.some((k) => inProgress.has(k) || options.deliveries?.handled(k))) {
        log.info({ delivery: id, event: name }, 'duplicate webhook delivery ignored');
        telemetry.webhookDeliveries.inc({ event, outcome: 'duplicate' });
        return reply(res, 200, { ok: true, duplicate: true });
      }
      for (const k of keys) inProgress.add(k);
      try {
        // Signature already checked above; receive() runs the registered handlers.
        await webhooks.receive({ id, name, payload } as Parameters<Webhooks['receive']>[0]);
        for (const k of keys) options.deliveries?.markHandled(k);
        telemetry.webhookDeliveries.inc({ event, outcome: 'ok' });
        reply(res, 200, { ok: true });
      } catch (error) {
        telemetry.webhookDeliveries.inc({ event, outcome: 'error' });
        log.error({ err: error, delivery: id, event: name }, 'webhook handler failed');
        reply(res, 500, { error: 'handler failed' });
      } finally {
        for (const k of keys) inProgress.delete(k);
      }
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
