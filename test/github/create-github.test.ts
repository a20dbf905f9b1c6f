import { generateKeyPairSync } from 'node:crypto';
import nock from 'nock';
import { createGitHub } from '../../src/github/create-github.js';
import { createTelemetry } from '../../src/telemetry.js';
import { testConfig } from '../helpers/config.js';
import { fakeRepo, GITHUB_TEST_API, interceptGraphql, takeGraphqlValidationErrors } from '../helpers/github.js';
import { captureLogs } from '../helpers/logs.js';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const APP = {
  GITHUB_APP_ID: '1234',
  GITHUB_APP_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  GITHUB_APP_INSTALLATION_ID: '4242',
};
const ENV = {
  GITHUB_API_URL: GITHUB_TEST_API,
  GITHUB_REPOSITORY: 'acme/analytics',
  GITHUB_PROJECT_URL: 'https://github.com/orgs/acme/projects/63',
};

/** The board (empty) and any board item (gone) over GraphQL, noting when each request arrived. */
function fakeGraphql() {
  const arrivals: number[] = [];
  const fake = interceptGraphql((_body, call) => {
    arrivals.push(performance.now());
    if (call.rootFields.includes('node')) return { data: { node: null } };
    return {
      data: {
        organization: {
          projectV2: {
            title: 'Analytics requests',
            url: ENV.GITHUB_PROJECT_URL,
            fields: { nodes: [] },
            items: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] },
          },
        },
      },
    };
  });
  return { ...fake, arrivals };
}

function gitHub(env: Record<string, string>, client: { throttle?: boolean } = {}) {
  const logs = captureLogs();
  const deps = { logger: logs.logger, telemetry: createTelemetry({ defaultMetrics: false }), clock: () => new Date() };
  return createGitHub(testConfig({ ...ENV, ...env }), deps, { retries: 0, throttle: false, ...client });
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  nock.cleanAll();
  expect(takeGraphqlValidationErrors()).toEqual([]);
});

describe('one GitHub client per process', () => {
  it('the tracker, the board reader and the item lookup share one GitHub App installation token', async () => {
    let tokenRequests = 0;
    nock(GITHUB_TEST_API)
      .persist()
      .post('/app/installations/4242/access_tokens')
      .reply(() => {
        tokenRequests++;
        return [201, { token: 'ghs_shared0token', expires_at: new Date(Date.now() + 3600_000).toISOString() }];
      });
    const repo = fakeRepo();
    const graphql = fakeGraphql();
    const github = await gitHub(APP);

    const request = { key: 'k-1', submittedAt: new Date().toISOString() } as Parameters<
      typeof github.tracker.findFiled
    >[0];
    await expect(github.tracker.findFiled(request)).resolves.toBeUndefined();
    await expect(github.board.read()).resolves.toMatchObject({ items: [], requests: 1 });
    await expect(github.items.item('PVTI_gone')).resolves.toBeNull();

    expect(tokenRequests).toBe(1);
    expect(repo.authorizations).toEqual(['token ghs_shared0token']);
    expect(graphql.calls.map((c) => c.rootFields)).toEqual([['organization', 'user'], ['node']]);
  });

  it('GraphQL calls from the board reader and the item lookup are spaced by the throttle, not concurrent', async () => {
    const graphql = fakeGraphql();
    const github = await gitHub({ GITHUB_TOKEN: 'ghp_throttled' }, { throttle: true });

    await Promise.all([github.board.read(), github.items.item('PVTI_gone')]);

    expect(graphql.arrivals).toHaveLength(2);
    // GitHub asks integrations to space mutations and GraphQL calls about a second apart. Arrivals are timed where
    // nock replies, so a busy machine shaves some of the second off; concurrent calls would arrive milliseconds apart.
    expect(graphql.arrivals[1]! - graphql.arrivals[0]!).toBeGreaterThanOrEqual(500);
  });

  it('without credentials the embedded board serves filing and the digest, and the lookup asks GitHub nothing', async () => {
    const github = await gitHub({});
    expect(github.local).toBeDefined();
    expect(github.tracker).toBe(github.local);
    expect(github.board).toBe(github.local);
    await expect(github.items.item('PVTI_any')).resolves.toBeNull();
  });
});
