/**
 * For `projects_v2_item` webhooks: the payload names the item and its content only by node id, so one GraphQL
 * query fetches the issue (with its marker) and the item's current status.
 */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import type { GithubOctokit } from './octokit-client.js';

export const ITEM_QUERY = /* GraphQL */ `
  query BoardItem($itemId: ID!, $statusField: String!) {
    node(id: $itemId) {
      ... on ProjectV2Item {
        id
        project {
          url
        }
        status: fieldValueByName(name: $statusField) {
          ... on ProjectV2ItemFieldSingleSelectValue {
            name
            field {
              ... on ProjectV2SingleSelectField {
                id
              }
            }
          }
        }
        content {
          ... on Issue {
            number
            title
            url
            body
            state
            author {
              login
            }
            repository {
              nameWithOwner
            }
            labels(first: 30) {
              nodes {
                name
              }
            }
          }
        }
      }
    }
  }
`;

export interface BoardItemInfo {
  number: number;
  title: string;
  url: string;
  body: string;
  state: 'OPEN' | 'CLOSED';
  /** The author, to match hand-filed issues (no marker) to a Slack user; null for a deleted account. */
  author: string | null;
  status: string | null;
  /** The board the item is on (its URL), and the repository (owner/name) and labels: webhooks for other
   * boards, other repositories or issues that are not data requests are ignored. */
  projectUrl: string | null;
  repository: string | null;
  labels: string[];
  /** Node id of the status field, to tell a status change from an edit of another single-select field. */
  statusFieldId: string | null;
}

export interface ItemLookup {
  /** The issue behind a board item and its status; null for drafts, PRs, or when GitHub is not configured. */
  item(itemNodeId: string): Promise<BoardItemInfo | null>;
  /**
   * A GitHub user's public email (for matching hand-filed issues to Slack users); null when they show none or GitHub
   * is not configured. Throws when GitHub could not be asked, so a failure is never taken for "no email".
   */
  publicEmail(login: string): Promise<string | null>;
}

interface ItemResponse {
  node: {
    project?: { url?: string } | null;
    status: { name?: string; field?: { id?: string } } | null;
    content: {
      number?: number;
      title?: string;
      url?: string;
      body?: string;
      state?: 'OPEN' | 'CLOSED';
      author?: { login?: string } | null;
      repository?: { nameWithOwner?: string } | null;
      labels?: { nodes?: Array<{ name?: string } | null> | null } | null;
    } | null;
  } | null;
}

export function createItemLookup(opts: {
  /** The process's one GitHub client (shared with the tracker); undefined without GitHub credentials. */
  octokit: GithubOctokit | undefined;
  github: Config['github'];
  logger: Logger;
  telemetry: Telemetry;
}): ItemLookup {
  const log = opts.logger.child({ component: 'github-items' });
  const { octokit } = opts;
  return {
    async item(itemNodeId) {
      if (!octokit) return null;
      try {
        const res = await octokit.graphql<ItemResponse>(ITEM_QUERY, {
          itemId: itemNodeId,
          statusField: opts.github.fields.status,
        });
        opts.telemetry.githubCalls.inc({ kind: 'graphql', outcome: 'ok' });
        const c = res.node?.content;
        if (!c?.number || !c.url) return null;
        return {
          number: c.number,
          title: c.title ?? '',
          url: c.url,
          body: c.body ?? '',
          state: c.state ?? 'OPEN',
          author: c.author?.login ?? null,
          status: res.node?.status?.name ?? null,
          statusFieldId: res.node?.status?.field?.id ?? null,
          projectUrl: res.node?.project?.url ?? null,
          repository: c.repository?.nameWithOwner ?? null,
          labels: (c.labels?.nodes ?? []).flatMap((l) => (l?.name ? [l.name] : [])),
        };
      } catch (error) {
        opts.telemetry.githubCalls.inc({ kind: 'graphql', outcome: 'error' });
        log.warn({ error: (error as Error).message, itemNodeId }, 'could not look up a board item');
        throw error;
      }
    },
    async publicEmail(login) {
      if (!octokit) return null;
      try {
        const { data } = await octokit.rest.users.getByUsername({ username: login });
        opts.telemetry.githubCalls.inc({ kind: 'rest', outcome: 'ok' });
        return data.email ?? null;
      } catch (error) {
        opts.telemetry.githubCalls.inc({ kind: 'rest', outcome: 'error' });
        // A user with no account left says so with a 404: that is a definite "no email".
        if ((error as { status?: number }).status === 404) return null;
        throw error;
      }
    },
  };
}
