import { generateKeyPairSync } from 'node:crypto';
import nock from 'nock';
import type { Config } from '../../src/config.js';
import { boardFieldNames } from '../../src/github/board-fields.js';
import { createGithubOctokit, type GithubOctokitOptions } from '../../src/github/octokit-client.js';
import { createOctokitTracker, GRAPHQL_DOCUMENTS, searchWords } from '../../src/github/octokit-tracker.js';
import { parseProjectUrl } from '../../src/github/project-url.js';
import { hasMarker } from '../../src/github/request-marker.js';
import { type IssueDraft, TrackerError } from '../../src/github/tracker.js';
import type { DataRequest } from '../../src/requests/data-request.js';
import { createTelemetry } from '../../src/telemetry.js';
import { testConfig } from '../helpers/config.js';
import {
  assertValidGraphql,
  BOARD_FIELDS,
  BOARD_OPTION_IDS,
  fakeBoard,
  fakeRepo,
  GITHUB_TEST_API,
  githubError,
  interceptGraphql,
  takeGraphqlValidationErrors,
} from '../helpers/github.js';
import { captureLogs } from '../helpers/logs.js';

const TOKEN = 'ghp_test0never0logged0Zq8XkV2mN5pR7tW9yB1cD3fH6';
const ORG_PROJECT = 'https://github.com/orgs/acme/projects/63';
const REPO_PATH = '/repos/acme/analytics/issues';

/** Built by loadConfig, as operators would configure it, so the test follows the config's shape. */
const BASE_GITHUB = testConfig({
  GITHUB_API_URL: GITHUB_TEST_API,
  GITHUB_TOKEN: TOKEN,
  GITHUB_REPOSITORY: 'acme/analytics',
  GITHUB_PROJECT_URL: ORG_PROJECT,
}).github;

function githubConfig(overrides: Partial<Config['github']> = {}): Config['github'] {
  return { ...BASE_GITHUB, ...overrides };
}

type ClientOptions = Pick<GithubOctokitOptions, 'retries' | 'throttle' | 'retryBaseMs'>;

function setup(overrides: Partial<Config['github']> = {}, client: ClientOptions = {}) {
  const logs = captureLogs('debug');
  const telemetry = createTelemetry({ defaultMetrics: false });
  const github = githubConfig(overrides);
  const tracker = createOctokitTracker({
    octokit: createGithubOctokit({ github, log: logs.logger, retries: 0, throttle: false, ...client }),
    github,
    logger: logs.logger,
    telemetry,
    fields: boardFieldNames(github.fields),
  });
  return { tracker, logs, telemetry };
}

let keys = 0;
function dataRequest(overrides: Partial<DataRequest> = {}): DataRequest {
  keys++;
  return {
    key: `req-${keys}-7f3a`,
    title: 'Weekly retention by signup cohort',
    purpose: 'Board deck',
    deliverable: 'A line chart',
    neededBy: '2025-07-01',
    necessity: 'necessity',
    stakeholders: [],
    sources: [],
    sketches: [],
    requester: { id: 'U123', name: 'Ada' },
    origin: { channelId: 'C0ANALYTICS' },
    submittedAt: new Date().toISOString(),
    ...overrides,
  };
}

function draftFor(request: DataRequest): IssueDraft {
  const marker = JSON.stringify({ v: 1, key: request.key, requester: request.requester.id });
  return {
    title: request.title,
    body: `### 1. Purpose\n> ${request.purpose}\n\n<!-- analytics-bot:request ${marker} -->`,
    labels: ['data-request'],
  };
}

/** The filer's steps in one go: look for the marker, else create; then the board. */
async function file(tracker: ReturnType<typeof setup>['tracker'], request = dataRequest()) {
  const found = await tracker.findFiled(request);
  const issue = found ?? (await tracker.createIssue(request, draftFor(request)));
  const placed = await tracker.placeOnBoard(request, issue);
  return {
    ...issue,
    existing: found !== undefined,
    projectItemId: placed?.itemId,
    fieldsSet: placed?.fieldsSet ?? [],
    fieldsMissing: placed?.fieldsMissing ?? [],
    boardUrl: placed?.boardUrl,
  };
}

