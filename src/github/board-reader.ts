/**
 * The GitHub adapter for the board-reading port: every issue on the Projects (v2) board with its status,
 * needed-by date and necessity, read through GraphQL 100 items a page.
 *
 * A read is all or nothing: a page that fails fails the read, so the digest never treats half a board as the board.
 */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import { BoardError, type BoardItem, type BoardReader, type BoardSnapshot } from './board.js';
import type { BoardFieldNames } from './board-fields.js';
import { classifyGithubError, type GithubFailure, type GithubOctokit } from './octokit-client.js';
import { parseProjectUrl, projectVariables } from './project-url.js';

export interface BoardReaderOptions {
  /** The process's one GitHub client (shared with the tracker); undefined without GitHub credentials. */
  octokit: GithubOctokit | undefined;
  github: Config['github'];
  logger: Logger;
  telemetry: Telemetry;
  fields: BoardFieldNames;
}

/** GitHub's largest page for connections. */
export const BOARD_PAGE_SIZE = 100;
/** Projects hold at most 50,000 items; past that the cursor must be looping. */
const MAX_PAGES = 50_000 / BOARD_PAGE_SIZE + 1;

export const FORBIDDEN_MESSAGE =
  'the token cannot read the project (it needs the read:project scope, or the GitHub App needs Projects read access)';

const BOARD_PAGE_FRAGMENT = /* GraphQL */ `
  fragment BoardItemsPage on ProjectV2 {
    title
    url
    fields(first: 50) @include(if: $withFields) {
      nodes {
        ... on ProjectV2FieldCommon {
          name
          dataType
        }
      }
    }
    items(first: ${BOARD_PAGE_SIZE}, after: $cursor) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        isArchived
        content {
          __typename
          ... on Issue {
            number
            title
            url
            state
            createdAt
            updatedAt
            closedAt
            body
            author {
              login
            }
            assignees(first: 10) {
              nodes {
                login
              }
            }
            labels(first: 20) {
              nodes {
                name
              }
            }
          }
        }
        fieldValues(first: 20) {
          nodes {
            ... on ProjectV2ItemFieldSingleSelectValue {
              name
              field {
                ... on ProjectV2FieldCommon {
                  name
                }
              }
            }
            ... on ProjectV2ItemFieldDateValue {
              date
              field {
                ... on ProjectV2FieldCommon {
                  name
                }
              }
            }
          }
        }
      }
    }
  }
`;

/**
 * One page of the board's items, for an organization's or a user's project (the other root skipped). The board's
 * field list comes with the first page only ($withFields): item values list only the fields that are set.
 */
export const BOARD_ITEMS_QUERY = /* GraphQL */ `
  query BoardItems($login: String!, $number: Int!, $isOrg: Boolean!, $cursor: String, $withFields: Boolean!) {
    organization(login: $login) @include(if: $isOrg) {
      projectV2(number: $number) {
        ...BoardItemsPage
      }
    }
    user(login: $login) @skip(if: $isOrg) {
      projectV2(number: $number) {
        ...BoardItemsPage
      }
    }
  }
  ${BOARD_PAGE_FRAGMENT}
`;

export const BOARD_GRAPHQL_DOCUMENTS: Record<string, string> = { BOARD_ITEMS_QUERY };

interface FieldValueNode {
  name?: string | null;
  date?: string | null;
  field?: { name?: string | null } | null;
}

interface IssueContent {
  __typename: 'Issue';
  number: number;
  title: string;
  url: string;
  state: 'OPEN' | 'CLOSED';
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  body: string;
  author: { login: string } | null;
  assignees: { nodes: Array<{ login: string } | null> | null };
  labels: { nodes: Array<{ name: string } | null> | null } | null;
}

interface ItemNode {
  id: string;
  isArchived: boolean;
  content: IssueContent | { __typename: string } | null;
  fieldValues: { nodes: Array<FieldValueNode | null> | null };
}

interface ProjectPage {
  title: string;
  url: string;
  fields?: { nodes: Array<{ name?: string; dataType?: string } | null> | null };
  items: {
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: Array<ItemNode | null> | null;
  };
}

type PageResult = Partial<Record<'organization' | 'user', { projectV2: ProjectPage | null } | null>>;

