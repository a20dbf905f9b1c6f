/**
 * Who hears about an event on a tracked issue. The destination comes only from the bot's own records (tracker +
 * issue number → the request it filed) or, for an issue filed by hand, from the author's mapped Slack account; never
 * from anything written in the issue, which anyone who can edit it controls. What is said is the notifier's.
 */
import type { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import { DATA_REQUEST_LABEL } from '../github/request-marker.js';
import type { RequestOutbox } from '../store/request-outbox.js';
import type { Destination } from './notifier.js';

export interface Recipient {
  dest: Destination;
  /** The bot's own row (outbox key) when it filed the issue; undefined for a hand-filed issue matched by author. */
  key?: string;
}

/** What the event says about the issue; only used for issues the bot did not file. */
export interface IssueFacts {
  labels: readonly string[];
  /** The issue's author on the tracker (login). */
  author?: string | null;
}

export interface RecipientDeps {
  outbox: Pick<RequestOutbox, 'findByIssue'>;
  /** Tracker login (lower case) → Slack user id, from GITHUB_USER_MAP. */
  userMap: Readonly<Record<string, string>>;
  slack: WebClient;
  /** A tracker user's public email, to find them in Slack when the map does not name them. */
  publicEmail?: (login: string) => Promise<string | null>;
}

export interface RecipientFinder {
  /** (tracker, issue number, event) → whom to tell, or null to stay quiet. `tracker` is `owner/name` on GitHub. */
  recipientFor(tracker: string, issueNumber: number, event: IssueFacts): Promise<Recipient | null>;
  /** A tracker login's Slack user (the map first, then the public email), if any. */
  slackUserFor(login: string | undefined): Promise<string | undefined>;
}

/**
 * A login's Slack account is looked up once for a while: one comment event asks about the author twice (whom to
 * tell, and whether the comment is theirs), and a busy issue brings the same people again and again. A miss is kept
 * briefly, so someone who sets a public email or joins Slack is found soon after.
 */
const FOUND_TTL_MS = 60 * 60_000;
const MISSED_TTL_MS = 5 * 60_000;

export function createRecipientFinder(deps: RecipientDeps): RecipientFinder {
  const lookups = new LRUCache<string, { user: Promise<string | undefined> }>({ max: 1000, ttl: FOUND_TTL_MS });

  async function slackUserFor(login: string | undefined): Promise<string | undefined> {
    if (!login) return undefined;
    const key = login.toLowerCase();
    const mapped = deps.userMap[key];
    if (mapped) return mapped;
    const cached = lookups.get(key);
    if (cached) return cached.user;
    const looking = lookUp(login);
    const entry = { user: looking.then((found) => found.user) };
    lookups.set(key, entry);
    const found = await looking;
    // A failed lookup is asked again next time; a definite miss only after a while.
    if (!found.sure) lookups.delete(key);
    else if (!found.user) lookups.set(key, entry, { ttl: MISSED_TTL_MS });
    return found.user;
  }

  async function lookUp(login: string): Promise<{ user?: string; sure: boolean }> {
    let email: string | null | undefined;
    try {
      email = await deps.publicEmail?.(login);
    } catch {
      return { sure: false };
    }
    if (!email) return { sure: true };
    try {
      const res = await deps.slack.users.lookupByEmail({ email });
      return { user: res.user?.id ?? undefined, sure: true };
    } catch (error) {
      return { sure: (error as { data?: { error?: string } }).data?.error === 'users_not_found' };
    }
  }

  return {
    slackUserFor,
    async recipientFor(tracker, issueNumber, event) {
      const row = deps.outbox.findByIssue(tracker, issueNumber);
      if (row) {
        const { requester, origin } = row.request;
        const thread =
          origin.channelId && origin.threadTs ? { channel: origin.channelId, thread: origin.threadTs } : {};
        return { dest: { slackUser: requester.id, ...thread }, key: row.key };
      }
      // Not one of ours: only a hand-filed data request, and only its author (a DM), ever hears about it.
      if (!event.labels.some((l) => l.toLowerCase() === DATA_REQUEST_LABEL)) return null;
      const user = await slackUserFor(event.author ?? undefined);
      return user ? { dest: { slackUser: user } } : null;
    },
  };
}
