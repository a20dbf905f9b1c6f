/**
 * Closing the loop (#7): GitHub events on data requests become a short message in the request's original Slack
 * thread (or a DM), and a DM when the request is closed or done. Requests are recognised by the marker the bot
 * wrote; hand-filed issues are matched to a Slack user through GITHUB_USER_MAP or the author's public email.
 * What is said, and what is recorded, is the request notifier's (shared with the local board's console commands).
 */
import type { Webhooks } from '@octokit/webhooks';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { Destination, RequestChange, RequestNotifier, RequestRef } from '../requests/notifier.js';
import type { RequestOutbox } from '../store/request-outbox.js';
import { DATA_REQUEST_LABEL, readMarker } from './issue-body.js';
import type { ItemLookup } from './item-lookup.js';

export interface WebhookDeps {
  slack: WebClient;
  outbox: RequestOutbox;
  items: ItemLookup;
  notifier: RequestNotifier;
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

const OWN_LABELS = new Set([DATA_REQUEST_LABEL, 'necessity', 'nice-to-have']);

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
    if (marker) return { slackUser: marker.requester, channel: marker.channel, thread: marker.thread };
    const user = await slackUserFor(issue.user?.login);
    return user ? { slackUser: user } : null;
  }

  const refOf = (issue: IssueLike): RequestRef => ({
    number: issue.number,
    title: issue.title,
    url: issue.html_url ?? issue.url ?? '',
  });

  /** The bot's own row for the issue, when it filed it: the notifier records the new state there. */
  const keyOf = (number: number) => deps.outbox.updateIssue(number, {}, deps.clock().getTime())?.key;

  const notify = (issue: IssueLike, dest: Destination, change: RequestChange) =>
    deps.notifier.notify({ ref: refOf(issue), dest, key: keyOf(issue.number), change });

  webhooks.on(['issues.closed', 'issues.reopened', 'issues.assigned', 'issues.labeled'], async ({ payload }) => {
    const issue = payload.issue as IssueLike;
    const sender = payload.sender as { login: string; type?: string } | undefined;
    const dest = await destinationFor(issue);
    if (!dest) return void log.debug({ issue: issue.number }, 'issue event for an unknown requester ignored');
    switch (payload.action) {
      case 'closed':
        await notify(issue, dest, {
          kind: 'closed',
          by: sender?.login,
          notPlanned: issue.state_reason === 'not_planned',
          closedAt: issue.closed_at ? Date.parse(issue.closed_at) : undefined,
        });
        return;
      case 'reopened':
        await notify(issue, dest, { kind: 'reopened' });
        return;
      case 'assigned':
        await notify(issue, dest, {
          kind: 'assigned',
          assignee: (payload as { assignee?: { login: string } | null }).assignee?.login,
        });
        return;
      case 'labeled': {
        const label = (payload as { label?: { name: string } }).label?.name;
        // Labels the bot adds itself at filing time are not news.
        if (!label || OWN_LABELS.has(label) || sender?.type === 'Bot') return;
        await notify(issue, dest, { kind: 'labeled', label });
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
    await notify(issue, dest, { kind: 'commented', author: author.login, body: payload.comment.body ?? '' });
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
    await notify(issue, dest, { kind: 'status', status: info.status });
  });
}
