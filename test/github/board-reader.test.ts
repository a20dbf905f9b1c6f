import nock from 'nock';
import type { Config } from '../../src/config.js';
import { BoardError } from '../../src/github/board.js';
import { type BoardFieldNames, boardFieldNames } from '../../src/github/board-fields.js';
import {
  BOARD_GRAPHQL_DOCUMENTS,
  BOARD_ITEMS_QUERY,
  createBoardReader,
  FORBIDDEN_MESSAGE,
} from '../../src/github/board-reader.js';
import { hasGithubCredentials } from '../../src/github/create-github.js';
import { createGithubOctokit } from '../../src/github/octokit-client.js';
import { createTelemetry } from '../../src/telemetry.js';
import {
  BOARD_FIXTURE_FIELDS,
  type BoardFixtureField,
  boardItems,
  expectedBoardItem,
  interceptBoard,
} from '../helpers/board-fixtures.js';
import { testConfig } from '../helpers/config.js';
import { assertValidGraphql, GITHUB_TEST_API, takeGraphqlValidationErrors } from '../helpers/github.js';
import { captureLogs } from '../helpers/logs.js';

const TOKEN = 'ghp_board0reader0never0logged0Xk2mN5pR7tW9yB1c';
const ORG_PROJECT = 'https://github.com/orgs/acme/projects/63';
const USER_PROJECT = 'https://github.com/users/ada/projects/5';

function githubConfig(env: Record<string, string | undefined> = {}): Config['github'] {
  return testConfig({ GITHUB_API_URL: GITHUB_TEST_API, GITHUB_TOKEN: TOKEN, GITHUB_PROJECT_URL: ORG_PROJECT, ...env })
    .github;
}

function setup(github: Config['github'] = githubConfig(), fields: Partial<BoardFieldNames> = {}) {
  const logs = captureLogs('debug');
  const telemetry = createTelemetry({ defaultMetrics: false });
  const octokit = hasGithubCredentials(github)
    ? createGithubOctokit({ github, log: logs.logger, retries: 0, throttle: false })
    : undefined;
  const reader = createBoardReader({
    octokit,
    github,
    logger: logs.logger,
    telemetry,
    fields: { ...boardFieldNames(github.fields), ...fields },
  });
  return { reader, logs, telemetry };
}

async function boardError(promise: Promise<unknown>): Promise<BoardError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BoardError);
  return err as BoardError;
}

const fieldsWithout = (...names: string[]): BoardFixtureField[] =>
  BOARD_FIXTURE_FIELDS.filter((f) => !names.includes(f.name));

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  nock.cleanAll();
  expect(takeGraphqlValidationErrors()).toEqual([]);
});

describe('GraphQL documents', () => {
  it.each(Object.entries(BOARD_GRAPHQL_DOCUMENTS))('%s validates against GitHub’s schema', (_name, doc) => {
    expect(() => assertValidGraphql(doc)).not.toThrow();
  });

  it('asks for 100 items a page, after a cursor, for an organization or a user', () => {
    expect(BOARD_ITEMS_QUERY).toMatch(/items\(first: 100, after: \$cursor\)/);
    expect(BOARD_ITEMS_QUERY).toMatch(/organization\(login: \$login\) @include\(if: \$isOrg\)/);
    expect(BOARD_ITEMS_QUERY).toMatch(/user\(login: \$login\) @skip\(if: \$isOrg\)/);
    expect(BOARD_ITEMS_QUERY).toMatch(/fields\(first: 50\) @include\(if: \$withFields\)/);
  });
});

