/**
 * Closing the loop (#7): GitHub events on data requests become a short message in the request's original Slack
 * thread (or a DM), and a DM when the request is closed or done. Requests are recognised by the marker the bot
 * wrote; hand-filed issues are matched to a Slack user through GITHUB_USER_MAP or the author's public email.
 */
import type { Webhooks } from '@octokit/webhooks';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { RequestOutbox } from '../store/request-outbox.js';
import { type AnyBlock, clip, escapeMrkdwn, type Message, section } from '../views/blocks.js';
import { DATA_REQUEST_LABEL, readMarker } from './issue-body.js';
import type { ItemLookup } from './item-lookup.js';

export interface WebhookDeps {
  slack: WebClient;
  outbox: RequestOutbox;
  items: ItemLookup;
  /** GitHub login → Slack user id, from GITHUB_USER_MAP. */
  userMap: Readonly<Record<string, string>>;
  logger: Logger;
  clock: () => Date;
}

interface IssueLike {
  number: number;
  title: string;
  html_url?: string;
  url?: string;
  body?: string | null;
  user?: { login: string; type?: string } | null;
  state_reason?: string | null;
  closed_at?: string | null;
}

interface Destination {
  slackUser: string;
  channel?: string;
  thread?: string;
  /** Filed by the bot (marker) rather than matched by author. */
  viaMarker: boolean;
}

const OWN_LABELS = new Set([DATA_REQUEST_LABEL, 'necessity', 'nice-to-have']);
const DONE = /^(done|closed|shipped|delivered|complete(d)?)$/i;

export function registerWebhookHandlers(webhooks: Webhooks, deps: WebhookDeps): void {
  const log = deps.logger.child({ component: 'github-events' });

  async function slackUserFor(login: string | undefined): Promise<string | undefined> {
    if (!login) return undefined;
    const mapped = deps.userMap[login.toLowerCase()];
    if (mapped) return mapped;
    const email = await deps.items.publicEmail(login);
    if (!email) return undefined;
    try {
      const res = await deps.slack.users.lookupByEmail({ email });
      return res.user?.id ?? undefined;
    } catch {
      return undefined;
    }
  }

  async function destinationFor(issue: IssueLike): Promise<Destination | null> {
    const marker = readMarker(issue.body);
    if (marker) return { slackUser: marker.requester, channel: marker.channel, thread: marker.thread, viaMarker: true };
    const user = await slackUserFor(issue.user?.login);
    return user ? { slackUser: user, viaMarker: false } : null;
  }

  const link = (issue: IssueLike) =>
    `<${issue.html_url ?? issue.url}|#${issue.number} ${escapeMrkdwn(clip(issue.title, 120))}>`;

  async function tell(dest: Destination, text: string, alsoDm: boolean, extra: AnyBlock[] = []): Promise<void> {
    const message: Message = { text: text.replace(/[*_]/g, ''), blocks: [section(text), ...extra] };
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

  webhooks.on(['issues.closed', 'issues.reopened', 'issues.assigned', 'issues.labeled'], async ({ payload }) => {
    const issue = payload.issue as IssueLike;
    const sender = payload.sender as { login: string; type?: string } | undefined;
    const dest = await destinationFor(issue);
    if (!dest) return void log.debug({ issue: issue.number }, 'issue event for an unknown requester ignored');
    const now = deps.clock().getTime();
    switch (payload.action) {
      case 'closed': {
        deps.outbox.updateIssue(
          issue.number,
          { state: 'closed', closedAt: issue.closed_at ? Date.parse(issue.closed_at) : now },
          now,
        );
        const how = issue.state_reason === 'not_planned' ? ' as not planned' : '';
        await tell(
          dest,
          `:white_check_mark: Your data request ${link(issue)} was closed${how} by ${sender?.login ?? 'someone'}.`,
          true,
        );
        return;
      }
      case 'reopened':
        deps.outbox.updateIssue(issue.number, { state: 'open' }, now);
        await tell(dest, `:arrows_counterclockwise: Your data request ${link(issue)} was reopened.`, false);
        return;
      case 'assigned': {
        const assignee = (payload as { assignee?: { login: string } | null }).assignee?.login;
        await tell(dest, `:bust_in_silhouette: ${assignee ?? 'Someone'} is now assigned to ${link(issue)}.`, false);
        return;
      }
      case 'labeled': {
        const label = (payload as { label?: { name: string } }).label?.name;
        // Labels the bot adds itself at filing time are not news.
        if (!label || OWN_LABELS.has(label) || sender?.type === 'Bot') return;
        await tell(dest, `:label: ${link(issue)} was labelled \`${escapeMrkdwn(label)}\`.`, false);
        return;
      }
    }
  });

  webhooks.on('issue_comment.created', async ({ payload }) => {
    const issue = payload.issue as IssueLike;
    const author = payload.comment.user;
    if (!author?.login || author.type === 'Bot') return;
    const dest = await destinationFor(issue);
    if (!dest) return;
    // The requester's own comments are not news to them.
    if ((await slackUserFor(author.login)) === dest.slackUser) return;
    const body = clip((payload.comment.body ?? '').replace(/\s+/g, ' ').trim(), 300);
    await tell(
      dest,
      `:speech_balloon: ${escapeMrkdwn(author.login)} commented on ${link(issue)}:\n> ${escapeMrkdwn(body)}`,
      false,
    );
  });

  webhooks.on('projects_v2_item.edited', async ({ payload }) => {
    const item = payload.projects_v2_item;
    if (item.content_type !== 'Issue') return;
    const change = (payload as { changes?: { field_value?: { field_type?: string; field_node_id?: string } } }).changes
      ?.field_value;
    if (change?.field_type && change.field_type !== 'single_select') return;
    if (!item.node_id) return;
    const info = await deps.items.item(item.node_id);
    if (!info?.status) return;
    // Another single-select field (e.g. Necessity) was edited: the status did not move.
    if (change?.field_node_id && info.statusFieldId && change.field_node_id !== info.statusFieldId) return;
    const issue: IssueLike = {
      number: info.number,
      title: info.title,
      html_url: info.url,
      body: info.body,
      user: info.author ? { login: info.author } : null,
    };
    const dest = await destinationFor(issue);
    if (!dest) return;
    const now = deps.clock().getTime();
    const row = deps.outbox.updateIssue(info.number, {}, now);
    if (row && row.boardStatus === info.status) return; // another field changed, not the status
    deps.outbox.updateIssue(info.number, { boardStatus: info.status }, now);
    const done = DONE.test(info.status);
    await tell(
      dest,
      `:card_index_dividers: ${link(issue)} moved to *${escapeMrkdwn(info.status)}* on the board.`,
      done,
    );
  });
}