async function rejection(promise: Promise<unknown>): Promise<TrackerError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TrackerError);
  return err as TrackerError;
}

const warnings = (logs: ReturnType<typeof captureLogs>, pattern: RegExp) =>
  logs.lines.filter((l) => l.level === 40 && pattern.test(String(l.msg)));

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  nock.cleanAll();
  expect(takeGraphqlValidationErrors()).toEqual([]);
});

describe('GraphQL documents', () => {
  it.each(Object.entries(GRAPHQL_DOCUMENTS))('%s validates against GitHub’s schema', (_name, doc) => {
    expect(() => assertValidGraphql(doc)).not.toThrow();
  });

  it('the validator rejects a document GitHub would reject', () => {
    expect(() => assertValidGraphql('query { viewer { projectV2(number: 1) { nope } } }')).toThrow(/nope/);
  });
});

describe('helpers', () => {
  it('hasMarker only trusts the key inside the analytics-bot comment', () => {
    const body = 'quoted: "key":"abc"\n<!-- analytics-bot:request {"v":1,"key":"xyz"} -->';
    expect(hasMarker(body, 'xyz')).toBe(true);
    expect(hasMarker(body, 'abc')).toBe(false);
    expect(hasMarker(body, 'xy')).toBe(false);
    expect(hasMarker(null, 'xyz')).toBe(false);
  });

  it('parses org and user project URLs', () => {
    expect(parseProjectUrl(ORG_PROJECT)).toEqual({ owner: 'organization', login: 'acme', number: 63 });
    expect(parseProjectUrl('https://ghe.example.com/users/ada.l/projects/7/')).toEqual({
      owner: 'user',
      login: 'ada.l',
      number: 7,
    });
    expect(parseProjectUrl('https://github.com/acme/analytics/projects/1')).toBeUndefined();
  });
});

