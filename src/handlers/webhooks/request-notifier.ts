/**
 * How the bot reacts when a data request moves: it records the new state on its own row for the request, then posts
 * a short note in the request's Slack thread (or a DM when there is none), and a DM as well when the request is
 * closed or done. What the note says is the view's (views/request-updates.ts).
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import type { Destination, RequestChange, RequestNotifier } from '../../requests/notifier.js';
import type { OutboxRow, RequestOutbox } from '../../store/request-outbox.js';
import type { Message } from '../../views/blocks.js';
import { requestChangeMessage } from '../../views/request-updates.js';

export interface NotifierDeps {
  slack: WebClient;
  outbox: RequestOutbox;
  logger: Logger;
  clock: () => Date;
}

/** Statuses that mean the work is finished: the requester gets a DM, not only a thread note. */
const DONE_STATUS = /^(done|closed|shipped|delivered|complete(d)?)$/i;

export function createRequestNotifier(deps: NotifierDeps): RequestNotifier {
  const log = deps.logger.child({ component: 'request-notifier' });

  async function tell(dest: Destination, message: Message, alsoDm: boolean): Promise<void> {
    let postedInThread = false;
    if (dest.channel && dest.thread) {
      try {
        await deps.slack.chat.postMessage({
          channel: dest.channel,
          thread_ts: dest.thread,
          ...message,
          unfurl_links: false,
        });
        postedInThread = true;
      } catch (error) {
        log.warn({ err: error, channel: dest.channel }, 'could not post in the request thread; sending a DM instead');
      }
    }
    if (alsoDm || !postedInThread) {
      await deps.slack.chat.postMessage({ channel: dest.slackUser, ...message, unfurl_links: false });
    }
  }

  /** Records what changed on the bot's row; returns the row as it was before. */
  function record(key: string | undefined, change: RequestChange, now: number): OutboxRow | undefined {
    if (!key) return undefined;
    const before = deps.outbox.get(key);
    if (!before) return undefined;
    if (change.kind === 'closed')
      deps.outbox.recordIssueState(key, { state: 'closed', closedAt: change.closedAt ?? now }, now);
    if (change.kind === 'reopened') deps.outbox.recordIssueState(key, { state: 'open' }, now);
    if (change.kind === 'status') deps.outbox.recordIssueState(key, { boardStatus: change.status }, now);
    return before;
  }

  return {
    destinationOf(row) {
      return {
        slackUser: row.request.requester.id,
        channel: row.request.origin.channelId,
        thread: row.request.origin.threadTs,
      };
    },

    async notify({ ref, dest, key, change }) {
      const before = record(key, change, deps.clock().getTime());
      // The status the bot itself set at filing (or one already announced) is not news.
      if (change.kind === 'status' && before && before.boardStatus === change.status) return false;
      const finished = change.kind === 'closed' || (change.kind === 'status' && DONE_STATUS.test(change.status));
      await tell(dest, requestChangeMessage(ref, change), finished);
      return true;
    },
  };
}
