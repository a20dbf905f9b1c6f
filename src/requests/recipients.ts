/**
 * Who hears about an event on a tracked issue. The destination comes only from the bot's own records (tracker +
 * issue number → the request it filed) or, for an issue filed by hand, from the author's mapped Slack account; never
 * from anything written in the issue, which anyone who can edit it controls. What is said is the notifier's.
 */
import type { WebClient } from '@slack/web-api';
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
  outbox: Pick<RequestOutbox, 'filedByIssue'>;
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

export function createRecipientFinder(deps: RecipientDeps): RecipientFinder {
  async function slackUserFor(login: string | undefined): Promise<string | undefined> {
    if (!login) return undefined;
    const mapped = deps.userMap[login.toLowerCase()];
    if (mapped) return mapped;
    const email = await deps.publicEmail?.(login);
    if (!email) return undefined;
    try {
      const res = await deps.slack.users.lookupByEmail({ email });
      return res.user?.id ?? undefined;
    } catch {
      return undefined;
    }
  }

  return {
    slackUserFor,
    async recipientFor(tracker, issueNumber, event) {
      const row = deps.outbox.filedByIssue(tracker, issueNumber);
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