describe('createDataRequest', () => {
  it('files the issue, adds it to the board and sets Status, Needed by and Necessity', async () => {
    const repo = fakeRepo();
    const board = fakeBoard();
    const { tracker, telemetry } = setup();
    const request = dataRequest({ necessity: 'nice-to-have' });

    const filed = await file(tracker, request);

    expect(repo.created).toEqual([{ title: request.title, body: draftFor(request).body, labels: ['data-request'] }]);
    // No label filter: GitHub drops labels silently when the token lacks triage access.
    expect(repo.listQueries[0]).toEqual({
      state: 'all',
      since: expect.any(String),
      per_page: '100',
      page: '1',
      sort: 'created',
      direction: 'desc',
    });
    expect(Date.parse(repo.listQueries[0]!.since!)).toBe(Date.parse(request.submittedAt) - 10 * 60 * 1000);
    expect(repo.authorizations).toEqual([`token ${TOKEN}`, `token ${TOKEN}`]);
    expect(filed).toEqual({
      tracker: 'acme/analytics',
      number: 1,
      url: 'https://github.com/acme/analytics/issues/1',
      nodeId: 'I_kwDOTest1',
      existing: false,
      projectItemId: 'PVTI_I_kwDOTest1',
      fieldsSet: ['Status', 'Needed by', 'Necessity'],
      fieldsMissing: [],
      boardUrl: ORG_PROJECT,
    });
    expect(board.added).toEqual([{ projectId: board.projectId, contentId: 'I_kwDOTest1', itemId: 'PVTI_I_kwDOTest1' }]);
    const item = { projectId: board.projectId, itemId: 'PVTI_I_kwDOTest1' };
    expect(board.updates).toEqual([
      { ...item, fieldId: BOARD_FIELDS.status.id, value: { singleSelectOptionId: BOARD_OPTION_IDS.triage } },
      { ...item, fieldId: BOARD_FIELDS.neededBy.id, value: { date: '2025-07-01' } },
      { ...item, fieldId: BOARD_FIELDS.necessity.id, value: { singleSelectOptionId: BOARD_OPTION_IDS.niceToHave } },
    ]);

    // The board's fields are read once per tracker, not per request.
    await file(tracker, dataRequest({ necessity: 'necessity' }));
    expect(board.projectQueries).toBe(1);
    expect(board.updates.at(-1)?.value).toEqual({ singleSelectOptionId: BOARD_OPTION_IDS.necessity });

    const metrics = await telemetry.registry.metrics();
    expect(metrics).toMatch(/analytics_bot_github_calls_total\{kind="rest",outcome="ok"\} 4/);
    expect(metrics).toMatch(/analytics_bot_github_calls_total\{kind="graphql",outcome="ok"\} 9/);
  });

  it('reads the board again when a field was recreated since, and sets it in the same attempt', async () => {
    fakeRepo();
    const board = fakeBoard();
    const { tracker } = setup();
    await file(tracker);
    expect(board.projectQueries).toBe(1);

    // Someone deletes and recreates the Status field: new field and option ids.
    const status = { ...BOARD_FIELDS.status, id: 'PVTSSF_status2', options: [{ id: 'triage2', name: 'Triage' }] };
    board.fields = board.fields.map((f) => (f.name === 'Status' ? status : f));
    const filed = await file(tracker);

    expect(filed.fieldsSet).toEqual(['Status', 'Needed by', 'Necessity']);
    expect(board.projectQueries).toBe(2);
    expect(board.updates.filter((u) => u.fieldId === 'PVTSSF_status2').map((u) => u.value)).toEqual([
      { singleSelectOptionId: 'triage2' },
    ]);
  });

  it('finds a user-owned project through the user root', async () => {
    fakeRepo();
    const board = fakeBoard({ owner: 'user', login: 'ada', number: 7 });
    const { tracker } = setup({ projectUrl: 'https://github.com/users/ada/projects/7' });

    const filed = await file(tracker);

    expect(board.calls[0]?.variables).toMatchObject({ login: 'ada', number: 7, isOrg: false });
    expect(filed.fieldsSet).toHaveLength(3);
    expect(filed.boardUrl).toBe('https://github.com/users/ada/projects/7');
  });

  it('asks the organization root for an orgs/ URL', async () => {
    fakeRepo();
    const board = fakeBoard({ owner: 'organization', login: 'acme', number: 63 });
    const { tracker } = setup();

    await file(tracker);

    expect(board.calls[0]?.variables).toMatchObject({ login: 'acme', number: 63, isOrg: true });
  });

  it('files without the fields a board lacks, and warns about them once per tracker', async () => {
    const repo = fakeRepo();
    const status = { ...BOARD_FIELDS.status, options: [{ id: 'todo', name: 'Todo' }] };
    const board = fakeBoard({
      fields: [BOARD_FIELDS.title, status, { id: 'PVTF_due', name: 'Due', dataType: 'TEXT' }],
    });
    const { tracker, logs } = setup();

    const first = await file(tracker);
    const second = await file(tracker);

    expect(repo.created).toHaveLength(2);
    // Each issue became its own board item, and each answer names the item the board created for it.
    expect(new Set(board.added.map((a) => a.contentId)).size).toBe(2);
    expect([first.projectItemId, second.projectItemId]).toEqual(board.added.map((a) => a.itemId));
    for (const filed of [first, second]) {
      expect(filed.fieldsSet).toEqual([]);
      expect(filed.fieldsMissing).toEqual(['Status: Triage', 'Needed by', 'Necessity']);
    }
    expect(board.updates).toEqual([]);
    const warned = warnings(logs, /board fields/);
    expect(warned).toHaveLength(1);
    expect(warned[0]?.fieldsMissing).toEqual(['Status: Triage', 'Needed by', 'Necessity']);
  });

  it('matches field and option names case-insensitively and by necessity hints (P1/P3)', async () => {
    fakeRepo();
    const priority = {
      id: 'PVTSSF_priority',
      name: 'priority',
      dataType: 'SINGLE_SELECT',
      options: [
        { id: 'p1', name: 'P1 - must have' },
        { id: 'p3', name: 'P3' },
      ],
    };
    const board = fakeBoard({
      fields: [
        { ...BOARD_FIELDS.status, name: 'STATUS' },
        { id: 'PVTF_deadline', name: 'deadline', dataType: 'DATE' },
        priority,
      ],
    });
    const { tracker } = setup();

    const filed = await file(tracker, dataRequest({ necessity: 'necessity' }));

    expect(filed.fieldsSet).toEqual(['STATUS', 'deadline', 'priority']);
    expect(board.updates.map((u) => u.value)).toEqual([
      { singleSelectOptionId: BOARD_OPTION_IDS.triage },
      { date: '2025-07-01' },
      { singleSelectOptionId: 'p1' },
    ]);
  });

  it('looks for the configured field names first (GITHUB_*_FIELD)', async () => {
    fakeRepo();
    const board = fakeBoard({
      fields: [
        { ...BOARD_FIELDS.status, name: 'Stage', options: [{ id: 'inbox', name: 'Inbox' }] },
        { id: 'PVTF_target', name: 'Target date', dataType: 'DATE' },
        { ...BOARD_FIELDS.necessity, name: 'Importance' },
      ],
    });
    const fields = { status: 'Stage', triageStatus: 'Inbox', neededBy: 'Target date', necessity: 'Importance' };
    const { tracker } = setup({ fields });

    const filed = await file(tracker);

    expect(filed.fieldsSet).toEqual(['Stage', 'Target date', 'Importance']);
    expect(board.updates.map((u) => u.value)).toEqual([
      { singleSelectOptionId: 'inbox' },
      { date: '2025-07-01' },
      { singleSelectOptionId: BOARD_OPTION_IDS.necessity },
    ]);
  });

  it('reuses the issue that already carries the request’s marker instead of filing another', async () => {
    const request = dataRequest();
    const repo = fakeRepo({
      issues: [
        { number: 40, body: 'unrelated' },
        { number: 41, body: draftFor(request).body, title: request.title },
        { number: 42, body: '<!-- analytics-bot:request {"v":1,"key":"someone-else"} -->' },
      ],
    });
    const board = fakeBoard();
    const { tracker } = setup();

    const filed = await file(tracker, request);

    expect(repo.created).toEqual([]);
    expect(filed).toMatchObject({
      number: 41,
      existing: true,
      nodeId: 'I_kwDOTest41',
      projectItemId: 'PVTI_I_kwDOTest41',
    });
    expect(board.added).toHaveLength(1);
    expect(filed.fieldsSet).toEqual(['Status', 'Needed by', 'Necessity']);
  });

  it('skips the board when no project is configured, and says so once', async () => {
    const repo = fakeRepo();
    const { calls } = interceptGraphql(() => ({ data: {} }));
    const { tracker, logs } = setup({ projectUrl: undefined });

    const filed = await file(tracker);
    await file(tracker);

    expect(repo.created).toHaveLength(2);
    expect(calls).toEqual([]);
    expect(filed).toMatchObject({ number: 1, fieldsSet: [], fieldsMissing: [], existing: false });
    expect(filed.boardUrl).toBeUndefined();
    expect(logs.lines.filter((l) => /no board configured/.test(String(l.msg)))).toHaveLength(1);
  });
});

