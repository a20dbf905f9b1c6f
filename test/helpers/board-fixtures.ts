/**
 * Fake Projects (v2) boards for the board reader: a deterministic builder of items, and a GraphQL fake that serves
 * them with real cursor pagination. The fake executes each (schema-validated) document against GitHub's published
 * schema, so it answers exactly what was asked: fields left out of a query, or skipped by @include/@skip, are not
 * in the answer, and abstract types resolve by __typename as on GitHub.
 */
import { schema as githubSchema } from '@octokit/graphql-schema';
import {
  buildClientSchema,
  type ExecutionResult,
  execute,
  type GraphQLSchema,
  type IntrospectionQuery,
  parse,
} from 'graphql';
import type { BoardItem } from '../../src/github/board.js';
import { GITHUB_TEST_API, type GraphqlCall, interceptGraphql } from './github.js';

/** The fixed "today" of the fixtures, so dates (and digests built from them) are the same on every run. */
export const FIXTURE_NOW = new Date('2025-06-02T09:00:00Z');

export const FIXTURE_STATUSES = [null, 'Triage', 'In progress', 'Done'] as const;
export const FIXTURE_NECESSITIES = [null, 'Necessity', 'Nice to have'] as const;
export const FIXTURE_AUTHORS = ['ada', 'grace', 'linus', 'margaret', 'barbara'] as const;
export const FIXTURE_ASSIGNEES = ['alan', 'edsger', 'donald'] as const;

export interface BoardFixtureIssue {
  number: number;
  title: string;
  url: string;
  state: 'OPEN' | 'CLOSED';
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  body: string;
  author: string | null;
  assignees: string[];
  labels: string[];
}

export interface BoardFixtureItem {
  /** Project item id. */
  id: string;
  /** Only issues are read; drafts and pull requests are on boards too and must be skipped. */
  type: 'Issue' | 'DraftIssue' | 'PullRequest';
  /** Archived items are still served by the API; the board no longer shows them. */
  archived?: boolean;
  /** Set when type is 'Issue'. */
  issue?: BoardFixtureIssue;
  /** Field name → option name (single select) or YYYY-MM-DD (date), as set on the item; unset fields are absent. */
  values: Record<string, string>;
}

