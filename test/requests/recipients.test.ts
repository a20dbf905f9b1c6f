import { WebClient } from '@slack/web-api';
import nock from 'nock';
import { createGitHub } from '../../src/github/create-github.js';
import { createRecipientFinder } from '../../src/requests/recipients.js';
import { createTelemetry } from '../../src/telemetry.js';
import { testConfig } from '../helpers/config.js';
import { GITHUB_TEST_API, GITHUB_TEST_ENV } from '../helpers/github.js';
import { captureLogs } from '../helpers/logs.js';

const SLACK_API = 'http://slack.test';

/** A finder over no filed requests, a fake public-email port, and Slack's users.lookupByEmail at the wire. */
function setup(emails: Record<string, string | null>, slackAnswer: (email: string) => nock.ReplyBody) {
  const emailLookups: string[] = [];
  const slackLookups: string[] = [];
  nock(SLACK_API)
    .persist()
    .post('/api/users.lookupByEmail')
    .reply((_uri, body) => {
      const email = new URLSearchParams(String(body)).get('email') ?? '';
      slackLookups.push(email);
      return [200, slackAnswer(email)];
    });
  const finder = createRecipientFinder({
    outbox: { findByIssue: () => undefined },
    userMap: { mapped: 'U0MAPPED' },
    slack: new WebClient('xoxb-test', { slackApiUrl: `${SLACK_API}/api/`, retryConfig: { retries: 0 } }),
    publicEmail: async (login) => {
      emailLookups.push(login);
      return emails[login] ?? null;
    },
  });
  return { finder, emailLookups, slackLookups };
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

describe('GitHub login → Slack user', () => {
  it('looks a login up once: a comment event’s two questions and later events reuse it', async () => {
    const { finder, emailLookups, slackLookups } = setup({ Ada: 'ada@example.com' }, () => ({
      ok: true,
      user: { id: 'U0ADA' },
    }));
    const event = { labels: ['data-request'], author: 'Ada' };
    // Whom to tell about a comment on Ada's hand-filed issue, then whether the comment is Ada's own.
    await expect(finder.recipientFor('acme/analytics', 7, event)).resolves.toEqual({ dest: { slackUser: 'U0ADA' } });
    await expect(finder.slackUserFor('ada')).resolves.toBe('U0ADA');
    await expect(Promise.all([finder.slackUserFor('Ada'), finder.slackUserFor('ADA')])).resolves.toEqual([
      'U0ADA',
      'U0ADA',
    ]);
    expect(emailLookups).toEqual(['Ada']);
    expect(slackLookups).toEqual(['ada@example.com']);
  });

  it('keeps a definite miss, but asks again after a failed lookup', async () => {
    let slackDown = true;
    const { finder, slackLookups } = setup({ grace: 'grace@example.com', nobody: null }, () =>
      slackDown ? { ok: false, error: 'ratelimited' } : { ok: true, user: { id: 'U0GRACE' } },
    );
    await expect(finder.slackUserFor('grace')).resolves.toBeUndefined();
    slackDown = false;
    await expect(finder.slackUserFor('grace')).resolves.toBe('U0GRACE');
    expect(slackLookups).toEqual(['grace@example.com', 'grace@example.com']);

    await expect(finder.slackUserFor('nobody')).resolves.toBeUndefined();
    await expect(finder.slackUserFor('nobody')).resolves.toBeUndefined();
    expect(slackLookups).toHaveLength(2);
  });

  it('GITHUB_USER_MAP answers without asking anyone', async () => {
    const { finder, emailLookups, slackLookups } = setup({}, () => ({ ok: false, error: 'users_not_found' }));
    await expect(finder.slackUserFor('Mapped')).resolves.toBe('U0MAPPED');
    expect([emailLookups, slackLookups]).toEqual([[], []]);
  });

  it('a GitHub failure on the email lookup is asked again, not remembered as "no Slack user" (GitHub at the wire)', async () => {
    const { items } = await createGitHub(
      testConfig(GITHUB_TEST_ENV),
      { logger: captureLogs().logger, telemetry: createTelemetry({ defaultMetrics: false }), clock: () => new Date() },
      { retries: 0, throttle: false },
    );
    const userLookups: number[] = [];
    nock(GITHUB_TEST_API)
      .get('/users/grace')
      .reply(() => {
        userLookups.push(502);
        return [502, { message: 'Server Error' }];
      })
      .get('/users/grace')
      .reply(() => {
        userLookups.push(200);
        return [200, { login: 'grace', email: 'grace@example.com' }];
      });
    nock(SLACK_API)
      .post('/api/users.lookupByEmail')
      .reply(200, { ok: true, user: { id: 'U0GRACE' } });
    const finder = createRecipientFinder({
      outbox: { findByIssue: () => undefined },
      userMap: {},
      slack: new WebClient('xoxb-test', { slackApiUrl: `${SLACK_API}/api/`, retryConfig: { retries: 0 } }),
      publicEmail: (login) => items.publicEmail(login),
    });
    await expect(finder.slackUserFor('grace')).resolves.toBeUndefined();
    await expect(finder.slackUserFor('grace')).resolves.toBe('U0GRACE');
    expect(userLookups).toEqual([502, 200]);
  });
});
