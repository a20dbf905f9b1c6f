/**
 * How the bot reacts when a data request moves, wherever the news comes from (GitHub webhooks, or the console moving
 * a request on the local board): it records the new state on its own row for the request, then posts a short note
 * in the request's Slack thread (or a DM when there is none), and a DM as well when the request is closed or done.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { OutboxRow, RequestOutbox } from '../store/request-outbox.js';
import { type AnyBlock, clip, type Message, section } from '../views/blocks.js';
import { escapeMrkdwn, slackLink } from '../views/escape.js';

/** The issue as the news names it. */
export interface RequestRef {
  number: number;
  title: string;
  url: string;
}

/** Where the requester hears about it. */
export interface Destination {
  slackUser: string;
  channel?: string;
  thread?: string;
}

export type RequestChange =
  | { kind: 'closed'; by?: string; notPlanned?: boolean; closedAt?: number }
  | { kind: 'reopened' }
  | { kind: 'assigned'; assignee?: string }
  | { kind: 'labeled'; label: string }
  | { kind: 'commented'; author: string; body: string }
  | { kind: 'status'; status: string };

export interface RequestNotice {
  ref: RequestRef;
  dest: Destination;
  /** The bot's own row for the request (its outbox key), when the bot filed it: the new state is recorded there. */
  key?: string;
  change: RequestChange;
}

export interface RequestNotifier {
  /** Records the change and tells the requester; false when it was not news (the status did not move). */
  notify(notice: RequestNotice): Promise<boolean>;
  /** The destination the bot recorded when it filed the request (its own records, not the issue's text). */
  destinationOf(row: OutboxRow): Destination;
}

export interface NotifierDeps {
  slack: WebClient;
  outbox: RequestOutbox;
  logger: Logger;
  clock: () => Date;
}

/** Statuses that mean the work is finished: the requester gets a DM, not only a thread note. */
export const DONE_STATUS = /^(done|closed|shipped|delivered|complete(d)?)$/i;

export function createRequestNotifier(deps: NotifierDeps): RequestNotifier {
  const log = deps.logger.child({ component: 'request-notifier' });

  const link = (ref: RequestRef) => slackLink(ref.url, `#${ref.number} ${clip(ref.title, 120)}`);

  async function tell(dest: Destination, text: string, alsoDm: boolean, extra: AnyBlock[] = []): Promise<void> {
    // The fallback drops bold marks only: underscores belong to emoji codes, logins and metric names.
    const plain = text.replace(/\*(\S(?:[^*\n]*\S)?)\*/g, '$1');
    const message: Message = { text: plain, blocks: [section(text), ...extra] };
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
      switch (change.kind) {
        case 'closed': {
          const how = change.notPlanned ? ' as not planned' : '';
          await tell(
            dest,
            `:white_check_mark: Your data request ${link(ref)} was closed${how} by ${escapeMrkdwn(change.by ?? 'someone')}.`,
            true,
          );
          return true;
        }
        case 'reopened':
          await tell(dest, `:arrows_counterclockwise: Your data request ${link(ref)} was reopened.`, false);
          return true;
        case 'assigned':
          await tell(
            dest,
            `:bust_in_silhouette: ${escapeMrkdwn(change.assignee ?? 'Someone')} is now assigned to ${link(ref)}.`,
            false,
          );
          return true;
        case 'labeled':
          await tell(dest, `:label: ${link(ref)} was labelled \`${escapeMrkdwn(change.label)}\`.`, false);
          return true;
        case 'commented': {
          const body = clip(change.body.replace(/\s+/g, ' ').trim(), 300);
          await tell(
            dest,
            `:speech_balloon: ${escapeMrkdwn(change.author)} commented on ${link(ref)}:\n> ${escapeMrkdwn(body)}`,
            false,
          );
          return true;
        }
        case 'status':
          // The status the bot itself set at filing (or one already announced) is not news.
          if (before && before.boardStatus === change.status) return false;
          await tell(
            dest,
            `:card_index_dividers: ${link(ref)} moved to *${escapeMrkdwn(change.status)}* on the board.`,
            DONE_STATUS.test(change.status),
          );
          return true;
      }
    },
  };
}
