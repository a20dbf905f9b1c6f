/**
 * Property-based, through the real app at the wire: signed GitHub deliveries with hostile titles, bodies (forged
 * markers included), comments, labels and logins. For the request the bot filed, every Slack call goes only to that
 * request's thread or requester and carries no live mention or disguised link; for other repositories and issues
 * the bot did not file (unlabelled), there is no Slack call at all. Nothing makes the handler fail.
 */
import { createRequire } from 'node:module';
import { sign } from '@octokit/webhooks-methods';
import fc from 'fast-check';
import type { DataRequest } from '../../src/requests/data-request.js';
import { TEST_WEBHOOK_SECRET } from '../helpers/config.js';
import { failing } from '../helpers/fake-warehouse.js';
import { GITHUB_TEST_ENV } from '../helpers/github.js';
import { blockNetwork, startTestBot, TEST_NOW, type TestBot } from '../helpers/harness.js';
import { hostileName, hostileText, liveSequences } from './arbitraries.js';

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are deep JSON, edited freely here
type Json = Record<string, any>;

const require = createRequire(import.meta.url);
const EXAMPLES = require('@octokit/webhooks-examples/api.github.com/index.json') as Array<{
  name: string;
  examples: Json[];
}>;
const example = (name: string, action: string): Json =>
  structuredClone(EXAMPLES.find((e) => e.name === name)!.examples.find((x) => x.action === action)!);

const ISSUE = 42;
const ISSUE_URL = `https://github.com/acme/analytics/issues/${ISSUE}`;
const THREAD = '1700000000.000100';
const REQUEST: DataRequest = {
  key: '3f8a1c2e-5b7d-4e9f-8a6b-1c2d3e4f5a6b',
  title: 'Weekly actives by plan',
  purpose: 'Board deck.',
  deliverable: 'A chart.',
  neededBy: '2026-12-15',
  necessity: 'necessity',
  stakeholders: [],
  sources: [],
  sketches: [],
  requester: { id: 'U0ASKER', name: 'Ada', teamId: 'T0TEST' },
  origin: { channelId: 'C0ANALYTICS', threadTs: THREAD },
  submittedAt: '2026-11-20T09:00:00Z',
};

const eventArb = fc.constantFrom(
  ['issues', 'closed'],
  ['issues', 'reopened'],
  ['issues', 'assigned'],
  ['issues', 'labeled'],
  ['issue_comment', 'created'],
);

const contentArb = fc.record({
  event: eventArb,
  title: hostileName(),
  body: hostileText(),
  comment: hostileText(),
  label: hostileName(50),
  login: hostileName(40),
  sender: hostileName(40),
  updated: fc.nat(),
});

type Content = typeof contentArb extends fc.Arbitrary<infer T> ? T : never;

function payloadFor(c: Content, issue: { number: number; repository: string; labels: string[] }): [string, Json] {
  const [name, action] = c.event as [string, string];
  const base = name === 'issues' && action === 'closed' ? example('issues', 'reopened') : example(name, action);
  base.action = action;
  Object.assign(base.issue, {
    number: issue.number,
    title: c.title,
    body: c.body,
    html_url: `https://github.com/${issue.repository}/issues/${issue.number}`,
    labels: issue.labels.map((n) => ({ name: n })),
    updated_at: new Date(TEST_NOW.getTime() + c.updated).toISOString(),
    user: { ...base.issue.user, login: c.login },
  });
  base.repository = { ...base.repository, full_name: issue.repository };
  base.sender = { ...base.sender, login: c.sender, type: 'User' };
  if (name === 'issues' && action === 'labeled') base.label = { ...base.label, name: c.label };
  if (name === 'issues' && action === 'assigned') base.assignee = { ...base.assignee, login: c.login };
  if (name === 'issue_comment') {
    base.comment = { ...base.comment, body: c.comment, user: { ...base.comment.user, login: c.sender, type: 'User' } };
  }
  return [name, base];
}

describe('property: forged, replayed and hostile webhooks', () => {
  let t: TestBot;
  let seq = 0;

  beforeAll(async () => {
    blockNetwork();
    t = await startTestBot({
      env: GITHUB_TEST_ENV,
      warehouse: failing(new Error('webhooks never query the warehouse'), 'duckdb'),
    });
    const now = TEST_NOW.getTime();
    t.deps.requests.outbox.save(REQUEST, now);
    t.deps.requests.outbox.markFiled(
      REQUEST.key,
      { number: ISSUE, url: ISSUE_URL, nodeId: 'I_42', existing: false, fieldsSet: [], fieldsMissing: [] },
      now,
    );
  });
  afterAll(async () => {
    expect(t.violations).toEqual([]);
    await t.stop();
  });

  async function deliver(name: string, payload: Json): Promise<number> {
    const body = JSON.stringify(payload);
    const res = await fetch(`${t.url}/github/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': name,
        'x-github-delivery': `fuzz-${++seq}`,
        'x-hub-signature-256': await sign(TEST_WEBHOOK_SECRET, body),
      },
      body,
    });
    await res.text();
    await t.settle();
    return res.status;
  }

  it('events on the request the bot filed reach only its thread or requester, inert', async () => {
    let posted = 0;
    await fc.assert(
      fc.asyncProperty(contentArb, async (c) => {
        t.calls.length = 0;
        const [name, payload] = payloadFor(c, { number: ISSUE, repository: 'acme/analytics', labels: [] });
        expect(await deliver(name, payload)).toBe(200);
        for (const call of t.calls.filter((x) => x.method === 'chat.postMessage')) {
          posted++;
          const where = `${call.body.channel}/${call.body.thread_ts ?? ''}`;
          expect([`C0ANALYTICS/${THREAD}`, 'U0ASKER/']).toContain(where);
          expect(liveSequences(call.body, [ISSUE_URL])).toEqual([]);
        }
        expect(t.calls.filter((x) => x.method !== 'chat.postMessage' && x.method !== 'users.lookupByEmail')).toEqual(
          [],
        );
      }),
      { numRuns: 60 },
    );
    // The property above only speaks about posts that happened: some must have.
    expect(posted).toBeGreaterThan(0);
  });

  it('other repositories, and issues the bot did not file without the data-request label: no Slack call', async () => {
    const forgedArb = fc.record({
      content: contentArb,
      repository: fc.oneof(
        fc.constant('acme/analytics'),
        fc.constantFrom('evil/analytics', 'acme/analytics-fork', 'ACME/analytics.git'),
        fc.stringMatching(/^[a-z0-9-]{1,12}\/[a-z0-9.-]{1,12}$/),
      ),
      number: fc.integer({ min: 1, max: 100_000 }),
      labels: fc.array(fc.constantFrom('bug', 'necessity', 'nice-to-have', 'question'), { maxLength: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(forgedArb, async (f) => {
        // Our own request's number is fair game only in another repository.
        fc.pre(f.repository.toLowerCase() !== 'acme/analytics' || f.number !== ISSUE);
        t.calls.length = 0;
        const [name, payload] = payloadFor(f.content, { number: f.number, repository: f.repository, labels: f.labels });
        expect(await deliver(name, payload)).toBe(200);
        expect(t.calls).toEqual([]);
        expect(t.responses).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
