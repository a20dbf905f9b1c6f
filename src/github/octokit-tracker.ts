/**
 * The GitHub adapter for the board port: issues through REST, the team board through Projects v2 GraphQL.
 *
 * Each step of filing is its own call, recorded by the outbox: creating the issue (never retried by the HTTP client;
 * after an attempt whose outcome is unknown the outbox calls findFiled, which looks for the hidden marker in issue
 * bodies), and placing it on the board (safe to repeat: GitHub returns the existing item when an issue is added twice).
 */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { DataRequest } from '../requests/data-request.js';
import type { Telemetry } from '../telemetry.js';
import type { BoardFieldNames } from './board-fields.js';
import { classifyGithubError as classify, type GithubOctokit } from './octokit-client.js';
import { type ProjectRef, parseProjectUrl, projectVariables } from './project-url.js';
import { DATA_REQUEST_LABEL, hasMarker } from './request-marker.js';
import {
  type BoardPlacement,
  type IssueDraft,
  type IssueRef,
  type IssueTracker,
  type RelatedIssue,
  TrackerError,
} from './tracker.js';

export interface OctokitTrackerOptions {
  /** The process's one GitHub client: its throttle budget and App-token cache are shared with the board reader. */
  octokit: GithubOctokit;
  github: Config['github'];
  logger: Logger;
  telemetry: Telemetry;
  fields: BoardFieldNames;
}

/** The marker is written at submission; an earlier attempt cannot have created the issue much before that. */
const LOOKUP_WINDOW_MS = 10 * 60 * 1000;
/** Pages of 100 issues the lookup reads at most: it stops at the first issue created before the window. */
const LOOKUP_MAX_PAGES = 10;
/** Search terms are ANDed, so every extra word narrows the match; a few long words find look-alikes best. */
const MAX_SEARCH_WORDS = 4;
const RELATED_LIMIT = 3;

/** Option names (lowercased substrings) that mean each necessity, so boards with P1/P3 or High/Low scales work too. */
const NECESSITY_OPTION_HINTS: Record<DataRequest['necessity'], string[]> = {
  necessity: ['necess', 'must', 'high', 'p1'],
  'nice-to-have': ['nice', 'low', 'p3'],
};

const PROJECT_FIELDS_FRAGMENT = /* GraphQL */ `
  fragment BoardProjectFields on ProjectV2 {
    id
    title
    url
    fields(first: 50) {
      nodes {
        ... on ProjectV2FieldCommon {
          id
          name
          dataType
        }
        ... on ProjectV2SingleSelectField {
          options {
            id
            name
          }
        }
      }
    }
  }
`;

/** The board and its fields, for an organization's or a user's project (one document, the other root skipped). */
export const PROJECT_QUERY = /* GraphQL */ `
  query BoardProject($login: String!, $number: Int!, $isOrg: Boolean!) {
    organization(login: $login) @include(if: $isOrg) {
      projectV2(number: $number) {
        ...BoardProjectFields
      }
    }
    user(login: $login) @skip(if: $isOrg) {
      projectV2(number: $number) {
        ...BoardProjectFields
      }
    }
  }
  ${PROJECT_FIELDS_FRAGMENT}
`;

/** Adding content that is already on the board returns the existing item, which makes this safe to repeat. */
export const ADD_ITEM_MUTATION = /* GraphQL */ `
  mutation AddBoardItem($projectId: ID!, $contentId: ID!) {
    addProjectV2ItemById(input: { projectId: $projectId, contentId: $contentId }) {
      item {
        id
      }
    }
  }
`;

export const SET_FIELD_MUTATION = /* GraphQL */ `
  mutation SetBoardField($projectId: ID!, $itemId: ID!, $fieldId: ID!, $value: ProjectV2FieldValue!) {
    updateProjectV2ItemFieldValue(
      input: { projectId: $projectId, itemId: $itemId, fieldId: $fieldId, value: $value }
    ) {
      projectV2Item {
        id
      }
    }
  }
`;

