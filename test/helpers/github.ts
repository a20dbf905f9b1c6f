/**
 * nock fakes of the GitHub API at GITHUB_TEST_API: the REST calls for data-request issues, and a GraphQL endpoint that
 * validates every document against GitHub's published schema (@octokit/graphql-schema) before answering it, so a
 * query GitHub would reject cannot pass in tests.
 */
import { validate } from '@octokit/graphql-schema';
import {
  type DirectiveNode,
  type FieldNode,
  Kind,
  type OperationDefinitionNode,
  parse,
  type ValueNode,
  valueFromASTUntyped,
} from 'graphql';
import nock from 'nock';

export const GITHUB_TEST_API = 'http://github.test';

/** GitHub configured as operators do (token, repository, board), against the fakes below. */
export const GITHUB_TEST_ENV = {
  GITHUB_TOKEN: 'test-github-token',
  GITHUB_API_URL: GITHUB_TEST_API,
  GITHUB_REPOSITORY: 'acme/analytics',
  GITHUB_PROJECT_URL: 'https://github.com/orgs/acme/projects/63',
};

type Json = Record<string, unknown>;

export interface GraphqlRequestBody {
  query: string;
  variables: Record<string, unknown>;
}

export interface GraphqlCall extends GraphqlRequestBody {
  /** `query` or `mutation`. */
  operation: string;
  /** Top-level fields the document selects (before @include/@skip), e.g. ['addProjectV2ItemById']. */
  rootFields: string[];
}

/** Return the response body (answered with 200), or `[status, body]`. */
export type GraphqlHandler = (body: GraphqlRequestBody, call: GraphqlCall) => unknown | [number, unknown];

/** Schema errors of every document the fake received; tests assert it stays empty (see takeGraphqlValidationErrors). */
export const graphqlValidationErrors: string[] = [];

/** Returns and clears the recorded schema errors; call it in afterEach and expect []. */
export function takeGraphqlValidationErrors(): string[] {
  return graphqlValidationErrors.splice(0, graphqlValidationErrors.length);
}

export function assertValidGraphql(doc: string): void {
  const errors = validate(doc);
  if (errors.length > 0) {
    throw new Error(
      `GraphQL document does not match GitHub's schema:\n${errors.map((e) => `  - ${e.message}`).join('\n')}`,
    );
  }
}

function describeCall(body: GraphqlRequestBody): GraphqlCall {
  const operation = parse(body.query).definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  return {
    ...body,
    operation: operation?.operation ?? 'unknown',
    rootFields: operation?.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : [])) ?? [],
  };
}

/**
 * Answers POST /graphql (persisting until nock.cleanAll()) with `handler`. A document that fails schema validation
 * is recorded in graphqlValidationErrors and answered with a GraphQL error, as GitHub would, instead of `handler`.
 */
export function interceptGraphql(
  handler: GraphqlHandler,
  base = GITHUB_TEST_API,
): { calls: GraphqlCall[]; scope: nock.Scope } {
  const calls: GraphqlCall[] = [];
  const scope = nock(base)
    .persist()
    .post('/graphql')
    .reply((_uri, requestBody) => {
      const raw = (typeof requestBody === 'string' ? JSON.parse(requestBody) : requestBody) as Json;
      const body: GraphqlRequestBody = {
        query: String(raw.query ?? ''),
        variables: (raw.variables ?? {}) as Record<string, unknown>,
      };
      try {
        assertValidGraphql(body.query);
      } catch (err) {
        const message = (err as Error).message;
        graphqlValidationErrors.push(`${message}\n--- document ---\n${body.query}`);
        return [200, { errors: [{ message }] }];
      }
      const call = describeCall(body);
      calls.push(call);
      const answer = handler(body, call);
      if (Array.isArray(answer) && answer.length === 2 && typeof answer[0] === 'number') {
        return [answer[0], answer[1] as nock.Body];
      }
      return [200, answer as nock.Body];
    });
  return { calls, scope };
}