describe('createDataRequest errors', () => {
  it('a 502 from GitHub is retryable', async () => {
    nock(GITHUB_TEST_API).get(REPO_PATH).query(true).reply(200, []);
    nock(GITHUB_TEST_API).post(REPO_PATH).reply(502, githubError('Server Error'));
    const { tracker, telemetry } = setup();

    const err = await rejection(file(tracker));

    expect(err).toMatchObject({ retryable: true, status: 502, ambiguous: true });
    const metrics = await telemetry.registry.metrics();
    expect(metrics).toMatch(/analytics_bot_github_calls_total\{kind="rest",outcome="server_error"\} 1/);
  });

  it('a network failure is retryable', async () => {
    nock(GITHUB_TEST_API).get(REPO_PATH).query(true).replyWithError('socket hang up');
    const { tracker } = setup();

    const err = await rejection(file(tracker));

    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/could not reach GitHub/);
  });

  it('a rejected token (401) is not retryable', async () => {
    nock(GITHUB_TEST_API).get(REPO_PATH).query(true).reply(401, githubError('Bad credentials'));
    const { tracker } = setup();

    const err = await rejection(file(tracker));

    expect(err).toMatchObject({ retryable: false, status: 401, message: 'GitHub rejected the token (401)' });
  });

  it('a missing repository (404) is not retryable and names owner/repo', async () => {
    nock(GITHUB_TEST_API).get(REPO_PATH).query(true).reply(404, githubError('Not Found'));
    const { tracker } = setup();

    const err = await rejection(file(tracker));

    expect(err).toMatchObject({ retryable: false, status: 404 });
    expect(err.message).toBe('repository acme/analytics not found or token lacks access (404)');
  });

  it('a permission 403 is not retryable; a secondary rate limit 403 is, once throttling gives up', async () => {
    nock(GITHUB_TEST_API).get(REPO_PATH).query(true).reply(200, []);
    nock(GITHUB_TEST_API).post(REPO_PATH).reply(403, githubError('Resource not accessible by personal access token'));
    const forbidden = setup();
    const denied = await rejection(file(forbidden.tracker));
    expect(denied).toMatchObject({ retryable: false, status: 403 });
    expect(denied.message).toMatch(/acme\/analytics/);

    nock(GITHUB_TEST_API).get(REPO_PATH).query(true).reply(200, []);
    nock(GITHUB_TEST_API)
      .post(REPO_PATH)
      .reply(403, githubError('You have exceeded a secondary rate limit. Please wait a few minutes.'), {
        'retry-after': '60',
      });
    const limited = setup({}, { throttle: true });
    const err = await rejection(file(limited.tracker));
    expect(err).toMatchObject({ retryable: true, status: 403, ambiguous: false, retryAfterMs: 60_000 });
    // Issue creation is never retried inside the client, not even after a rate limit.
    expect(warnings(limited.logs, /secondary rate limit hit; giving up/)).toHaveLength(1);
  });

  it('a missing project fails after filing, and a retry once the board is fixed files exactly one issue', async () => {
    const repo = fakeRepo();
    const board = fakeBoard({ exists: false });
    const { tracker, telemetry } = setup();
    const request = dataRequest();

    const err = await rejection(file(tracker, request));

    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(
      /^could not put issue #1 \(https:\/\/github\.com\/acme\/analytics\/issues\/1\) on the board/,
    );
    expect(err.message).toMatch(/project .*projects\/63 not found or token lacks the project scope/);
    expect(repo.created).toHaveLength(1);
    expect(await telemetry.registry.metrics()).toMatch(/kind="graphql",outcome="graphql_error"\} 1/);

    board.exists = true;
    const filed = await file(tracker, request);

    expect(repo.created).toHaveLength(1);
    expect(filed).toMatchObject({ number: 1, existing: true, projectItemId: 'PVTI_I_kwDOTest1' });
    expect(filed.fieldsSet).toEqual(['Status', 'Needed by', 'Necessity']);
  });

  it('a GitHub 5xx on the board step is retryable, and the retry reuses the issue', async () => {
    const repo = fakeRepo();
    nock(GITHUB_TEST_API).post('/graphql').reply(503, githubError('Service Unavailable'));
    const { tracker } = setup();
    const request = dataRequest();

    const err = await rejection(file(tracker, request));
    expect(err).toMatchObject({ retryable: true, status: 503 });

    fakeBoard();
    const filed = await file(tracker, request);
    expect(filed.existing).toBe(true);
    expect(repo.created).toHaveLength(1);
  });
});