/** An issue item as read, before the board's field names are resolved. */
interface RawItem {
  id: string;
  issue: BoardItem['issue'];
  /** Lowercased field name → option name. */
  selects: Map<string, string>;
  /** Lowercased field name → YYYY-MM-DD. */
  dates: Map<string, string>;
}

const ACCESS_GRAPHQL_TYPES = new Set(['FORBIDDEN', 'INSUFFICIENT_SCOPES']);

/** GraphQL errors about access or a missing project are what the digest explains, so they get their own outcome. */
function classify(err: unknown): GithubFailure {
  const f = classifyGithubError(err);
  if (f.outcome !== 'graphql_error') return f;
  if (f.graphqlTypes.some((t) => ACCESS_GRAPHQL_TYPES.has(t))) return { ...f, outcome: 'forbidden' };
  if (f.graphqlTypes.includes('NOT_FOUND')) return { ...f, outcome: 'not_found' };
  return f;
}

const isIssue = (content: ItemNode['content']): content is IssueContent => content?.__typename === 'Issue';

function toRawItem(node: ItemNode, content: IssueContent): RawItem {
  const selects = new Map<string, string>();
  const dates = new Map<string, string>();
  for (const value of node.fieldValues.nodes ?? []) {
    const field = value?.field?.name?.toLowerCase();
    if (!value || !field) continue;
    if (typeof value.name === 'string') selects.set(field, value.name);
    else if (typeof value.date === 'string') dates.set(field, value.date.slice(0, 10));
  }
  return {
    id: node.id,
    issue: {
      number: content.number,
      title: content.title,
      url: content.url,
      state: content.state,
      author: content.author?.login ?? null,
      assignees: (content.assignees.nodes ?? []).flatMap((a) => (a ? [a.login] : [])),
      labels: (content.labels?.nodes ?? []).flatMap((l) => (l ? [l.name] : [])),
      createdAt: content.createdAt,
      updatedAt: content.updatedAt,
      closedAt: content.closedAt,
      body: content.body,
    },
    selects,
    dates,
  };
}

