/**
 * News about a data request, wherever it comes from (GitHub webhooks, or the console moving a request on the local
 * board), and the port that records it and tells the requester (handlers/webhooks/request-notifier.ts).
 */
import type { OutboxRow } from '../store/request-outbox.js';

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
  /** The destination the bot recorded when it filed the request (its own records, not the text). */
  destinationOf(row: OutboxRow): Destination;
}
