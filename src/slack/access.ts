/** Metric access rules (catalog `access`): allowed channels, or membership of a Slack user group. */
import type { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../logger.js';
import type { Metric } from '../queries/catalog.js';
import type { QuestionError } from '../queries/question.js';

const TTL_MS = 5 * 60_000;
// Keyed by user group (a catalog names a handful); bounded anyway, since the catalog is an input too.
const groupCache = new LRUCache<string, { at: number; users: Set<string> }>({ max: 200 });

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
    const cached = groupCache.get(group);
    let users = cached && Date.now() - cached.at < TTL_MS ? cached.users : undefined;
    if (!users) {
      try {
        const res = await client.usergroups.users.list({ usergroup: group });
        users = new Set(res.users ?? []);
        groupCache.set(group, { at: Date.now(), users });
      } catch (error) {
        // Fail closed: an unreadable group grants nothing.
        log.warn({ err: error, usergroup: group, metric: metric.name }, 'could not read user group for access rule');
        continue;
      }
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
