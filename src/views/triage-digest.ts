/**
 * The daily triage digest: one message, headline counts first, then each section capped with "…and N more"
 * and a board link, inside Slack's 50-block limit. Pure.
 */
import { DateTime } from 'luxon';
import type { AgedItem, TriageDigest } from '../digest/triage.js';
import type { BoardItem } from '../github/board.js';
import {
  type AnyBlock,
  actions,
  button,
  clip,
  context,
  divider,
  escapeMrkdwn,
  header,
  type Message,
  section,
} from './blocks.js';
import { bucketLabels, dataVisualization, xyChart } from './charts.js';
import { slackLink } from './escape.js';
import { buttonId } from './ids.js';

/** A link button: it opens the board, and Slack still sends the click. */
export const OPEN_BOARD_ACTION = buttonId('open_board');

export const DIGEST_EVENT_TYPE = 'analytics_triage_digest';
const PER_SECTION = 8;

const itemLine = (i: BoardItem, suffix = '') => {
  const who =
    i.issue.assignees.length > 0 ? ` · ${i.issue.assignees.map((a) => `@${escapeMrkdwn(a)}`).join(', ')}` : '';
  return `• ${slackLink(i.issue.url, `#${i.issue.number} ${clip(i.issue.title, 90)}`)}${suffix}${who}`;
};
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function listSection(title: string, lines: string[], boardUrl: string): AnyBlock | null {
  if (lines.length === 0) return null;
  const shown = lines.slice(0, PER_SECTION);
  let text = `*${title}* (${lines.length})\n${shown.join('\n')}`;
  if (lines.length > shown.length) text += `\n…and ${lines.length - shown.length} more on <${boardUrl}|the board>`;
  // Keep under the 3,000-character section limit even with long titles.
  while (text.length > 2900 && shown.length > 1) {
    shown.pop();
    text = `*${title}* (${lines.length})\n${shown.join('\n')}\n…and ${lines.length - shown.length} more on <${boardUrl}|the board>`;
  }
  return section(text);
}

export interface DigestViewOptions {
  boardUrl: string;
  boardTitle: string;
  day: string;
  timezone: string;
  preview?: boolean;
}