export interface BoardItemsOptions {
  /** Needed-by dates fall from 14 days before to 14 days after this (default FIXTURE_NOW). */
  now?: Date;
  /** Number of the first issue (default 1). */
  firstNumber?: number;
  /** Every nth item is a draft issue or a pull request instead of an issue (default: none). */
  nonIssueEvery?: number;
  /** Field names the values are set under (defaults: Status, Needed by, Necessity). */
  fieldNames?: { status?: string; neededBy?: string; necessity?: string };
  repo?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/**
 * `n` items, varied by their index: status none/Triage/In progress/Done in turn (Done ones closed, and a few others
 * closed as not planned), needed-by dates around `now` (every fifth unset), necessity none/Necessity/Nice to have,
 * five authors (every 13th a deleted user), zero to two assignees.
 */
export function boardItems(n: number, opts: BoardItemsOptions = {}): BoardFixtureItem[] {
  const now = (opts.now ?? FIXTURE_NOW).getTime();
  const firstNumber = opts.firstNumber ?? 1;
  const repo = opts.repo ?? 'acme/analytics';
  const names = {
    status: opts.fieldNames?.status ?? 'Status',
    neededBy: opts.fieldNames?.neededBy ?? 'Needed by',
    necessity: opts.fieldNames?.necessity ?? 'Necessity',
  };
  const items: BoardFixtureItem[] = [];
  for (let i = 0; i < n; i++) {
    const number = firstNumber + i;
    const id = `PVTI_item${String(number).padStart(5, '0')}`;
    if (opts.nonIssueEvery && (i + 1) % opts.nonIssueEvery === 0) {
      const type = (i + 1) % (2 * opts.nonIssueEvery) === 0 ? 'PullRequest' : 'DraftIssue';
      items.push({ id, type, values: { [names.status]: 'Triage' } });
      continue;
    }
    const status = FIXTURE_STATUSES[i % FIXTURE_STATUSES.length]!;
    const necessity = FIXTURE_NECESSITIES[i % FIXTURE_NECESSITIES.length]!;
    const closed = status === 'Done' || i % 11 === 5;
    const created = now - (30 + (i % 60)) * DAY_MS + i * 60_000;
    const updated = Math.min(now - 60_000, created + (i % 10) * DAY_MS + 3_600_000);
    const assignees = [
      [],
      [FIXTURE_ASSIGNEES[0]],
      [FIXTURE_ASSIGNEES[1], FIXTURE_ASSIGNEES[2]],
      [FIXTURE_ASSIGNEES[2]],
    ][i % 4]!;
    const values: Record<string, string> = {};
    if (status) values[names.status] = status;
    if (necessity) values[names.necessity] = necessity;
    if (i % 5 !== 0) values[names.neededBy] = isoDate(new Date(now + (((i * 7) % 29) - 14) * DAY_MS));
    items.push({
      id,
      type: 'Issue',
      issue: {
        number,
        title: `Data request ${number}: ${['retention', 'revenue', 'signups', 'churn'][i % 4]} by cohort`,
        url: `https://github.com/${repo}/issues/${number}`,
        state: closed ? 'CLOSED' : 'OPEN',
        createdAt: new Date(created).toISOString(),
        updatedAt: new Date(updated).toISOString(),
        closedAt: closed ? new Date(updated).toISOString() : null,
        body: `Requested in Slack.\n\n<!-- analytics-bot:request {"v":1,"key":"req-${number}"} -->`,
        author: i % 13 === 12 ? null : FIXTURE_AUTHORS[i % FIXTURE_AUTHORS.length]!,
        assignees: [...assignees],
        labels: i % 2 === 0 ? ['data-request'] : ['data-request', 'dashboard'],
      },
      values,
    });
  }
  return items;
}

/** What the reader should make of an issue item on a board with the default field names. */
export function expectedBoardItem(item: BoardFixtureItem): BoardItem {
  if (!item.issue) throw new Error(`${item.id} is a ${item.type}, not an issue`);
  return {
    id: item.id,
    issue: { ...item.issue },
    status: item.values.Status ?? null,
    neededBy: item.values['Needed by'] ?? null,
    necessity: item.values.Necessity ?? null,
  };
}

export interface BoardFixtureField {
  name: string;
  /** As GitHub spells ProjectV2FieldType: TITLE, TEXT, DATE, NUMBER, SINGLE_SELECT, ASSIGNEES, ... */
  dataType: string;
  options?: string[];
}

/** A board as a team might set it up: the built-in fields plus Status, a 'Needed by' date and a Necessity select. */
export const BOARD_FIXTURE_FIELDS: BoardFixtureField[] = [
  { name: 'Title', dataType: 'TITLE' },
  { name: 'Assignees', dataType: 'ASSIGNEES' },
  { name: 'Status', dataType: 'SINGLE_SELECT', options: ['Triage', 'In progress', 'Done'] },
  { name: 'Labels', dataType: 'LABELS' },
  { name: 'Needed by', dataType: 'DATE' },
  { name: 'Necessity', dataType: 'SINGLE_SELECT', options: ['Necessity', 'Nice to have'] },
];

export interface InterceptBoardOptions {
  items: BoardFixtureItem[];
  owner?: 'organization' | 'user';
  login?: string;
  number?: number;
  title?: string;
  /** The board's fields (default BOARD_FIXTURE_FIELDS); item values for fields not listed are not served. */
  fields?: BoardFixtureField[];
  /** False: the project does not exist (GraphQL NOT_FOUND on projectV2, as GitHub answers). */
  exists?: boolean;
  /**
   * INSUFFICIENT_SCOPES: a classic token without read:project (no data at all); FORBIDDEN: a GitHub App without
   * Projects access (projectV2 null, with the error).
   */
  deny?: 'INSUFFICIENT_SCOPES' | 'FORBIDDEN';
  /** Answer request number `page` (1-based) with this HTTP status instead. */
  failPage?: { page: number; status: number };
  base?: string;
}

export interface BoardFake {
  /** GraphQL requests received (schema-valid ones; invalid ones are recorded by the GraphQL fake). */
  readonly requests: number;
  calls: GraphqlCall[];
  /** Per request: the `after` cursor and whether the board's field list was asked for. */
  pages: Array<{ after: string | null; withFields: boolean }>;
}

let executableSchema: GraphQLSchema | undefined;
function githubExecutableSchema(): GraphQLSchema {
  executableSchema ??= buildClientSchema(githubSchema.json as unknown as IntrospectionQuery);
  return executableSchema;
}

/** Thrown by resolvers; `type` becomes the error's `type`, as GitHub spells GraphQL errors. */
class GithubGraphqlError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const encodeCursor = (offset: number) => Buffer.from(`cursor:v2:${offset}`).toString('base64');
function decodeCursor(cursor: string): number {
  const match = /^cursor:v2:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!match)
    throw new GithubGraphqlError('INVALID_CURSOR_ARGUMENTS', `\`${cursor}\` does not appear to be a valid cursor.`);
  return Number(match[1]);
}

