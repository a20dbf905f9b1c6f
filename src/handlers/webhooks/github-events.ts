/**
 * Closing the loop: GitHub events on data requests become a short message in the request's original Slack thread
 * (or a DM), and a DM when the request is closed or done. Only deliveries for the configured repository and board
 * count; whom to tell comes from the bot's records (requests/recipients.ts), never from the issue body. What is said,
 * and what is recorded, is the request notifier's (shared with the local board's console commands).
 */
import type { Webhooks } from '@octokit/webhooks';
import type { WebClient } from '@slack/web-api';
import type { ItemLookup } from '../../github/item-lookup.js';
import { DATA_REQUEST_LABEL } from '../../github/request-marker.js';
import type { Logger } from '../../logger.js';
import type { RequestChange, RequestNotifier, RequestRef } from '../../requests/notifier.js';
import { createRecipientFinder, type Recipient } from '../../requests/recipients.js';
import type { RequestOutbox } from '../../store/request-outbox.js';

export interface WebhookDeps {
  slack: WebClient;
  outbox: Pick<RequestOutbox, 'findByIssue'>;
  items: ItemLookup;
  notifier: RequestNotifier;
  /** GitHub login → Slack user id, from GITHUB_USER_MAP. */
  userMap: Readonly<Record<string, string>>;
  /** GITHUB_REPOSITORY (`owner/name`): deliveries about any other repository are ignored. */
  repository?: string;
  /** GITHUB_PROJECT_URL: board events from any other project are ignored. */
  projectUrl?: string;
  logger: Logger;
  clock: () => Date;
}

interface IssueLike {
  number: number;
  title: string;
  html_url?: string;
  url?: string;
  user?: { login: string; type?: string } | null;
  labels?: Array<{ name?: string } | string>;
  state_reason?: string | null;
  closed_at?: string | null;
}

const OWN_LABELS = new Set([DATA_REQUEST_LABEL, 'necessity', 'nice-to-have']);

const sameName = (a: string | null | undefined, b: string | undefined) =>
  !!a && !!b && a.toLowerCase() === b.toLowerCase();
const sameProject = (a: string | null | undefined, b: string | undefined) =>
  !!a && !!b && a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();
const labelNames = (issue: IssueLike) =>
  (issue.labels ?? []).flatMap((l) => (typeof l === 'string' ? [l] : l.name ? [l.name] : []));

export function registerWebhookHandlers(webhooks: Webhooks, deps: WebhookDeps): void {
  const log = deps.logger.child({ component: 'github-events' });
  const finder = createRecipientFinder({
    outbox: deps.outbox,
    userMap: deps.userMap,
    slack: deps.slack,
    publicEmail: (login) => deps.items.publicEmail(login),
  });

  /** Whom to tell: null for other repositories, issues the bot did not file unless labelled, unknown authors. */
  async function recipientFor(
    repository: { full_name?: string } | undefined,
    issue: IssueLike,
  ): Promise<Recipient | null> {
    if (!sameName(repository?.full_name, deps.repository)) {
      log.info({ repository: repository?.full_name, issue: issue.number }, 'event for another repository ignored');
      return null;
    }
    return finder.recipientFor(deps.repository!, issue.number, {
      labels: labelNames(issue),
      author: issue.user?.login,
    });
  }

  const refOf = (issue: IssueLike): RequestRef => ({
    number: issue.number,
    title: issue.title,
    url: issue.html_url ?? issue.url ?? '',
  });

  const notify = (issue: IssueLike, to: Recipient, change: RequestChange) =>
    deps.notifier.notify({ ref: refOf(issue), dest: to.dest, key: to.key, change });

  webhooks.on(['issues.closed', 'issues.reopened', 'issues.assigned', 'issues.labeled'], async ({ payload }) => {
    const issue = payload.issue as IssueLike;
    const sender = payload.sender as { login: string; type?: string } | undefined;
    const dest = await recipientFor(payload.repository, issue);
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
    const dest = await recipientFor(payload.repository, issue);
    if (!dest) return;
    // The requester's own comments are not news to them.
    if ((await finder.slackUserFor(author.login)) === dest.dest.slackUser) return;
    await notify(issue, dest, { kind: 'commented', author: author.login, body: payload.comment.body ?? '' });
  });

  webhooks.on('projects_v2_item.edited', async ({ payload }) => {
    const item = payload.projects_v2_item;
    if (item.content_type !== 'Issue') return;
    if (!deps.projectUrl || !deps.repository) return;
    const change = (payload as { changes?: { field_value?: { field_type?: string; field_node_id?: string } } }).changes
      ?.field_value;
    if (change?.field_type && change.field_type !== 'single_select') return;
    if (!item.node_id) return;
    const info = await deps.items.item(item.node_id);
    if (!info?.status) return;
    // Another single-select field (e.g. Necessity) was edited: the status did not move.
    if (change?.field_node_id && info.statusFieldId && change.field_node_id !== info.statusFieldId) return;
    if (!sameProject(info.projectUrl, deps.projectUrl)) {
      log.info({ project: info.projectUrl }, 'board event for another project ignored');
      return;
    }
    const issue: IssueLike = {
      number: info.number,
      title: info.title,
      html_url: info.url,
      user: info.author ? { login: info.author } : null,
      labels: info.labels,
    };
    const dest = await recipientFor({ full_name: info.repository ?? undefined }, issue);
    if (!dest) return;
    await notify(issue, dest, { kind: 'status', status: info.status });
  });
}