describe('reading the whole board', () => {
  it('reads an empty board in one request', async () => {
    const fake = interceptBoard({ items: [] });
    const { reader } = setup();
    const snapshot = await reader.read();
    expect(snapshot).toEqual({
      title: 'Analytics requests',
      url: ORG_PROJECT,
      items: [],
      missingFields: [],
      requests: 1,
    });
    expect(fake.requests).toBe(1);
  });

  it('reads a one-item board, mapping the issue and its fields', async () => {
    const items = boardItems(2).slice(1); // index 1: Triage, a needed-by date, Necessity, one assignee
    const fake = interceptBoard({ items });
    const { reader } = setup();
    const snapshot = await reader.read();
    expect(snapshot.items).toEqual([expectedBoardItem(items[0]!)]);
    expect(snapshot.items[0]).toMatchObject({
      id: 'PVTI_item00002',
      status: 'Triage',
      necessity: 'Necessity',
      neededBy: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      issue: {
        number: 2,
        state: 'OPEN',
        author: 'grace',
        assignees: ['alan'],
        labels: ['data-request', 'dashboard'],
        url: 'https://github.com/acme/analytics/issues/2',
        closedAt: null,
      },
    });
    expect(snapshot.requests).toBe(1);
    expect(fake.requests).toBe(1);
  });

  it('reads 250 items in 3 pages, asking for the field list on the first only', async () => {
    const items = boardItems(250);
    const fake = interceptBoard({ items });
    const { reader, telemetry } = setup();
    const snapshot = await reader.read();
    expect(snapshot.items).toHaveLength(250);
    expect(snapshot.items).toEqual(items.map(expectedBoardItem));
    expect(snapshot.requests).toBe(3);
    expect(fake.requests).toBe(3);
    expect(fake.pages.map((p) => p.withFields)).toEqual([true, false, false]);
    expect(fake.pages[0]!.after).toBeNull();
    expect(new Set(fake.pages.map((p) => p.after)).size).toBe(3);
    expect(await telemetry.registry.metrics()).toMatch(/kind="graphql",outcome="ok"\} 3/);
  });

  it('reads 2,000 items in exactly 20 requests', async () => {
    const items = boardItems(2000);
    const fake = interceptBoard({ items });
    const { reader, logs } = setup();
    const started = performance.now();
    const snapshot = await reader.read();
    const ms = performance.now() - started;
    expect(snapshot.items).toHaveLength(2000);
    expect(snapshot.requests).toBe(20);
    expect(fake.requests).toBe(20);
    expect(new Set(snapshot.items.map((i) => i.id)).size).toBe(2000);
    expect(snapshot.items.map((i) => i.issue.number)).toEqual(items.map((i) => i.issue!.number));
    expect(snapshot.items.at(-1)).toEqual(expectedBoardItem(items.at(-1)!));
    const done = logs.lines.find((l) => l.msg === 'board read');
    expect(done).toMatchObject({ items: 2000, requests: 20 });
    console.info(`board reader: 2,000 items, 20 requests, ${Math.round(ms)} ms`);
  });

  it('covers every status, necessity, open and closed, set and unset dates', async () => {
    interceptBoard({ items: boardItems(60) });
    const { reader } = setup();
    const { items } = await reader.read();
    expect(new Set(items.map((i) => i.status))).toEqual(new Set([null, 'Triage', 'In progress', 'Done']));
    expect(new Set(items.map((i) => i.necessity))).toEqual(new Set([null, 'Necessity', 'Nice to have']));
    expect(new Set(items.map((i) => i.issue.state))).toEqual(new Set(['OPEN', 'CLOSED']));
    expect(items.some((i) => i.neededBy === null)).toBe(true);
    expect(items.some((i) => i.issue.author === null)).toBe(true);
    expect(items.filter((i) => i.issue.state === 'CLOSED').every((i) => i.issue.closedAt !== null)).toBe(true);
  });

  it('skips draft issues and pull requests, logging how many', async () => {
    const items = boardItems(40, { nonIssueEvery: 4 });
    const fake = interceptBoard({ items });
    const { reader, logs } = setup();
    const snapshot = await reader.read();
    expect(snapshot.items).toHaveLength(30);
    expect(snapshot.items).toEqual(items.filter((i) => i.type === 'Issue').map(expectedBoardItem));
    expect(fake.requests).toBe(1);
    const skipped = logs.lines.find((l) => /not issues skipped/.test(String(l.msg)));
    expect(skipped).toMatchObject({ level: 20, skippedCount: 10, skipped: { DraftIssue: 5, PullRequest: 5 } });
  });

  it('skips archived items', async () => {
    const items = boardItems(10).map((i, n) => (n < 3 ? { ...i, archived: true } : i));
    interceptBoard({ items });
    const { reader, logs } = setup();
    const snapshot = await reader.read();
    expect(snapshot.items.map((i) => i.id)).toEqual(items.slice(3).map((i) => i.id));
    expect(logs.lines.find((l) => /not issues skipped/.test(String(l.msg)))).toMatchObject({
      skipped: { archived: 3 },
    });
  });

  it('reads a user’s board', async () => {
    const items = boardItems(120);
    const fake = interceptBoard({ items, owner: 'user', login: 'ada', number: 5 });
    const { reader } = setup(githubConfig({ GITHUB_PROJECT_URL: USER_PROJECT }));
    const snapshot = await reader.read();
    expect(snapshot.url).toBe(USER_PROJECT);
    expect(snapshot.items).toHaveLength(120);
    expect(fake.calls[0]!.variables).toMatchObject({ login: 'ada', number: 5, isOrg: false });
  });

  it('reads twice from scratch', async () => {
    const fake = interceptBoard({ items: boardItems(150) });
    const { reader } = setup();
    const first = await reader.read();
    const second = await reader.read();
    expect(second).toEqual(first);
    expect(second.requests).toBe(2);
    expect(fake.requests).toBe(4);
  });
});