export function triageDigestMessage(d: TriageDigest, opts: DigestViewOptions): Message & { metadata?: unknown } {
  const dayLabel = DateTime.fromISO(opts.day).toFormat('cccc, LLL d');
  const blocks: AnyBlock[] = [header(clip(`Analytics triage · ${dayLabel}`, 150))];
  if (opts.preview) blocks.push(context('_Preview: only you can see this. The team’s digest is posted on schedule._'));

  const counts = d.byStatus.map((s) => `${escapeMrkdwn(s.status)}: *${s.count}*`).join(' · ') || 'no items';
  blocks.push(
    section(`${slackLink(opts.boardUrl, clip(opts.boardTitle, 100))}: ${plural(d.open, 'open request')} · ${counts}`),
  );

  if (d.total === 0 || d.allClear) {
    const news = d.newSince.length + d.closedSince.length;
    blocks.push(
      section(
        d.total === 0
          ? ':white_check_mark: The board is empty: nothing to triage today.'
          : `:white_check_mark: All clear: nothing waiting for triage, overdue, due this week, stale or unassigned.${news ? ` (${plural(d.newSince.length, 'new request')}, ${d.closedSince.length} closed since the last digest.)` : ''}`,
      ),
    );
  } else {
    const aged = (xs: AgedItem[], fmt: (n: number) => string) => xs.map((x) => itemLine(x.item, ` — ${fmt(x.days)}`));
    const sections = [
      listSection(
        ':inbox_tray: Needs triage (oldest first)',
        aged(d.needsTriage, (n) => `${plural(n, 'day')} old`),
        opts.boardUrl,
      ),
      listSection(
        ':rotating_light: Overdue',
        aged(d.overdue, (n) => `${plural(n, 'day')} overdue`),
        opts.boardUrl,
      ),
      listSection(
        ':calendar: Due in the next 7 days',
        aged(d.dueSoon, (n) => (n === 0 ? 'due today' : `due in ${plural(n, 'day')}`)),
        opts.boardUrl,
      ),
      listSection(
        ':zzz: Stale (in progress, no update for 14+ days)',
        aged(d.stale, (n) => `${n} days quiet`),
        opts.boardUrl,
      ),
      listSection(
        ':bust_in_silhouette: Necessities without an assignee',
        d.unassignedNecessities.map((i) => itemLine(i)),
        opts.boardUrl,
      ),
      listSection(
        ':new: New since the last digest',
        d.newSince.map((i) => itemLine(i)),
        opts.boardUrl,
      ),
      listSection(
        ':white_check_mark: Closed since the last digest',
        d.closedSince.map((i) => itemLine(i)),
        opts.boardUrl,
      ),
    ].filter((b): b is AnyBlock => b !== null);
    for (const s of sections) blocks.push(divider(), s);
  }
  blocks.push(...weeklyFlowBlocks(d));
  blocks.push(actions('digest_actions', [button('Open the board', OPEN_BOARD_ACTION, { url: opts.boardUrl })]));
  blocks.push(
    context(
      `Times in ${opts.timezone}. New and closed are counted since ${DateTime.fromJSDate(d.since, { zone: opts.timezone }).toFormat('LLL d, HH:mm')}.`,
    ),
  );

  const text = d.allClear
    ? `Analytics triage ${opts.day}: all clear (${plural(d.open, 'open request')}).`
    : `Analytics triage ${opts.day}: ${d.needsTriage.length} need triage, ${d.overdue.length} overdue, ` +
      `${d.dueSoon.length} due this week, ${d.stale.length} stale, ${d.unassignedNecessities.length} unassigned necessities.`;
  return { text, blocks: blocks.slice(0, 50) };
}

export const DIGEST_CHART_BLOCK = 'digest_weekly_flow';

/** Requests opened and closed per week: the same numbers as a text line and as one grouped bar chart. */
function weeklyFlowBlocks(d: TriageDigest): AnyBlock[] {
  if (d.weekly.length === 0) return [];
  const labels = bucketLabels(
    d.weekly.map((w) => w.week),
    'week',
  );
  const line = d.weekly.map((w, i) => `${labels[i]} +${w.opened}/−${w.closed}`).join(' · ');
  return [
    context(`*Opened/closed per week* (last ${d.weekly.length} weeks, week starting): ${line}`),
    dataVisualization(
      `Requests opened and closed, last ${d.weekly.length} weeks`,
      xyChart(
        'bar',
        labels,
        [
          { name: 'Opened', values: d.weekly.map((w) => w.opened) },
          { name: 'Closed', values: d.weekly.map((w) => w.closed) },
        ],
        { x: 'Week starting', y: 'Requests' },
      ),
      DIGEST_CHART_BLOCK,
    ),
  ];
}

export function digestFailureMessage(reason: string, boardUrl?: string): Message {
  const text =
    `:warning: Today's triage digest could not be built: ${escapeMrkdwn(reason)}. ` +
    `I'll keep retrying today${boardUrl ? `; meanwhile the board is at <${boardUrl}|this link>` : ''}.`;
  return { text: `Today's triage digest could not be built: ${escapeMrkdwn(reason)}`, blocks: [section(text)] };
}

/** `/analytics digest` while the preview is built. */
export const digestPreviewWorkingMessage = {
  response_type: 'ephemeral' as const,
  text: 'Building a preview of today’s triage digest…',
};

/** `/analytics digest` when the board could not be read: `boardProblem` when the board said why, else GitHub was silent. */
export function digestPreviewFailureMessage(boardProblem?: string): Message {
  const text = boardProblem
    ? `I can't build the digest: ${boardProblem}`
    : 'I can’t build the digest right now: GitHub did not answer. Try again in a minute.';
  return { text, blocks: [section(text)] };
}