export const GRAPHQL_DOCUMENTS: Record<string, string> = {
  PROJECT_QUERY,
  ADD_ITEM_MUTATION,
  SET_FIELD_MUTATION,
};

const STOPWORDS = new Set(
  (
    'a an and are as at be by for from has have how in into is it its of on or our per please the their this to ' +
    'was we what when where which who why will with without need needs want would could should can about all any ' +
    'not new data request requests'
  ).split(' '),
);

/**
 * The words of a title worth searching for. Tokens with ':' are dropped whole and punctuation becomes a separator,
 * so user text cannot add search qualifiers (`repo:`, `is:`), quotes or negations to our query.
 */
export function searchWords(title: string): string[] {
  const words: string[] = [];
  for (const token of title.split(/\s+/)) {
    if (token.includes(':')) continue;
    for (const word of token.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
      if (word.length >= 3 && !STOPWORDS.has(word) && !words.includes(word)) words.push(word);
    }
  }
  // Longer words are usually the specific ones ("retention" over "team"); keep the title's order for the query.
  const keep = new Set([...words].sort((a, b) => b.length - a.length).slice(0, MAX_SEARCH_WORDS));
  return words.filter((w) => keep.has(w));
}

interface BoardField {
  id: string;
  name: string;
  dataType: string;
  options?: Array<{ id: string; name: string }>;
}

/**
 * The board as filing needs it, resolved once from its field list: which field is the status (and its triage
 * option), the needed-by date and the necessity (with the option for each answer), and which of those it lacks.
 */
interface Board {
  id: string;
  status?: { field: BoardField; triage: { id: string } };
  neededBy?: BoardField;
  necessity?: { field: BoardField; options: Partial<Record<DataRequest['necessity'], { id: string }>> };
  /** Missing fields and options, except a necessity option, which depends on the request. */
  missing: string[];
}

interface ProjectNode {
  id: string;
  fields: { nodes: Array<Partial<BoardField> | null> | null };
}

interface ProjectQueryResult {
  organization?: { projectV2: ProjectNode | null } | null;
  user?: { projectV2: ProjectNode | null } | null;
}

const TRANSIENT_GRAPHQL_TYPES = new Set(['RATE_LIMITED', 'SERVICE_UNAVAILABLE', 'TIMEOUT', 'INTERNAL']);
const ACCESS_GRAPHQL_TYPES = new Set(['NOT_FOUND', 'FORBIDDEN', 'INSUFFICIENT_SCOPES']);

