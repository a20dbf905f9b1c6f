/**
 * The modal's submission: validate (errors go back on the right blocks), store durably, ack within Slack's
 * deadline, then file on GitHub. Nothing the person typed depends on GitHub being up.
 */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import { requestReceivedView } from '../views/data-request-modal.js';
import { readContext, readSubmission } from '../views/data-request-submission.js';
import { requestLog } from './answer-question.js';
import type { HandlerDeps } from './handler-deps.js';

type Who = { tz: string; name: string };

/** The requester's time zone and name; a slow or failing users.info falls back rather than blowing the ack. */
async function whoIs(
  tzCache: LRUCache<string, Who>,
  client: WebClient,
  userId: string,
  fallbackTz: string,
  fallbackName: string,
): Promise<Who> {
  const hit = tzCache.get(userId);
  if (hit) return hit;
  const lookup = client.users
    .info({ user: userId })
    .then((r) => ({
      tz: r.user?.tz ?? fallbackTz,
      name: r.user?.real_name || r.user?.profile?.real_name || r.user?.name || fallbackName,
    }))
    .catch(() => null);
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 1200).unref());
  const found = await Promise.race([lookup, timeout]);
  if (found) tzCache.set(userId, found);
  return found ?? { tz: fallbackTz, name: fallbackName };
}

export const dataRequestSubmission = (deps: Pick<HandlerDeps, 'requests' | 'clock' | 'logger' | 'timezone'>) => {
  // Per app instance: people's time zones rarely change, and users.info is on the path to the ack. Bounded in size
  // and age, so a large workspace cannot grow it without limit.
  const tzCache = new LRUCache<string, Who>({ max: 2000, ttl: 3_600_000 });
  return async ({
    ack,
    body,
    view,
    client,
    context,
  }: AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>) => {
    const log = requestLog(deps, context, { user: body.user.id, surface: 'view:data_request' });
    const ctx = readContext(view.private_metadata);
    if (!ctx) {
      log.warn('data request submission with unreadable private_metadata');
      await ack({
        response_action: 'errors',
        errors: {
          title_block: 'This form is out of date. Close it and open a new one; your text is still here to copy.',
        },
      });
      return;
    }
    const who = await whoIs(tzCache, client, body.user.id, deps.timezone, body.user.name);
    const result = readSubmission({
      values: view.state.values as unknown as Parameters<typeof readSubmission>[0]['values'],
      context: ctx,
      user: { id: body.user.id, name: who.name, teamId: body.team?.id, teamDomain: body.team?.domain },
      timezone: who.tz,
      now: deps.clock(),
    });
    if (!result.ok) {
      log.info({ blocks: Object.keys(result.errors) }, 'data request needs fixes');
      await ack({ response_action: 'errors', errors: result.errors });
      return;
    }
    // Stored before the ack: once the person sees "saved", a crash cannot lose it.
    const isNew = deps.requests.store(result.request);
    await ack({ response_action: 'update', view: requestReceivedView(result.request.title) });
    if (!isNew) {
      log.info({ key: ctx.k }, 'duplicate data request submission ignored');
      return;
    }
    log.info({ key: ctx.k, origin: ctx.o }, 'data request stored');
    await deps.requests.file(result.request.key);
  };
};