function pageSize(args: { first?: number | null; last?: number | null }, connection: string): number {
  const first = args.first ?? undefined;
  if (first === undefined) {
    throw new GithubGraphqlError(
      'MISSING_PAGINATION_BOUNDARIES',
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${connection}\` connection.`,
    );
  }
  if (first > 100) {
    throw new GithubGraphqlError(
      'EXCESSIVE_PAGINATION',
      `Requesting ${first} records on the \`${connection}\` connection exceeds the \`first\` limit of 100 records.`,
    );
  }
  return first;
}

type Json = Record<string, unknown>;

function fieldConfig(field: BoardFixtureField, index: number): Json {
  const common = { id: `PVTF_${index}`, name: field.name, dataType: field.dataType };
  if (field.dataType === 'SINGLE_SELECT') {
    return {
      __typename: 'ProjectV2SingleSelectField',
      ...common,
      options: (field.options ?? []).map((name, i) => ({ id: `opt${index}_${i}`, name })),
    };
  }
  return { __typename: 'ProjectV2Field', ...common };
}

function fieldValues(item: BoardFixtureItem, fields: BoardFixtureField[]): Json[] {
  const values: Json[] = [];
  fields.forEach((field, index) => {
    const field_ = fieldConfig(field, index);
    if (field.dataType === 'TITLE') {
      const text = item.issue?.title ?? `Draft ${item.id}`;
      values.push({ __typename: 'ProjectV2ItemFieldTextValue', text, field: field_ });
      return;
    }
    const value = item.values[field.name];
    if (value === undefined) return;
    if (field.dataType === 'SINGLE_SELECT') {
      values.push({ __typename: 'ProjectV2ItemFieldSingleSelectValue', name: value, field: field_ });
    } else if (field.dataType === 'DATE') {
      values.push({ __typename: 'ProjectV2ItemFieldDateValue', date: value, field: field_ });
    } else if (field.dataType === 'TEXT') {
      values.push({ __typename: 'ProjectV2ItemFieldTextValue', text: value, field: field_ });
    }
  });
  return values;
}

function itemNode(item: BoardFixtureItem, fields: BoardFixtureField[]): Json {
  const issue = item.issue;
  const content =
    item.type === 'Issue' && issue
      ? {
          __typename: 'Issue',
          id: `I_kwDO${issue.number}`,
          ...issue,
          author: issue.author ? { __typename: 'User', login: issue.author } : null,
          assignees: (args: { first?: number }) => ({
            nodes: issue.assignees.slice(0, pageSize(args, 'assignees')).map((login) => ({ login })),
            totalCount: issue.assignees.length,
          }),
          labels: (args: { first?: number }) => ({
            nodes: issue.labels.slice(0, pageSize(args, 'labels')).map((name) => ({ name })),
            totalCount: issue.labels.length,
          }),
        }
      : { __typename: item.type, id: `${item.type === 'PullRequest' ? 'PR' : 'DI'}_${item.id}`, title: 'Not an issue' };
  return {
    id: item.id,
    isArchived: item.archived ?? false,
    type: item.type === 'Issue' ? 'ISSUE' : item.type === 'PullRequest' ? 'PULL_REQUEST' : 'DRAFT_ISSUE',
    content,
    fieldValues: (args: { first?: number }) => {
      const all = fieldValues(item, fields);
      return { nodes: all.slice(0, pageSize(args, 'fieldValues')), totalCount: all.length };
    },
  };
}