export function createOctokitTracker(opts: OctokitTrackerOptions): IssueTracker {
  const { github, telemetry } = opts;
  const log = opts.logger.child({ component: 'github' });
  const names = opts.fields;
  const repoName = github.repository ? `${github.repository.owner}/${github.repository.repo}` : '(unset)';
  const project = github.projectUrl ? parseProjectUrl(github.projectUrl) : undefined;
  const { octokit } = opts;

  async function call<T>(kind: 'rest' | 'graphql', fn: () => Promise<T>): Promise<T> {
    try {
      const result = await fn();
      telemetry.githubCalls.inc({ kind, outcome: 'ok' });
      return result;
    } catch (err) {
      telemetry.githubCalls.inc({ kind, outcome: classify(err).outcome });
      throw err;
    }
  }

  /** One message per cause, worded for the person who has to fix it; never includes credentials. */
  function toTrackerError(err: unknown, step: 'repo' | 'board', write = false): TrackerError {
    if (err instanceof TrackerError) return err;
    const f = classify(err);
    // A write that timed out or got a 5xx may still have happened; a refusal (4xx, rate limit) did not.
    const ambiguous = write && (f.outcome === 'server_error' || f.outcome === 'network_error');
    log.warn(
      { step, outcome: f.outcome, status: f.status, graphqlTypes: f.graphqlTypes, github: f.detail },
      'GitHub call failed',
    );
    const projectProblem = `project ${github.projectUrl} not found or token lacks the project scope`;
    switch (f.outcome) {
      case 'rate_limited':
        return new TrackerError(
          `GitHub rate limit reached${f.status ? ` (${f.status})` : ''}; try again later`,
          true,
          f.status,
          { retryAfterMs: f.retryAfterMs },
        );
      case 'network_error':
        return new TrackerError('could not reach GitHub (network error or timeout)', true, f.status, { ambiguous });
      case 'server_error':
        return new TrackerError(`GitHub is having trouble (${f.status})`, true, f.status, { ambiguous });
      case 'error':
        // Not an HTTP failure (those are RequestErrors, network ones included): a bad private key, a bug. Retrying
        // the same thing would fail the same way.
        return new TrackerError(`GitHub call failed: ${f.detail}`, false, f.status);
      default:
        break;
    }
    if (f.appAuth) {
      return new TrackerError(
        `GitHub App installation ${github.app?.installationId} not found or app credentials rejected (${f.status})`,
        false,
        f.status,
      );
    }
    switch (f.outcome) {
      case 'unauthorized':
        return new TrackerError('GitHub rejected the token (401)', false, 401);
      case 'forbidden':
        return step === 'board'
          ? new TrackerError(projectProblem, false, 403)
          : new TrackerError(`token lacks permission to file issues in ${repoName} (403)`, false, 403);
      case 'not_found':
        return step === 'board'
          ? new TrackerError(projectProblem, false, 404)
          : new TrackerError(`repository ${repoName} not found or token lacks access (404)`, false, 404);
      case 'graphql_error': {
        if (f.graphqlTypes.some((t) => ACCESS_GRAPHQL_TYPES.has(t))) return new TrackerError(projectProblem, false);
        const transient = f.graphqlTypes.some((t) => TRANSIENT_GRAPHQL_TYPES.has(t));
        return new TrackerError(`GitHub refused the board update: ${f.detail}`, transient);
      }
      default:
        if (f.status === 410) return new TrackerError(`issues are disabled in ${repoName} (410)`, false, 410);
        return new TrackerError(`GitHub refused the request (${f.status}): ${f.detail}`, false, f.status);
    }
  }

  function repository() {
    if (!github.repository) throw new TrackerError('GITHUB_REPOSITORY is not set: nowhere to file the issue', false);
    return github.repository;
  }

  /**
   * Reads issues created since shortly before the submission, newest first, for the marker. The issue list is
   * strongly consistent, unlike search (which may not show an issue created seconds ago), and no label filter is
   * used: GitHub silently drops labels when the token lacks triage access.
   */
  async function findIssue(request: DataRequest): Promise<IssueRef | undefined> {
    const { owner, repo } = repository();
    const submitted = Date.parse(request.submittedAt);
    const windowStart = (Number.isNaN(submitted) ? Date.now() : submitted) - LOOKUP_WINDOW_MS;
    const since = new Date(windowStart).toISOString();
    for (let page = 1; page <= LOOKUP_MAX_PAGES; page++) {
      const { data } = await call('rest', () =>
        octokit.rest.issues.listForRepo({
          owner,
          repo,
          state: 'all',
          since,
          per_page: 100,
          page,
          sort: 'created',
          direction: 'desc',
        }),
      );
      const found = data.find((issue) => !issue.pull_request && hasMarker(issue.body, request.key));
      if (found) return { tracker: repoName, number: found.number, url: found.html_url, nodeId: found.node_id };
      const oldest = data.at(-1);
      if (data.length < 100 || !oldest || Date.parse(oldest.created_at) < windowStart) return undefined;
    }
    log.warn({ key: request.key }, 'idempotency lookup stopped after the page limit');
    return undefined;
  }

  async function postIssue(draft: IssueDraft): Promise<IssueRef> {
    const { owner, repo } = repository();
    const labels = draft.labels.includes(DATA_REQUEST_LABEL) ? draft.labels : [...draft.labels, DATA_REQUEST_LABEL];
    const { data } = await call('rest', () =>
      // retries: 0 — see isIssueCreation: the outbox re-checks by marker instead.
      octokit.rest.issues.create({
        owner,
        repo,
        title: draft.title,
        body: draft.body,
        labels,
        request: { retries: 0 },
      }),
    );
    return { tracker: repoName, number: data.number, url: data.html_url, nodeId: data.node_id };
  }

  let boardPromise: Promise<Board> | undefined;
  /** Fetched once per tracker; a failed fetch (or a failed board step) clears it so the next request asks again. */
  function loadBoard(ref: ProjectRef): Promise<Board> {
    boardPromise ??= fetchBoard(ref).catch((err: unknown) => {
      boardPromise = undefined;
      throw err;
    });
    return boardPromise;
  }

  async function fetchBoard(ref: ProjectRef): Promise<Board> {
    const result = await call('graphql', () =>
      octokit.graphql<ProjectQueryResult>(PROJECT_QUERY, projectVariables(ref)),
    );
    const node = result[ref.owner]?.projectV2;
    if (!node) throw new TrackerError(`project ${github.projectUrl} not found or token lacks the project scope`, false);
    const fields = (node.fields.nodes ?? []).filter(
      (f): f is BoardField => !!f && typeof f.id === 'string' && typeof f.name === 'string',
    );
    return resolveBoard(node.id, fields);
  }

  function resolveBoard(id: string, fields: BoardField[]): Board {
    const byName = (name: string) => fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
    const board: Board = { id, missing: [] };

    const status = byName(names.status);
    const triage = status?.options?.find((o) => o.name.toLowerCase() === names.triageStatus.toLowerCase());
    if (!status?.options) board.missing.push(names.status);
    else if (!triage) board.missing.push(`${status.name}: ${names.triageStatus}`);
    else board.status = { field: status, triage };

    board.neededBy = names.neededBy.map(byName).find((f) => f?.dataType === 'DATE');
    if (!board.neededBy) board.missing.push(names.neededBy[0] ?? 'Needed by');

    const necessity = names.necessity.map(byName).find((f) => f?.options !== undefined);
    if (!necessity) board.missing.push(names.necessity[0] ?? 'Necessity');
    else {
      const option = (hints: string[]) =>
        necessity.options?.find((o) => hints.some((h) => o.name.toLowerCase().includes(h)));
      board.necessity = {
        field: necessity,
        options: {
          necessity: option(NECESSITY_OPTION_HINTS.necessity),
          'nice-to-have': option(NECESSITY_OPTION_HINTS['nice-to-have']),
        },
      };
    }
    return board;
  }

  const warnedMissing = new Set<string>();
  let warnedNoBoard = false;

  async function placeOnBoard(ref: ProjectRef, issue: IssueRef, request: DataRequest): Promise<BoardPlacement> {
    const board = await loadBoard(ref);
    const added = await call('graphql', () =>
      octokit.graphql<{ addProjectV2ItemById: { item: { id: string } | null } | null }>(ADD_ITEM_MUTATION, {
        projectId: board.id,
        contentId: issue.nodeId,
      }),
    );
    const itemId = added.addProjectV2ItemById?.item?.id;
    if (!itemId) throw new TrackerError('GitHub did not return the board item for the issue', true);

    const updates: Array<{ field: BoardField; value: Record<string, string> }> = [];
    const missing = [...board.missing];
    if (board.status)
      updates.push({ field: board.status.field, value: { singleSelectOptionId: board.status.triage.id } });
    if (board.neededBy && /^\d{4}-\d{2}-\d{2}$/.test(request.neededBy)) {
      updates.push({ field: board.neededBy, value: { date: request.neededBy } });
    }
    if (board.necessity) {
      const option = board.necessity.options[request.necessity];
      if (!option) missing.push(`${board.necessity.field.name}: ${request.necessity}`);
      else updates.push({ field: board.necessity.field, value: { singleSelectOptionId: option.id } });
    }

    // One mutation per field, one after another: GitHub asks integrations not to run mutations concurrently.
    const fieldsSet: string[] = [];
    for (const { field, value } of updates) {
      await call('graphql', () =>
        octokit.graphql(SET_FIELD_MUTATION, { projectId: board.id, itemId, fieldId: field.id, value }),
      );
      fieldsSet.push(field.name);
    }

    const fresh = missing.filter((m) => !warnedMissing.has(m));
    if (fresh.length > 0) {
      for (const m of fresh) warnedMissing.add(m);
      log.warn(
        { fieldsMissing: fresh, projectUrl: github.projectUrl },
        'board fields or options not found; issues are filed without them',
      );
    }
    return { itemId, fieldsSet, fieldsMissing: missing, boardUrl: github.projectUrl };
  }

  return {
    kind: 'github',

    async findFiled(request: DataRequest): Promise<IssueRef | undefined> {
      try {
        return await findIssue(request);
      } catch (err) {
        throw toTrackerError(err, 'repo');
      }
    },

    async createIssue(request: DataRequest, draft: IssueDraft): Promise<IssueRef> {
      try {
        const issue = await postIssue(draft);
        log.info({ issue: issue.number, key: request.key }, 'data request issue filed');
        return issue;
      } catch (err) {
        throw toTrackerError(err, 'repo', true);
      }
    },

    async placeOnBoard(request: DataRequest, issue: IssueRef): Promise<BoardPlacement | undefined> {
      if (!project) {
        if (!warnedNoBoard) {
          warnedNoBoard = true;
          log.info(
            { projectUrl: github.projectUrl },
            github.projectUrl ? 'GITHUB_PROJECT_URL is not a Projects URL; skipping the board' : 'no board configured',
          );
        }
        return undefined;
      }
      const readBefore = boardPromise !== undefined;
      try {
        return await placeOnBoard(project, issue, request).catch((err: unknown) => {
          // Field ids may be stale (a field or option was recreated since the board was read): read the board
          // again and place once more. Adding again returns the same item, and setting a field is idempotent.
          boardPromise = undefined;
          if (!readBefore || classify(err).outcome !== 'graphql_error') throw err;
          log.info({ issue: issue.number }, 'board update refused with fields read earlier; reading the board again');
          return placeOnBoard(project, issue, request);
        });
      } catch (err) {
        // The next attempt reads the board afresh.
        boardPromise = undefined;
        const cause = toTrackerError(err, 'board');
        throw new TrackerError(
          `could not put issue #${issue.number} (${issue.url}) on the board: ${cause.message}`,
          cause.retryable,
          cause.status,
          cause.extra,
        );
      }
    },

    async findRelated(title: string, excludeNumber?: number): Promise<RelatedIssue[]> {
      const words = searchWords(title);
      if (words.length === 0 || !github.repository) return [];
      const { owner, repo } = github.repository;
      const q = `${words.join(' ')} repo:${owner}/${repo} is:issue is:open label:${DATA_REQUEST_LABEL} in:title`;
      try {
        const { data } = await call('rest', () =>
          octokit.request('GET /search/issues', { q, per_page: RELATED_LIMIT + 1 }),
        );
        return data.items
          .filter((item) => item.number !== excludeNumber)
          .slice(0, RELATED_LIMIT)
          .map((item) => ({ number: item.number, title: item.title, url: item.html_url }));
      } catch (err) {
        const f = classify(err);
        log.warn({ outcome: f.outcome, status: f.status, github: f.detail }, 'related-issue search failed');
        return [];
      }
    },
  };
}
