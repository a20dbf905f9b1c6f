/** Metric access rules (catalog `access`): allowed channels, or membership of a Slack user group. */
import type { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../logger.js';
import type { Metric } from '../queries/catalog.js';
import type { QuestionError } from '../queries/question.js';

// Keyed by user group (a catalog names a handful); bounded anyway, since the catalog is an input too. It holds the
// lookup's promise, so checks that run together (a listing of several metrics of one group) share one Slack call.
const groupCache = new LRUCache<string, Promise<Set<string>>>({ max: 200, ttl: 5 * 60_000 });

/** Who will see the number: the asker alone (ephemeral, DM), or everyone in the asker's channel. */
export type Audience = 'asker' | 'channel';

/**
 * Whether `metric` may be shown to `audience`. An allowed channel lets anyone there see it; a user-group grant is
 * one person's, so it allows only an answer the asker alone sees, never one posted in a channel.
 */
export async function canSeeMetric(
  metric: Metric,
  asker: { userId: string; channelId?: string },
  client: WebClient,
  log: Logger,
  audience: Audience = 'asker',
): Promise<boolean> {
  const rule = metric.access;
  if (!rule) return true;
  if (asker.channelId && rule.channels.includes(asker.channelId)) return true;
  if (audience === 'channel') return false;
  for (const group of rule.usergroups) {
    let lookup = groupCache.get(group);
    if (!lookup) {
      lookup = client.usergroups.users.list({ usergroup: group }).then((res) => new Set(res.users ?? []));
      groupCache.set(group, lookup);
    }
    let users: Set<string>;
    try {
      users = await lookup;
    } catch (error) {
      // Fail closed: an unreadable group grants nothing (and is asked again next time).
      if (groupCache.get(group) === lookup) groupCache.delete(group);
      log.warn({ err: error, usergroup: group, metric: metric.name }, 'could not read user group for access rule');
      continue;
    }
    if (users.has(asker.userId)) return true;
  }
  return false;
}

/** True when every restricted metric is decided by the channel alone, so listing needs no Slack call (ack path). */
export function decidedByChannel(metrics: readonly Metric[], asker: { channelId?: string }): boolean {
  return metrics.every(
    (m) => !m.access || (asker.channelId !== undefined && m.access.channels.includes(asker.channelId)),
  );
}

/**
 * The metrics `asker` may ask for: listings, suggestions and "did you mean" buttons leave the others out, so a
 * restricted metric's name is not shown to people who cannot see its numbers.
 */
export async function askableMetrics<M extends Metric>(
  metrics: readonly M[],
  asker: { userId: string; channelId?: string },
  client: WebClient,
  log: Logger,
  audience: Audience = 'asker',
): Promise<M[]> {
  const allowed = await Promise.all(metrics.map((m) => canSeeMetric(m, asker, client, log, audience)));
  return metrics.filter((_, i) => allowed[i]);
}

/** A question error with its suggestions narrowed to what `asker` may ask for. */
export async function withAskableSuggestions(
  error: QuestionError,
  asker: { userId: string; channelId?: string },
  client: WebClient,
  log: Logger,
  audience: Audience = 'asker',
): Promise<QuestionError> {
  // Every refusal that names closest metrics names only ones the asker may see.
  if (!('suggestions' in error) || !error.suggestions) return error;
  return {
    ...error,
    suggestions: await askableMetrics(error.suggestions, asker, client, log, audience),
  } as QuestionError;
}

/** Tests start from a clean slate. */
export function clearAccessCache(): void {
  groupCache.clear();
}