describe('field names', () => {
  it('matches field names case-insensitively', async () => {
    const fields: BoardFixtureField[] = [
      { name: 'STATUS', dataType: 'SINGLE_SELECT' },
      { name: 'needed BY', dataType: 'DATE' },
      { name: 'necessity', dataType: 'SINGLE_SELECT' },
    ];
    const items = boardItems(8, { fieldNames: { status: 'STATUS', neededBy: 'needed BY', necessity: 'necessity' } });
    interceptBoard({ items, fields });
    const { reader } = setup();
    const snapshot = await reader.read();
    expect(snapshot.missingFields).toEqual([]);
    expect(snapshot.items.map((i) => [i.status, i.neededBy, i.necessity])).toEqual(
      items.map((i) => [i.values.STATUS ?? null, i.values['needed BY'] ?? null, i.values.necessity ?? null]),
    );
  });

  it('falls back to Due date and Priority', async () => {
    const fields: BoardFixtureField[] = [
      { name: 'Status', dataType: 'SINGLE_SELECT' },
      { name: 'Due date', dataType: 'DATE' },
      { name: 'Priority', dataType: 'SINGLE_SELECT' },
    ];
    const items = boardItems(5, { fieldNames: { neededBy: 'Due date', necessity: 'Priority' } });
    interceptBoard({ items, fields });
    const { reader } = setup();
    const snapshot = await reader.read();
    expect(snapshot.missingFields).toEqual([]);
    expect(snapshot.items[1]).toMatchObject({ neededBy: items[1]!.values['Due date'], necessity: 'Necessity' });
  });

  it('takes the first configured name on the board, of the right type', async () => {
    const fields: BoardFixtureField[] = [
      { name: 'Status', dataType: 'SINGLE_SELECT' },
      { name: 'Deadline', dataType: 'TEXT' },
      { name: 'Due', dataType: 'DATE' },
      { name: 'Necessity', dataType: 'SINGLE_SELECT' },
    ];
    const items = boardItems(3, { fieldNames: { neededBy: 'Due' } });
    items[1]!.values.Deadline = 'soon';
    interceptBoard({ items, fields });
    const { reader } = setup(githubConfig(), { neededBy: ['Deadline', 'Due'] });
    const snapshot = await reader.read();
    expect(snapshot.items[1]!.neededBy).toBe(items[1]!.values.Due);
    expect(snapshot.missingFields).toEqual([]);
  });

  it('uses the configured field names (GITHUB_*_FIELD)', async () => {
    const fields: BoardFixtureField[] = [
      { name: 'Stage', dataType: 'SINGLE_SELECT' },
      { name: 'Wanted by', dataType: 'DATE' },
      { name: 'Importance', dataType: 'SINGLE_SELECT' },
    ];
    const items = boardItems(4, { fieldNames: { status: 'Stage', neededBy: 'Wanted by', necessity: 'Importance' } });
    interceptBoard({ items, fields });
    const github = githubConfig({
      GITHUB_STATUS_FIELD: 'Stage',
      GITHUB_NEEDED_BY_FIELD: 'Wanted by',
      GITHUB_NECESSITY_FIELD: 'Importance',
    });
    const { reader } = setup(github);
    const snapshot = await reader.read();
    expect(snapshot.missingFields).toEqual([]);
    expect(snapshot.items[1]).toMatchObject({ status: 'Triage', necessity: 'Necessity', neededBy: expect.any(String) });
  });

  it('reports fields missing from the board', async () => {
    const items = boardItems(10);
    interceptBoard({ items, fields: fieldsWithout('Needed by', 'Necessity') });
    const { reader, logs } = setup();
    const snapshot = await reader.read();
    expect(snapshot.missingFields).toEqual(['Needed by', 'Necessity']);
    expect(snapshot.items).toHaveLength(10);
    expect(snapshot.items.every((i) => i.neededBy === null && i.necessity === null)).toBe(true);
    expect(snapshot.items[1]!.status).toBe('Triage');
    expect(logs.lines.some((l) => l.msg === 'board fields not found')).toBe(true);
  });

  it('does not report a field that exists but is unset on every item', async () => {
    const items = boardItems(10).map((i) => ({ ...i, values: {} }));
    interceptBoard({ items });
    const { reader } = setup();
    const snapshot = await reader.read();
    expect(snapshot.missingFields).toEqual([]);
    expect(snapshot.items.every((i) => i.status === null && i.neededBy === null && i.necessity === null)).toBe(true);
  });

  it('reports a field of the wrong type as missing', async () => {
    const fields = [...fieldsWithout('Needed by'), { name: 'Needed by', dataType: 'TEXT' }];
    const items = boardItems(3);
    interceptBoard({ items, fields });
    const { reader } = setup();
    const snapshot = await reader.read();
    expect(snapshot.missingFields).toEqual(['Needed by']);
    expect(snapshot.items.every((i) => i.neededBy === null)).toBe(true);
  });
});