describe('issue creation is never retried blindly', () => {
  it('the retry plugin repeats a failed lookup but never POST /issues', async () => {
    let posts = 0;
    let lists = 0;
    nock(GITHUB_TEST_API)
      .persist()
      .get(REPO_PATH)
      .query(true)
      .reply(() => (++lists === 1 ? [502, githubError('Server Error')] : [200, []]));
    nock(GITHUB_TEST_API)
      .persist()
      .post(REPO_PATH)
      .reply(() => {
        posts++;
        return [502, githubError('Server Error')];
      });
    const { tracker } = setup({}, { retries: 3, retryBaseMs: 1 });
    const request = dataRequest();

    await expect(tracker.findFiled(request)).resolves.toBeUndefined();
    const err = await rejection(tracker.createIssue(request, draftFor(request)));

    expect(lists).toBe(2);
    expect(posts).toBe(1);
    expect(err).toMatchObject({ retryable: true, ambiguous: true, status: 502 });
  });

  it('finds the issue by the marker in its body even when GitHub dropped the label', async () => {
    const request = dataRequest();
    const repo = fakeRepo({
      issues: [
        { number: 5, body: draftFor(request).body, labels: [] },
        { number: 6, body: 'a pull request', pull_request: {} },
      ],
    });
    const { tracker } = setup();

    const found = await tracker.findFiled(request);

    expect(found).toEqual({
      tracker: 'acme/analytics',
      number: 5,
      url: 'https://github.com/acme/analytics/issues/5',
      nodeId: 'I_kwDOTest5',
    });
    expect(repo.listQueries[0]?.labels).toBeUndefined();
  });

  it('reads further pages until issues are older than the submission window', async () => {
    const request = dataRequest();
    const recent = new Date(Date.parse(request.submittedAt) - 60_000).toISOString();
    const old = new Date(Date.parse(request.submittedAt) - 60 * 60_000).toISOString();
    const page = (from: number, created: string) =>
      Array.from({ length: 100 }, (_, i) => ({
        number: from - i,
        body: 'other',
        node_id: `I_${from - i}`,
        html_url: `https://github.com/acme/analytics/issues/${from - i}`,
        created_at: created,
      }));
    const pages: string[] = [];
    nock(GITHUB_TEST_API)
      .persist()
      .get(REPO_PATH)
      .query(true)
      .reply((uri) => {
        const n = new URL(uri, GITHUB_TEST_API).searchParams.get('page') ?? '1';
        pages.push(n);
        return [200, n === '1' ? page(300, recent) : page(200, old)];
      });
    const { tracker } = setup();

    await expect(tracker.findFiled(request)).resolves.toBeUndefined();
    expect(pages).toEqual(['1', '2']);
  });
});

