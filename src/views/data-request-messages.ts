/** Messages about a data request: filed (DM), saved for retry (DM with the full answers), announced (channel). */

import { type FiledIssue, type IssueDraft, LOCAL_TRACKER, type RelatedIssue } from '../github/tracker.js';
import type { DataRequest } from '../requests/data-request.js';
import { FOUR_QUESTIONS } from '../requests/data-request.js';
import { type AnyBlock, clip, context, type Message, section } from './blocks.js';
import { escapeMrkdwn, slackLink } from './escape.js';

const necessityLabel = (r: DataRequest) => (r.necessity === 'necessity' ? 'Necessity' : 'Nice-to-have');
const link = (url: string, text: string) => slackLink(url, clip(text, 150));
/** The title as it goes into a `text` fallback: escaped like everything in blocks. */
const titleText = (r: DataRequest) => escapeMrkdwn(clip(r.title, 150));

export function requestFiledMessage(
  request: DataRequest,
  issue: FiledIssue,
  related: RelatedIssue[],
  draft?: IssueDraft,
): Message {
  const blocks: AnyBlock[] = [];
  if (issue.preview) {
    blocks.push(
      section(
        `*GitHub preview* (no GITHUB_TOKEN set): this is the issue that would be filed for “${titleText(request)}”.`,
      ),
    );
    if (draft) {
      blocks.push(section(`*Title:* ${escapeMrkdwn(draft.title)}\n*Labels:* ${draft.labels.join(', ')}`));
      blocks.push(section(`\`\`\`${clip(escapeMrkdwn(draft.body), 2900)}\`\`\``));
    }
    return { text: `GitHub preview of your data request "${titleText(request)}"`, blocks };
  }
  const local = issue.tracker === LOCAL_TRACKER;
  const board = issue.boardUrl ? ` on ${link(issue.boardUrl, 'the analytics board')}` : '';
  blocks.push(
    section(
      local
        ? `:white_check_mark: Your data request is filed as ${link(issue.url, `#${issue.number} ${request.title}`)} on the local board ` +
            '(no GitHub credentials are set, so the board lives on this machine).\n' +
            `Needed by *${request.neededBy}* · ${necessityLabel(request)}. I'll let you know here when it moves.`
        : `:white_check_mark: Your data request is filed: ${link(issue.url, `#${issue.number} ${request.title}`)}${board}.\n` +
            `Needed by *${request.neededBy}* · ${necessityLabel(request)}. The team triages the board every day; ` +
            "I'll let you know here when it moves.",
    ),
  );
  if (related.length > 0) {
    blocks.push(
      section(
        `*Possibly related open requests:*\n${related.map((r) => `• ${link(r.url, `#${r.number} ${r.title}`)}`).join('\n')}`,
      ),
    );
  }
  return {
    text: local
      ? `Your data request is filed as #${issue.number} on the local board: ${titleText(request)}`
      : `Your data request is filed: #${issue.number} ${titleText(request)} ${issue.url}`,
    blocks,
  };
}

/** GitHub failed: the request is safe, and the person gets every answer back so nothing is lost. */
export function requestSavedMessage(request: DataRequest): Message {
  const answers: Array<[string, string]> = [
    ['Title', request.title],
    [`1. ${FOUR_QUESTIONS[0]}`, request.purpose],
    ['2. What do you want the deliverable to look like?', request.deliverable],
    [`3. ${FOUR_QUESTIONS[2]}`, request.neededBy],
    [`4. ${FOUR_QUESTIONS[3]}`, necessityLabel(request)],
  ];
  if (request.links) answers.push(['Links', request.links]);
  const blocks: AnyBlock[] = [
    section(
      ":floppy_disk: GitHub isn't answering right now, so your data request is *saved* and I'll file it " +
        "automatically as soon as I can (I keep retrying, also after restarts). I'll DM you the link. " +
        'Here is everything you sent:',
    ),
    ...answers.map(([q, a]) => section(`*${escapeMrkdwn(q)}*\n${escapeMrkdwn(clip(a, 2800))}`)),
  ];
  return { text: `Your data request "${titleText(request)}" is saved and will be filed automatically.`, blocks };
}

export function requestAnnouncement(request: DataRequest, issue: FiledIssue): Message {
  const where = issue.tracker === LOCAL_TRACKER ? ' on the local board' : '';
  const text =
    `:inbox_tray: New data request from <@${request.requester.id}>: ${link(issue.url, `#${issue.number} ${request.title}`)}` +
    `${where} — needed by ${request.neededBy} (${necessityLabel(request)})`;
  return {
    text: `New data request: #${issue.number} ${titleText(request)}`,
    blocks: [section(text), context(clip(escapeMrkdwn(request.purpose.replace(/\s+/g, ' ')), 280))],
  };
}
