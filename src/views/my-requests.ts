/** A person's data requests: the App Home tab, its metric browser, and `/analytics my`. Pure. */
import type { HomeView, ModalView } from '@slack/types';
import { DateTime } from 'luxon';
import type { OutboxRow } from '../store/request-outbox.js';
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
  plain,
  section,
} from './blocks.js';
import { slackLink } from './escape.js';
import { buttonId } from './ids.js';
import { OPEN_DATA_REQUEST_ACTION } from './metric-answer.js';

export const BROWSE_METRICS_ACTION = buttonId('browse_metrics');
const METRIC_BROWSER_MODAL = 'metric_browser';
const RECENTLY_CLOSED_DAYS = 30;

const day = (ms: number) => DateTime.fromMillis(ms, { zone: 'UTC' }).toFormat('LLL d');

function requestLine(row: OutboxRow): string {
  const r = row.request;
  const title = escapeMrkdwn(clip(r.title, 120));
  const necessity = r.necessity === 'necessity' ? 'Necessity' : 'Nice-to-have';
  if (row.status === 'pending') {
    return `*${title}*\n:floppy_disk: Saved, being filed on GitHub${row.attempts > 0 ? ` (retrying: ${escapeMrkdwn(clip(row.lastError ?? '', 80))})` : ''} · needed by ${r.neededBy}`;
  }
  const issue = row.issue!;
  const name = issue.preview ? title : slackLink(issue.url, `#${issue.number} ${clip(r.title, 120)}`);
  if (row.issueState === 'closed')
    return `*${name}*\n:white_check_mark: Closed ${row.closedAt ? day(row.closedAt) : ''}`;
  const status = row.boardStatus ?? 'Triage';
  return `*${name}*\nStatus: *${escapeMrkdwn(status)}* · needed by ${r.neededBy} · ${necessity}`;
}

/** Open first (oldest needed-by first), then closed within the last 30 days. */
export function splitRequests(rows: OutboxRow[], now: Date): { open: OutboxRow[]; closed: OutboxRow[] } {
  const open = rows
    .filter((r) => r.issueState !== 'closed')
    .sort((a, b) => a.request.neededBy.localeCompare(b.request.neededBy));
  const cutoff = now.getTime() - RECENTLY_CLOSED_DAYS * 86_400_000;
  const closed = rows.filter((r) => r.issueState === 'closed' && (r.closedAt ?? 0) >= cutoff);
  return { open, closed };
}

function requestBlocks(rows: OutboxRow[], now: Date, max: number): AnyBlock[] {
  const { open, closed } = splitRequests(rows, now);
  const blocks: AnyBlock[] = [];
  if (open.length === 0 && closed.length === 0) {
    blocks.push(section("You have no open data requests. When you file one, you'll see its status here."));
    return blocks;
  }
  const shown = [...open, ...closed].slice(0, max);
  const more = open.length + closed.length - shown.length;
  if (open.length > 0) blocks.push(section(`*Open* (${open.length})`));
  for (const row of shown.filter((r) => open.includes(r))) blocks.push(section(requestLine(row)));
  const shownClosed = shown.filter((r) => closed.includes(r));
  if (shownClosed.length > 0) {
    blocks.push(section(`*Closed in the last ${RECENTLY_CLOSED_DAYS} days* (${closed.length})`));
    for (const row of shownClosed) blocks.push(section(requestLine(row)));
  }
  if (more > 0) blocks.push(context(`…and ${more} more.`));
  return blocks;
}

const HOW_WE_WORK =
  '*How the analytics team works*\n' +
  '• *Self-serve first:* ask me (`/analytics &lt;metric&gt;`) or explore Looker.\n' +
  '• *Small asks and quick questions:* post in the analytics channel.\n' +
  '• *Projects:* request them here; every request answers four questions (what it is for, what it should look ' +
  'like, when it is needed, nice-to-have or necessity).\n' +
  '• *The board is triaged every day*, and I tell you here when your request moves.';

/** `extra` holds other features' sections (watches), shown before the how-we-work notes. */
export function homeView(rows: OutboxRow[], now: Date, extra: AnyBlock[] = []): HomeView {
  const blocks: AnyBlock[] = [
    header('Your data requests'),
    actions('home_actions', [
      button('Request data', OPEN_DATA_REQUEST_ACTION, { value: 'home', style: 'primary' }),
      button('Browse metrics', BROWSE_METRICS_ACTION, { value: 'home' }),
    ]),
    ...requestBlocks(rows, now, 40),
    ...extra,
    divider(),
    section(HOW_WE_WORK),
  ];
  return { type: 'home', blocks: blocks.slice(0, 100) } as HomeView;
}

/**
 * "Browse metrics": the metric list in a modal. Opened at once, before the list is known (a trigger expires within
 * 3 seconds and the list may take a user-group lookup), then updated with `list`.
 */
export function metricBrowserView(list?: Message): ModalView {
  const blocks = list ? list.blocks.slice(0, 100) : [section('Looking up the metrics you can ask about…')];
  return {
    type: 'modal',
    callback_id: METRIC_BROWSER_MODAL,
    title: plain('Metrics', 24),
    close: plain('Close', 24),
    blocks: blocks as ModalView['blocks'],
  };
}

export function myRequestsMessage(rows: OutboxRow[], now: Date): Message {
  const { open, closed } = splitRequests(rows, now);
  const blocks = [header('Your data requests'), ...requestBlocks(rows, now, 20)];
  if (open.length + closed.length > 20) blocks.push(context('The App Home tab lists up to 40.'));
  return {
    response_type: 'ephemeral',
    text: `You have ${open.length} open data request${open.length === 1 ? '' : 's'} and ${closed.length} closed recently.`,
    blocks: blocks.slice(0, 50),
  };
}