export interface FakeBoardField {
  id: string;
  name: string;
  /** As GitHub spells ProjectV2FieldType: TITLE, TEXT, DATE, NUMBER, SINGLE_SELECT, ITERATION, ... */
  dataType: string;
  options?: Array<{ id: string; name: string }>;
}

export const BOARD_OPTION_IDS = {
  triage: 'f75ad846',
  inProgress: '47fc9ee4',
  done: '98236657',
  necessity: 'a1b2c3d4',
  niceToHave: 'e5f6a7b8',
} as const;

/** A board as a team might set it up: Status (Triage/In progress/Done), a 'Needed by' date and a Necessity select. */
export const BOARD_FIELDS = {
  title: { id: 'PVTF_title', name: 'Title', dataType: 'TITLE' },
  status: {
    id: 'PVTSSF_status',
    name: 'Status',
    dataType: 'SINGLE_SELECT',
    options: [
      { id: BOARD_OPTION_IDS.triage, name: 'Triage' },
      { id: BOARD_OPTION_IDS.inProgress, name: 'In progress' },
      { id: BOARD_OPTION_IDS.done, name: 'Done' },
    ],
  },
  neededBy: { id: 'PVTF_needed_by', name: 'Needed by', dataType: 'DATE' },
  necessity: {
    id: 'PVTSSF_necessity',
    name: 'Necessity',
    dataType: 'SINGLE_SELECT',
    options: [
      { id: BOARD_OPTION_IDS.necessity, name: 'Necessity' },
      { id: BOARD_OPTION_IDS.niceToHave, name: 'Nice-to-have' },
    ],
  },
} satisfies Record<string, FakeBoardField>;

export interface FakeBoardOptions {
  owner?: 'organization' | 'user';
  login?: string;
  number?: number;
  projectId?: string;
  /** Defaults to all of BOARD_FIELDS. */
  fields?: FakeBoardField[];
  /** False answers the project query with NOT_FOUND, as GitHub does for a missing project or a token without access. */
  exists?: boolean;
  base?: string;
}

export interface FieldUpdate {
  projectId: string;
  itemId: string;
  fieldId: string;
  value: Record<string, unknown>;
}

export interface FakeBoard {
  calls: GraphqlCall[];
  projectId: string;
  fields: FakeBoardField[];
  /** Mutable: flip it between requests to break or fix the board. */
  exists: boolean;
  projectQueries: number;
  added: Array<{ projectId: string; contentId: string; itemId: string }>;
  updates: FieldUpdate[];
}

const notFound = (message: string, path: string[]) => ({ type: 'NOT_FOUND', path, message });
const unprocessable = (message: string, path: string[]) => ({ type: 'UNPROCESSABLE', path, message });

function argument(field: FieldNode, name: string, variables: Record<string, unknown>): unknown {
  const arg = field.arguments?.find((a) => a.name.value === name);
  return arg ? valueFromASTUntyped(arg.value as ValueNode, variables) : undefined;
}

/** Evaluates @include/@skip, so the fake answers only the roots the document really asks for. */
function included(directives: readonly DirectiveNode[] | undefined, variables: Record<string, unknown>): boolean {
  for (const d of directives ?? []) {
    const arg = d.arguments?.find((a) => a.name.value === 'if');
    const value = arg ? Boolean(valueFromASTUntyped(arg.value, variables)) : false;
    if (d.name.value === 'include' && !value) return false;
    if (d.name.value === 'skip' && value) return false;
  }
  return true;
}

function rootFieldNodes(query: string): FieldNode[] {
  const op = parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return op?.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD) ?? [];
}

/**
 * A Projects v2 board behind the GraphQL fake: answers the project lookup (organization or user root, by login and
 * number), addProjectV2ItemById (the same item id for the same content, as GitHub does) and
 * updateProjectV2ItemFieldValue (checking that field and option ids exist), recording what was asked.
 */
