/** What a requester is told when their data request moves (GitHub webhooks, the local board's console). Pure. */
import type { RequestChange, RequestRef } from '../requests/notifier.js';
import { clip, type Message, section } from './blocks.js';
import { escapeMrkdwn, slackLink } from './escape.js';

const link = (ref: RequestRef) => slackLink(ref.url, `#${ref.number} ${clip(ref.title, 120)}`);

function noticeText(ref: RequestRef, change: RequestChange): string {
  switch (change.kind) {
    case 'closed': {
      const how = change.notPlanned ? ' as not planned' : '';
      return `:white_check_mark: Your data request ${link(ref)} was closed${how} by ${escapeMrkdwn(change.by ?? 'someone')}.`;
    }
    case 'reopened':
      return `:arrows_counterclockwise: Your data request ${link(ref)} was reopened.`;
    case 'assigned':
      return `:bust_in_silhouette: ${escapeMrkdwn(change.assignee ?? 'Someone')} is now assigned to ${link(ref)}.`;
    case 'labeled':
      return `:label: ${link(ref)} was labelled \`${escapeMrkdwn(change.label)}\`.`;
    case 'commented': {
      const body = clip(change.body.replace(/\s+/g, ' ').trim(), 300);
      return `:speech_balloon: ${escapeMrkdwn(change.author)} commented on ${link(ref)}:\n> ${escapeMrkdwn(body)}`;
    }
    case 'status':
      return `:card_index_dividers: ${link(ref)} moved to *${escapeMrkdwn(change.status)}* on the board.`;
  }
}

export function requestChangeMessage(ref: RequestRef, change: RequestChange): Message {
  const text = noticeText(ref, change);
  // The fallback drops bold marks only: underscores belong to emoji codes, logins and metric names.
  return { text: text.replace(/\*(\S(?:[^*\n]*\S)?)\*/g, '$1'), blocks: [section(text)] };
}