describe('GitHub App auth', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it.each([
    ['PKCS#1', privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()],
    ['PKCS#8', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
  ])('exchanges a JWT for an installation token (%s key) and files with it', async (_format, pem) => {
    let tokenAuthorization: string | undefined;
    nock(GITHUB_TEST_API)
      .post('/app/installations/4242/access_tokens')
      .reply(function () {
        tokenAuthorization = String(this.req.headers.authorization);
        return [
          201,
          {
            token: 'ghs_installation0token',
            expires_at: new Date(Date.now() + 3600_000).toISOString(),
            permissions: { issues: 'write', metadata: 'read' },
            repository_selection: 'all',
          },
        ];
      });
    const repo = fakeRepo();
    const { tracker, logs } = setup(
      { token: undefined, projectUrl: undefined, app: { appId: '1234', privateKey: pem, installationId: '4242' } },
      {},
    );

    const filed = await file(tracker);

    expect(filed.number).toBe(1);
    expect(tokenAuthorization).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/i);
    expect(repo.authorizations).toEqual(['token ghs_installation0token', 'token ghs_installation0token']);
    expect(logs.text()).not.toContain('ghs_installation0token');
    expect(logs.text()).not.toContain('PRIVATE KEY');
  });

  it('a rejected installation is not retryable and says so', async () => {
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    nock(GITHUB_TEST_API).post('/app/installations/4242/access_tokens').reply(404, githubError('Not Found'));
    const { tracker } = setup(
      { token: undefined, app: { appId: '1234', privateKey: pem, installationId: '4242' } },
      {},
    );

    const err = await rejection(file(tracker));

    expect(err).toMatchObject({ retryable: false, status: 404 });
    expect(err.message).toMatch(/GitHub App installation 4242/);
  });
});

