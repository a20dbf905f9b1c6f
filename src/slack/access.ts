/** Metric access rules (catalog `access`): allowed channels, or membership of a Slack user group. */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { Metric } from '../queries/catalog.js';

const TTL_MS = 5 * 60_000;
const groupCache = new Map<string, { at: number; users: Set<string> }>();

export async function canSeeMetric(
  metric: Metric,
  asker: { userId: string; channelId?: string },
  client: WebClient,
  log: Logger,
): Promise<boolean> {
  const rule = metric.access;
  if (!rule) return true;
  if (asker.channelId && rule.channels.includes(asker.channelId)) return true;
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

/** Tests start from a clean slate. */
export function clearAccessCache(): void {
  groupCache.clear();
}
