/** Metric access rules (catalog `access`): allowed channels, or membership of a Slack user group. */
import type { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../logger.js';
import type { Metric } from '../queries/catalog.js';
import type { Asker } from '../queries/metric-service.js';
import type { QuestionError } from '../queries/question.js';

/** Who will see the number: the asker alone (ephemeral, DM), or everyone in the asker's channel. */
export type Audience = 'asker' | 'channel';

/**
 * The access rules of restricted metrics, with the user-group lookups they need cached for five minutes. One per
 * process, made by the composition root: every surface sees the same membership.
 */
export class MetricAccess {
  // Keyed by user group (a catalog names a handful); bounded anyway, since the catalog is an input too. It holds the
  // lookup's promise, so checks that run together (a listing of several metrics of one group) share one Slack call.
  readonly #groups = new LRUCache<string, Promise<Set<string>>>({ max: 200, ttl: 5 * 60_000 });

  /**
   * Whether `metric` may be shown to `audience`. An allowed channel lets anyone there see it; a user-group grant is
   * one person's, so it allows only an answer the asker alone sees, never one posted in a channel.
   */
  async canSeeMetric(
    metric: Metric,
    asker: Asker,
    client: WebClient,
    log: Logger,
    audience: Audience = 'asker',
  ): Promise<boolean> {
    const rule = metric.access;
    if (!rule) return true;
    if (asker.channelId && rule.channels.includes(asker.channelId)) return true;
    if (audience === 'channel') return false;
    for (const group of rule.usergroups) {
      let lookup = this.#groups.get(group);
      if (!lookup) {
        lookup = client.usergroups.users.list({ usergroup: group }).then((res) => new Set(res.users ?? []));
        this.#groups.set(group, lookup);
      }
      let users: Set<string>;
      try {
        users = await lookup;
      } catch (error) {
        // Fail closed: an unreadable group grants nothing (and is asked again next time).
        if (this.#groups.get(group) === lookup) this.#groups.delete(group);
        log.warn({ err: error, usergroup: group, metric: metric.name }, 'could not read user group for access rule');
        continue;
      }
      if (users.has(asker.userId)) return true;
    }
    return false;
  }

  /**
   * The metrics `asker` may ask for: listings, suggestions and "did you mean" buttons leave the others out, so a
   * restricted metric's name is not shown to people who cannot see its numbers.
   */
  async askableMetrics<M extends Metric>(
    metrics: readonly M[],
    asker: Asker,
    client: WebClient,
    log: Logger,
    audience: Audience = 'asker',
  ): Promise<M[]> {
    const allowed = await Promise.all(metrics.map((m) => this.canSeeMetric(m, asker, client, log, audience)));
    return metrics.filter((_, i) => allowed[i]);
  }

  /** A question error with its suggestions narrowed to what `asker` may ask for. */
  async withAskableSuggestions(
    error: QuestionError,
    asker: Asker,
    client: WebClient,
    log: Logger,
    audience: Audience = 'asker',
  ): Promise<QuestionError> {
    // Every refusal that names closest metrics names only ones the asker may see.
    if (!('suggestions' in error) || !error.suggestions) return error;
    return {
      ...error,
      suggestions: await this.askableMetrics(error.suggestions, asker, client, log, audience),
    } as QuestionError;
  }

  /** Forgets every membership (a test changes a group between requests). */
  clear(): void {
    this.#groups.clear();
  }
}

/** True when every restricted metric is decided by the channel alone, so listing needs no Slack call (ack path). */
export function decidedByChannel(metrics: readonly Metric[], asker: { channelId?: string }): boolean {
  return metrics.every(
    (m) => !m.access || (asker.channelId !== undefined && m.access.channels.includes(asker.channelId)),
  );
}