describe('findRelated', () => {
  const item = (number: number, title: string) => ({
    number,
    title,
    html_url: `https://github.com/acme/analytics/issues/${number}`,
  });

  it('searches open data requests by the title’s words, with user qualifiers stripped', async () => {
    let q = '';
    nock(GITHUB_TEST_API)
      .get('/search/issues')
      .query(true)
      .reply((uri) => {
        q = new URL(uri, GITHUB_TEST_API).searchParams.get('q') ?? '';
        const items = [item(7, 'Sales dash'), item(9, 'Sales dashboard v2'), item(11, 'Dash'), item(12, 'Sales')];
        return [200, { total_count: items.length, incomplete_results: false, items }];
      });
    const { tracker } = setup();

    const related = await tracker.findRelated('repo:evil/x sales "dash" -label:bug is:closed (quarterly) OR', 9);

    expect(q).not.toMatch(/evil|label:bug|is:closed|"|\(/);
    expect(q).toBe('sales dash quarterly repo:acme/analytics is:issue is:open label:data-request in:title');
    expect(related).toEqual([
      { number: 7, title: 'Sales dash', url: 'https://github.com/acme/analytics/issues/7' },
      { number: 11, title: 'Dash', url: 'https://github.com/acme/analytics/issues/11' },
      { number: 12, title: 'Sales', url: 'https://github.com/acme/analytics/issues/12' },
    ]);
  });

  it('keeps at most four significant words', () => {
    expect(searchWords('Please can we get the weekly retention by signup cohort and revenue per region?')).toEqual([
      'weekly',
      'retention',
      'signup',
      'revenue',
    ]);
    expect(searchWords('a an of: to')).toEqual([]);
  });

  it('returns [] when search fails', async () => {
    nock(GITHUB_TEST_API).get('/search/issues').query(true).reply(500, githubError('Server Error'));
    const { tracker, logs } = setup();

    await expect(tracker.findRelated('Weekly retention')).resolves.toEqual([]);
    expect(warnings(logs, /related-issue search failed/)).toHaveLength(1);
  });

  it('does not call GitHub for a title with no searchable words', async () => {
    const { tracker } = setup();
    await expect(tracker.findRelated('repo:x/y is:open')).resolves.toEqual([]);
  });
});

describe('secrets', () => {
  it('never logs the token, on success or failure', async () => {
    fakeRepo();
    fakeBoard({ exists: false });
    const { tracker, logs } = setup();

    await rejection(file(tracker));
    nock.cleanAll();
    nock(GITHUB_TEST_API).get(REPO_PATH).query(true).reply(401, githubError('Bad credentials'));
    await rejection(file(tracker));
    nock(GITHUB_TEST_API).get('/search/issues').query(true).reply(403, githubError('Forbidden'));
    await tracker.findRelated('Weekly retention');

    expect(logs.lines.length).toBeGreaterThan(3);
    expect(logs.text()).not.toContain(TOKEN);
  });
});