export function createBoardReader(opts: BoardReaderOptions): BoardReader {
  const { github, telemetry } = opts;
  const log = opts.logger.child({ component: 'board' });
  const names = opts.fields;
  const projectUrl = github.projectUrl;
  const ref = projectUrl ? parseProjectUrl(projectUrl) : undefined;
  const { octokit } = opts;

  async function call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      const result = await fn();
      telemetry.githubCalls.inc({ kind: 'graphql', outcome: 'ok' });
      return result;
    } catch (err) {
      telemetry.githubCalls.inc({ kind: 'graphql', outcome: classify(err).outcome });
      throw err;
    }
  }

  const notFound = () =>
    new BoardError(`project ${projectUrl} not found (or not visible to the GitHub credentials)`, 'not_found');

  /** One message per cause, worded for the person who has to fix it; never includes credentials. */
  function toBoardError(err: unknown, page: number, requests: number): BoardError {
    const f = classify(err);
    log.warn(
      { outcome: f.outcome, status: f.status, graphqlTypes: f.graphqlTypes, github: f.detail, page, requests },
      'board read failed',
    );
    if (f.appAuth && (f.outcome === 'unauthorized' || f.outcome === 'forbidden' || f.outcome === 'not_found')) {
      return new BoardError(
        `GitHub App installation ${github.app?.installationId} not found or app credentials rejected (${f.status})`,
        'forbidden',
      );
    }
    switch (f.outcome) {
      case 'unauthorized':
        return new BoardError(`GitHub rejected the token (401); ${FORBIDDEN_MESSAGE}`, 'forbidden');
      case 'forbidden':
        return new BoardError(FORBIDDEN_MESSAGE, 'forbidden');
      case 'not_found':
        return notFound();
      case 'rate_limited':
        return new BoardError('GitHub rate limit reached while reading the board; try again later', 'unavailable');
      case 'network_error':
        return new BoardError('could not reach GitHub to read the board (network error or timeout)', 'unavailable');
      case 'server_error':
        return new BoardError(`GitHub is having trouble (${f.status}); the board could not be read`, 'unavailable');
      default:
        return new BoardError(`GitHub could not read the board: ${f.detail}`, 'unavailable');
    }
  }

  return {
    async read(): Promise<BoardSnapshot> {
      if (!projectUrl) throw new BoardError('GITHUB_PROJECT_URL is not set: there is no board to read', 'unconfigured');
      if (!ref) {
        throw new BoardError(`GITHUB_PROJECT_URL (${projectUrl}) is not a Projects (v2) board URL`, 'unconfigured');
      }
      if (!octokit) {
        throw new BoardError(
          'no GitHub credentials (GITHUB_TOKEN or the GitHub App variables) to read the board',
          'unconfigured',
        );
      }
      const started = performance.now();
      let requests = 0;
      let title = '';
      let url = projectUrl;
      /** Lowercased name → data type, of every field the board has (or that an item has a value for). */
      const boardFields = new Map<string, string | undefined>();
      const raw: RawItem[] = [];
      const skipped: Record<string, number> = {};
      const cursors = new Set<string>();
      let cursor: string | null = null;

      for (let page = 1; ; page++) {
        requests++;
        let result: PageResult;
        try {
          result = await call(() =>
            octokit.graphql<PageResult>(BOARD_ITEMS_QUERY, {
              ...projectVariables(ref),
              cursor,
              withFields: page === 1,
            }),
          );
        } catch (err) {
          throw toBoardError(err, page, requests);
        }
        const project = result[ref.owner]?.projectV2;
        if (!project) {
          log.warn({ page, requests }, 'board read failed: project not found');
          throw notFound();
        }
        if (page === 1) {
          title = project.title;
          url = project.url;
          for (const field of project.fields?.nodes ?? []) {
            if (field?.name) boardFields.set(field.name.toLowerCase(), field.dataType);
          }
        }
        for (const node of project.items.nodes ?? []) {
          if (!node) continue;
          const kind = node.isArchived ? 'archived' : (node.content?.__typename ?? 'redacted');
          if (node.isArchived || !isIssue(node.content)) {
            skipped[kind] = (skipped[kind] ?? 0) + 1;
            continue;
          }
          raw.push(toRawItem(node, node.content));
        }
        const { hasNextPage, endCursor } = project.items.pageInfo;
        if (!hasNextPage) break;
        if (!endCursor || cursors.has(endCursor) || page >= MAX_PAGES) {
          log.warn({ page, requests, endCursor }, 'board read failed: GitHub returned a bad page cursor');
          throw new BoardError('GitHub returned an inconsistent page of the board; try again later', 'unavailable');
        }
        cursors.add(endCursor);
        cursor = endCursor;
      }

      // Item values list only the fields that are set, so a field is on the board if GitHub listed it or any item
      // has a value for it.
      for (const item of raw) {
        for (const name of item.selects.keys()) if (!boardFields.has(name)) boardFields.set(name, 'SINGLE_SELECT');
        for (const name of item.dates.keys()) if (!boardFields.has(name)) boardFields.set(name, 'DATE');
      }
      const pick = (candidates: string[], dataType: string) =>
        candidates
          .map((n) => n.toLowerCase())
          .find((n) => boardFields.has(n) && (boardFields.get(n) ?? dataType) === dataType);
      const status = pick([names.status], 'SINGLE_SELECT');
      const neededBy = pick(names.neededBy, 'DATE');
      const necessity = pick(names.necessity, 'SINGLE_SELECT');
      const missingFields = [
        ...(status ? [] : [names.status]),
        ...(neededBy || names.neededBy.length === 0 ? [] : [names.neededBy[0]!]),
        ...(necessity || names.necessity.length === 0 ? [] : [names.necessity[0]!]),
      ];

      const items: BoardItem[] = raw.map((item) => ({
        id: item.id,
        issue: item.issue,
        status: status ? (item.selects.get(status) ?? null) : null,
        neededBy: neededBy ? (item.dates.get(neededBy) ?? null) : null,
        necessity: necessity ? (item.selects.get(necessity) ?? null) : null,
      }));

      const skippedCount = Object.values(skipped).reduce((a, b) => a + b, 0);
      if (skippedCount > 0)
        log.debug(
          { skipped, skippedCount },
          'board items that are not issues skipped (drafts, pull requests, archived, hidden)',
        );
      if (missingFields.length > 0) log.debug({ missingFields, projectUrl }, 'board fields not found');
      log.info({ items: items.length, requests, ms: Math.round(performance.now() - started) }, 'board read');
      return { title, url, items, missingFields, requests };
    },
  };
}