describe('failures', () => {
  it('a project that does not exist is not_found, naming the URL', async () => {
    interceptBoard({ items: boardItems(3), exists: false });
    const { reader, telemetry } = setup();
    const err = await boardError(reader.read());
    expect(err.kind).toBe('not_found');
    expect(err.message).toContain(ORG_PROJECT);
    expect(await telemetry.registry.metrics()).toMatch(/kind="graphql",outcome="not_found"\} 1/);
  });

  it('an organization URL for a user’s board is not_found', async () => {
    interceptBoard({ items: boardItems(3), owner: 'user', login: 'acme', number: 63 });
    const { reader } = setup();
    const err = await boardError(reader.read());
    expect(err.kind).toBe('not_found');
    expect(err.message).toContain(ORG_PROJECT);
  });

  it('a null project without errors is not_found', async () => {
    nock(GITHUB_TEST_API)
      .post('/graphql')
      .reply(200, { data: { organization: { projectV2: null } } });
    const { reader } = setup();
    const err = await boardError(reader.read());
    expect(err.kind).toBe('not_found');
    expect(err.message).toContain(ORG_PROJECT);
  });

  it('a token without read:project is forbidden, with the scope hint', async () => {
    interceptBoard({ items: boardItems(3), deny: 'INSUFFICIENT_SCOPES' });
    const { reader, telemetry, logs } = setup();
    const err = await boardError(reader.read());
    expect(err.kind).toBe('forbidden');
    expect(err.message).toBe(FORBIDDEN_MESSAGE);
    expect(err.message).toContain('read:project');
    expect(await telemetry.registry.metrics()).toMatch(/kind="graphql",outcome="forbidden"\} 1/);
    expect(logs.text()).not.toContain(TOKEN);
  });

  it('a GitHub App without Projects access is forbidden', async () => {
    interceptBoard({ items: boardItems(3), deny: 'FORBIDDEN' });
    const { reader } = setup();
    const err = await boardError(reader.read());
    expect(err.kind).toBe('forbidden');
    expect(err.message).toContain('GitHub App needs Projects read access');
  });

  it.each([401, 403])('HTTP %i is forbidden', async (status) => {
    interceptBoard({ items: boardItems(3), failPage: { page: 1, status } });
    const { reader } = setup();
    const err = await boardError(reader.read());
    expect(err.kind).toBe('forbidden');
    expect(err.message).toContain('read:project');
  });

  it('a 502 on page 3 of 5 fails the whole read as unavailable', async () => {
    const fake = interceptBoard({ items: boardItems(500), failPage: { page: 3, status: 502 } });
    const { reader, telemetry, logs } = setup();
    const err = await boardError(reader.read());
    expect(err.kind).toBe('unavailable');
    expect(err.message).toContain('502');
    expect(fake.requests).toBe(3);
    const metrics = await telemetry.registry.metrics();
    expect(metrics).toMatch(/kind="graphql",outcome="ok"\} 2/);
    expect(metrics).toMatch(/kind="graphql",outcome="server_error"\} 1/);
    expect(logs.lines.find((l) => l.msg === 'board read failed')).toMatchObject({ page: 3, requests: 3, status: 502 });
    expect(logs.lines.some((l) => l.msg === 'board read')).toBe(false);
  });

  it('a network failure is unavailable', async () => {
    nock(GITHUB_TEST_API).post('/graphql').replyWithError('socket hang up');
    const { reader } = setup();
    const err = await boardError(reader.read());
    expect(err.kind).toBe('unavailable');
  });

  it('a cursor that does not advance fails rather than looping', async () => {
    const page = {
      data: {
        organization: {
          projectV2: {
            title: 'Loop',
            url: ORG_PROJECT,
            fields: { nodes: [] },
            items: { pageInfo: { hasNextPage: true, endCursor: 'Y3Vyc29yOjE=' }, nodes: [] },
          },
        },
      },
    };
    nock(GITHUB_TEST_API).persist().post('/graphql').reply(200, page);
    const { reader } = setup();
    const err = await boardError(reader.read());
    expect(err.kind).toBe('unavailable');
  });

  it('without a project URL, a Projects URL or credentials it is unconfigured, asking GitHub nothing', async () => {
    const fake = interceptBoard({ items: boardItems(3) });
    const cases: Array<[Config['github'], RegExp]> = [
      [githubConfig({ GITHUB_PROJECT_URL: undefined }), /GITHUB_PROJECT_URL is not set/],
      [{ ...githubConfig(), projectUrl: 'https://github.com/acme/analytics' }, /not a Projects \(v2\) board URL/],
      [githubConfig({ GITHUB_TOKEN: undefined }), /no GitHub credentials/],
    ];
    for (const [github, message] of cases) {
      const { reader } = setup(github);
      const err = await boardError(reader.read());
      expect(err.kind).toBe('unconfigured');
      expect(err.message).toMatch(message);
    }
    expect(fake.requests).toBe(0);
  });
});