/**
 * Serves `items` as a Projects (v2) board through interceptGraphql: the organization or user root by login, the
 * project by number, its fields, and its items `first` at a time after an opaque cursor.
 */
export function interceptBoard(opts: InterceptBoardOptions): BoardFake {
  const owner = opts.owner ?? 'organization';
  const login = opts.login ?? 'acme';
  const number = opts.number ?? 63;
  const fields = opts.fields ?? BOARD_FIXTURE_FIELDS;
  const url = `https://github.com/${owner === 'organization' ? 'orgs' : 'users'}/${login}/projects/${number}`;
  const fake = { requests: 0, calls: [] as GraphqlCall[], pages: [] as BoardFake['pages'] };

  const project = {
    id: `PVT_kwDO${login}${number}`,
    number,
    title: opts.title ?? 'Analytics requests',
    url,
    fields: (args: { first?: number }) => ({
      nodes: fields.slice(0, pageSize(args, 'fields')).map(fieldConfig),
      totalCount: fields.length,
    }),
    items: (args: { first?: number; after?: string | null }) => {
      const first = pageSize(args, 'items');
      const start = args.after ? decodeCursor(args.after) : 0;
      const slice = opts.items.slice(start, start + first);
      const end = start + slice.length;
      return {
        nodes: slice.map((item) => itemNode(item, fields)),
        totalCount: opts.items.length,
        pageInfo: {
          hasNextPage: end < opts.items.length,
          hasPreviousPage: start > 0,
          startCursor: slice.length > 0 ? encodeCursor(start + 1) : null,
          endCursor: slice.length > 0 ? encodeCursor(end) : null,
        },
      };
    },
  };

  const projectOwner = (kind: 'organization' | 'user') => (args: { login: string }) => {
    if (kind !== owner || args.login !== login) {
      const type = kind === 'organization' ? 'an Organization' : 'a User';
      throw new GithubGraphqlError('NOT_FOUND', `Could not resolve to ${type} with the login of '${args.login}'.`);
    }
    return {
      login,
      projectV2: (p: { number: number }) => {
        if (opts.deny === 'FORBIDDEN')
          throw new GithubGraphqlError('FORBIDDEN', 'Resource not accessible by integration');
        if (opts.exists === false || p.number !== number) {
          throw new GithubGraphqlError('NOT_FOUND', `Could not resolve to a ProjectV2 with the number ${p.number}.`);
        }
        return project;
      },
    };
  };
  const rootValue = { organization: projectOwner('organization'), user: projectOwner('user') };

  const { calls } = interceptGraphql(({ query, variables }) => {
    fake.requests++;
    fake.pages.push({
      after: typeof variables.cursor === 'string' ? variables.cursor : null,
      withFields: variables.withFields === true,
    });
    if (opts.failPage?.page === fake.requests) {
      return [opts.failPage.status, { message: 'Server Error', documentation_url: 'https://docs.github.com/graphql' }];
    }
    if (opts.deny === 'INSUFFICIENT_SCOPES') {
      return {
        errors: [
          {
            type: 'INSUFFICIENT_SCOPES',
            locations: [{ line: 1, column: 1 }],
            message:
              "Your token has not been granted the required scopes to execute this query. The 'title' field requires " +
              "one of the following scopes: ['read:project'], but your token has only been granted the: ['repo'] " +
              "scopes. Please modify your token's scopes at: https://github.com/settings/tokens.",
          },
        ],
      };
    }
    const result = execute({
      schema: githubExecutableSchema(),
      document: parse(query),
      rootValue,
      variableValues: variables,
    }) as ExecutionResult;
    if (!result.errors?.length) return { data: result.data };
    return {
      data: result.data,
      errors: result.errors.map((e) => ({
        ...(e.originalError instanceof GithubGraphqlError ? { type: e.originalError.type } : {}),
        path: e.path,
        locations: e.locations,
        message: e.message,
      })),
    };
  }, opts.base ?? GITHUB_TEST_API);
  fake.calls = calls;
  return fake;
}