export function fakeBoard(opts: FakeBoardOptions = {}): FakeBoard {
  const owner = opts.owner ?? 'organization';
  const login = opts.login ?? 'acme';
  const number = opts.number ?? 63;
  const board: FakeBoard = {
    calls: [],
    projectId: opts.projectId ?? 'PVT_kwDOBoard63',
    fields: opts.fields ?? Object.values(BOARD_FIELDS),
    exists: opts.exists ?? true,
    projectQueries: 0,
    added: [],
    updates: [],
  };

  const { calls } = interceptGraphql(({ query, variables }) => {
    const data: Json = {};
    const errors: unknown[] = [];
    for (const field of rootFieldNodes(query)) {
      if (!included(field.directives, variables)) continue;
      const name = field.name.value;
      const key = field.alias?.value ?? name;
      if (name === 'organization' || name === 'user') {
        board.projectQueries++;
        const askedLogin = argument(field, 'login', variables);
        if (name !== owner || askedLogin !== login) {
          data[key] = null;
          const type = name === 'organization' ? 'an Organization' : 'a User';
          errors.push(notFound(`Could not resolve to ${type} with the login of '${String(askedLogin)}'.`, [key]));
          continue;
        }
        const projectField = field.selectionSet?.selections.find(
          (s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'projectV2',
        );
        const askedNumber = projectField ? argument(projectField, 'number', variables) : undefined;
        if (!board.exists || askedNumber !== number) {
          data[key] = { projectV2: null };
          errors.push(
            notFound(`Could not resolve to a ProjectV2 with the number ${String(askedNumber)}.`, [key, 'projectV2']),
          );
          continue;
        }
        data[key] = {
          projectV2: {
            id: board.projectId,
            title: 'Analytics requests',
            url: `https://github.com/${owner === 'organization' ? 'orgs' : 'users'}/${login}/projects/${number}`,
            fields: { nodes: board.fields.map((f) => ({ ...f, ...(f.options ? { options: f.options } : {}) })) },
          },
        };
      } else if (name === 'addProjectV2ItemById') {
        const input = (argument(field, 'input', variables) ?? {}) as Record<string, string>;
        if (!board.exists || input.projectId !== board.projectId) {
          data[key] = null;
          errors.push(notFound(`Could not resolve to a node with the global id of '${input.projectId}'`, [key]));
          continue;
        }
        const itemId = `PVTI_${input.contentId}`;
        board.added.push({ projectId: input.projectId, contentId: String(input.contentId), itemId });
        data[key] = { item: { id: itemId } };
      } else if (name === 'updateProjectV2ItemFieldValue') {
        const input = (argument(field, 'input', variables) ?? {}) as Json;
        const update = input as unknown as FieldUpdate;
        const target = board.fields.find((f) => f.id === update.fieldId);
        const optionId = update.value?.singleSelectOptionId;
        const problem = !target
          ? `Could not resolve to a node with the global id of '${update.fieldId}'`
          : optionId !== undefined && !target.options?.some((o) => o.id === optionId)
            ? `The single select option Id does not belong to the field`
            : update.value?.date !== undefined && target.dataType !== 'DATE'
              ? 'The field is not a date field'
              : undefined;
        if (problem || update.projectId !== board.projectId) {
          data[key] = null;
          errors.push(unprocessable(problem ?? 'Project mismatch', [key]));
          continue;
        }
        board.updates.push(update);
        data[key] = { projectV2Item: { id: update.itemId } };
      } else {
        errors.push({ message: `fakeBoard does not answer ${name}` });
      }
    }
    return errors.length > 0 ? { data, errors } : { data };
  }, opts.base);
  board.calls = calls;
  return board;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string | null;
  labels: Array<{ name: string }>;
  state: 'open' | 'closed';
  node_id: string;
  html_url: string;
  created_at: string;
  updated_at: string;
  pull_request?: Json;
}

export interface FakeRepoOptions {
  owner?: string;
  repo?: string;
  /** Issues already in the repository (number, label and dates filled in when left out). */
  issues?: Array<Partial<FakeIssue> & { body: string }>;
  base?: string;
  /** Drops the labels of created issues, as GitHub does silently for a token without triage access. */
  dropLabels?: boolean;
}

/** How the next POST /issues goes wrong: `created` says whether GitHub created the issue before answering. */
export interface CreateFault {
  status: number;
  created: boolean;
  body?: Json;
  headers?: Record<string, string>;
}

export interface FakeRepo {
  issues: FakeIssue[];
  /** Bodies of the POST /issues calls. */
  created: Array<{ title: string; body: string; labels: string[] }>;
  /** Query strings of the GET /issues calls. */
  listQueries: Array<Record<string, string>>;
  /** The Authorization header of every call, in order. */
  authorizations: Array<string | undefined>;
  /** Answers for the next POST /issues calls, in order (then normal answers). */
  createFaults: CreateFault[];
  /** POST /issues calls, including failed ones. */
  posts: number;
  /** Statuses for the next GET /issues calls, in order (then normal answers). */
  listFaults: number[];
}

/** GET and POST /repos/{owner}/{repo}/issues over an in-memory list, so a retry sees what an attempt created. */
export function fakeRepo(opts: FakeRepoOptions = {}): FakeRepo {
  const owner = opts.owner ?? 'acme';
  const repo = opts.repo ?? 'analytics';
  const base = opts.base ?? GITHUB_TEST_API;
  const now = new Date().toISOString();
  const fake: FakeRepo = {
    issues: [],
    created: [],
    listQueries: [],
    authorizations: [],
    createFaults: [],
    posts: 0,
    listFaults: [],
  };
  const toIssue = (i: Partial<FakeIssue> & { body: string | null }, n: number): FakeIssue => ({
    number: n,
    title: `Issue ${n}`,
    labels: [{ name: 'data-request' }],
    state: 'open',
    node_id: `I_kwDOTest${n}`,
    html_url: `https://github.com/${owner}/${repo}/issues/${n}`,
    created_at: now,
    updated_at: now,
    ...i,
  });
  (opts.issues ?? []).forEach((i, idx) => {
    fake.issues.push(toIssue(i, i.number ?? idx + 1));
  });
  const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

  nock(base)
    .persist()
    .get(`/repos/${owner}/${repo}/issues`)
    .query(true)
    .reply(function (uri) {
      fake.authorizations.push(header(this.req.headers.authorization));
      const failWith = fake.listFaults.shift();
      if (failWith) return [failWith, githubError('Server Error')];
      const query = Object.fromEntries(new URL(uri, base).searchParams);
      fake.listQueries.push(query);
      const wanted = (query.labels ?? '').split(',').filter(Boolean);
      const since = query.since ? Date.parse(query.since) : 0;
      const list = fake.issues
        .filter((i) => wanted.every((l) => i.labels.some((x) => x.name === l)))
        .filter((i) => Date.parse(i.updated_at) >= since)
        .filter((i) => query.state === 'all' || i.state === (query.state ?? 'open'))
        .sort((a, b) => b.number - a.number)
        .slice(0, Number(query.per_page ?? 30));
      return [200, list];
    })
    .post(`/repos/${owner}/${repo}/issues`)
    .reply(function (_uri, requestBody) {
      fake.authorizations.push(header(this.req.headers.authorization));
      fake.posts++;
      const fault = fake.createFaults.shift();
      if (fault && !fault.created)
        return [fault.status, fault.body ?? githubError('Server Error'), fault.headers ?? {}];
      const body = requestBody as { title: string; body: string; labels?: string[] };
      fake.created.push({ title: body.title, body: body.body, labels: body.labels ?? [] });
      const labels = opts.dropLabels ? [] : (body.labels ?? []).map((name) => ({ name }));
      const issue = toIssue(
        { title: body.title, body: body.body, labels },
        fake.issues.reduce((max, i) => Math.max(max, i.number), 0) + 1,
      );
      fake.issues.push(issue);
      if (fault) return [fault.status, fault.body ?? githubError('Server Error'), fault.headers ?? {}];
      return [201, issue];
    });
  return fake;
}

/** A GitHub REST error response as the API spells it. */
export function githubError(message: string, documentationUrl = 'https://docs.github.com/rest'): Json {
  return { message, documentation_url: documentationUrl };
}
