/**
 * Closing the loop: signed GitHub deliveries, built from @octokit/webhooks-examples payloads about a request in the bot's
 * records, become messages in the request's Slack thread (and a DM when it is closed or done). GitHub's REST and
 * GraphQL APIs are intercepted; every GraphQL document is checked against GitHub's schema.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import nock from 'nock';
import { buildIssueDraft } from '../../src/github/issue-body.js';
import type { DataRequest } from '../../src/requests/data-request.js';
import { TEST_WEBHOOK_SECRET, tempDir } from '../helpers/config.js';
import { failing } from '../helpers/fake-warehouse.js';
import { GITHUB_TEST_API, GITHUB_TEST_ENV, interceptGraphql, takeGraphqlValidationErrors } from '../helpers/github.js';
import { blockNetwork, type SlackCall, startTestBot, TEST_NOW, type TestBot } from '../helpers/harness.js';

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are deep JSON, edited freely here
type Json = Record<string, any>;

const require = createRequire(import.meta.url);
const EXAMPLES = require('@octokit/webhooks-examples/api.github.com/index.json') as Array<{
  name: string;
  examples: Json[];
}>;

/** A deep copy of a real example payload (the n-th one with that action). */
function example(name: string, action: string, n = 0): Json {
  const found = EXAMPLES.find((e) => e.name === name)?.examples.filter((x) => x.action === action)[n];
  if (!found) throw new Error(`no ${name}.${action} example #${n} in @octokit/webhooks-examples`);
  return structuredClone(found);
}

const GITHUB_ENV = GITHUB_TEST_ENV;

const ISSUE_NUMBER = 42;
const ISSUE_URL = `https://github.com/acme/analytics/issues/${ISSUE_NUMBER}`;
const THREAD = '1700000000.000100';
const TITLE = 'Weekly actives by plan for the board deck';

const REQUEST: DataRequest = {
  key: '3f8a1c2e-5b7d-4e9f-8a6b-1c2d3e4f5a6b',
  title: TITLE,
  purpose: 'The Q1 board deck needs product usage by plan.',
  deliverable: 'A weekly line chart of WAU by plan over the last 6 months.',
  neededBy: '2026-12-15',
  necessity: 'necessity',
  stakeholders: [],
  sources: ['product_events'],
  sketches: [],
  requester: { id: 'U0ASKER', name: 'Ada Asker', teamId: 'T0TEST' },
  origin: { channelId: 'C0ANALYTICS', threadTs: THREAD, messageText: 'could we get WAU by plan?' },
  submittedAt: '2026-11-20T09:00:00Z',
};

const MARKED_BODY = buildIssueDraft(REQUEST).body;

/** Points an example's issue at the bot-filed request #42 (marker in the body). */
function markIssue(payload: Json, body: string | null = MARKED_BODY): Json {
  Object.assign(payload.issue, {
    number: ISSUE_NUMBER,
    title: TITLE,
    body,
    html_url: ISSUE_URL,
    url: `https://api.github.com/repos/acme/analytics/issues/${ISSUE_NUMBER}`,
    labels: [{ name: 'data-request' }, { name: 'necessity' }],
  });
  payload.repository = { ...payload.repository, name: 'analytics', full_name: 'acme/analytics' };
  return payload;
}

function closedPayload(): Json {
  // @octokit/webhooks-examples has no issues.closed example: adapt issues.reopened, as GitHub would send it.
  const payload = markIssue(example('issues', 'reopened'));
  payload.action = 'closed';
  Object.assign(payload.issue, {
    state: 'closed',
    closed_at: '2026-11-28T16:30:00Z',
    state_reason: 'completed',
  });
  return payload;
}

/** A user map like operators write: GitHub login → Slack user id. */
function writeUserMap(): string {
  const file = path.join(tempDir('analytics-bot-usermap-'), 'github-users.yml');
  writeFileSync(
    file,
    ['# GitHub login: Slack user id', 'Codertocat: U0ASKER', 'hand-filer: U0HAND', 'analyst-ann: U0ANALYST', ''].join(
      '\n',
    ),
  );
  return file;
}

const ITEM_NODE_ID = 'PVTI_lADOBoard63zgAAAAA';

let edits = 0;

/** The real projects_v2_item.edited example, pointed at an issue item; each edit has its own time, as on GitHub. */
function boardEditPayload(fieldNodeId: string): Json {
  const payload = example('projects_v2_item', 'edited');
  Object.assign(payload.projects_v2_item, {
    node_id: ITEM_NODE_ID,
    content_node_id: 'I_kwDOTest42',
    content_type: 'Issue',
    updated_at: new Date(Date.parse('2026-11-28T12:00:00Z') + ++edits * 1000).toISOString(),
  });
  payload.changes.field_value.field_node_id = fieldNodeId;
  return payload;
}

describe('GitHub webhook events close the loop', () => {
  let t: TestBot;
  let seq = 0;

  beforeAll(() => blockNetwork());
  afterEach(async () => {
    expect(t.violations).toEqual([]);
    expect(takeGraphqlValidationErrors()).toEqual([]);
    await t.stop();
  });

  /** A bot whose records say it filed request #42 (unless `filed: false`: the issue is then someone else's). */
  const start = async (env: Record<string, string | undefined> = {}, { filed = true } = {}) => {
    t = await startTestBot({
      env: { ...GITHUB_ENV, GITHUB_USER_MAP: writeUserMap(), ...env },
      // Webhooks never query the warehouse; skipping the DuckDB demo seed keeps the suite fast.
      warehouse: failing(new Error('webhook handling must not query the warehouse'), 'duckdb'),
    });
    if (filed) fileRequest();
    return t;
  };

  /** Stores request #42 in the outbox as filed, as the filer would have. */
  function fileRequest(): void {
    const now = TEST_NOW.getTime();
    t.deps.requests.outbox.save(REQUEST, now);
    t.deps.requests.outbox.markFiled(
      REQUEST.key,
      {
        number: ISSUE_NUMBER,
        url: ISSUE_URL,
        nodeId: 'I_kwDOTest42',
        existing: false,
        fieldsSet: [],
        fieldsMissing: [],
      },
      now,
    );
  }

  async function deliver(
    name: string,
    payload: Json,
    opts: { id?: string; signature?: string | null } = {},
  ): Promise<{ status: number; body: Json }> {
    const body = JSON.stringify(payload);
    const signature = opts.signature === undefined ? await sign(TEST_WEBHOOK_SECRET, body) : opts.signature;
    const res = await fetch(`${t.url}/github/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'GitHub-Hookshot/test',
        'x-github-event': name,
        'x-github-delivery': opts.id ?? `delivery-${++seq}`,
        ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
      },
      body,
    });
    const text = await res.text();
    await t.settle();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
  }

  const posts = () => t.callsTo('chat.postMessage');
  const threadPosts = () => posts().filter((c) => c.body.channel === 'C0ANALYTICS');
  const dmsTo = (user: string) => posts().filter((c) => c.body.channel === user);
  const textOf = (call: SlackCall) => {
    const blocks = (call.body.blocks ?? []) as Array<{ text?: { text?: string } }>;
    return [String(call.body.text), ...blocks.map((b) => b.text?.text ?? '')].join('\n');
  };

  function expectOneThreadMessage(): SlackCall {
    expect(threadPosts()).toHaveLength(1);
    const [post] = threadPosts();
    expect(post!.body.thread_ts).toBe(THREAD);
    expect(textOf(post!)).toContain(`#${ISSUE_NUMBER}`);
    expect(textOf(post!)).toContain(ISSUE_URL);
    return post!;
  }

  describe('issue events on requests the bot filed', () => {
    it('closed: tells the thread and DMs the requester, and records the state in the outbox', async () => {
      t = await start();
      const res = await deliver('issues', closedPayload());
      expect(res).toEqual({ status: 200, body: { ok: true } });

      const post = expectOneThreadMessage();
      expect(textOf(post)).toMatch(/closed by Codertocat/);
      expect(textOf(post)).not.toMatch(/not planned/);
      const dms = dmsTo('U0ASKER');
      expect(dms).toHaveLength(1);
      expect(dms[0]!.body.thread_ts).toBeUndefined();
      expect(textOf(dms[0]!)).toContain(ISSUE_URL);
      expect(posts()).toHaveLength(2);

      const row = t.deps.requests.outbox.get(REQUEST.key)!;
      expect(row.issueState).toBe('closed');
      expect(row.closedAt).toBe(Date.parse('2026-11-28T16:30:00Z'));
    });

    it('closed as not planned says so', async () => {
      t = await start();
      const payload = closedPayload();
      payload.issue.state_reason = 'not_planned';
      await deliver('issues', payload);
      expect(textOf(expectOneThreadMessage())).toMatch(/closed as not planned/);
      expect(dmsTo('U0ASKER')).toHaveLength(1);
    });

    it('reopened: a thread message only, and the outbox row is open again', async () => {
      t = await start();
      await deliver('issues', closedPayload());
      t.calls.length = 0;

      const res = await deliver('issues', markIssue(example('issues', 'reopened')));
      expect(res.status).toBe(200);
      expect(textOf(expectOneThreadMessage())).toMatch(/reopened/);
      expect(dmsTo('U0ASKER')).toEqual([]);
      expect(t.deps.requests.outbox.get(REQUEST.key)!.issueState).toBe('open');
    });

    it('assigned: a thread message naming the assignee', async () => {
      t = await start();
      const payload = markIssue(example('issues', 'assigned'));
      payload.assignee = { ...payload.assignee, login: 'analyst-ann' };
      await deliver('issues', payload);
      expect(textOf(expectOneThreadMessage())).toMatch(/analyst-ann is now assigned/);
      expect(posts()).toHaveLength(1);
    });

    it('labeled by a person: a thread message naming the label', async () => {
      t = await start();
      const payload = markIssue(example('issues', 'labeled'));
      payload.label = { ...payload.label, name: 'needs-review' };
      await deliver('issues', payload);
      expect(textOf(expectOneThreadMessage())).toContain('`needs-review`');
      expect(posts()).toHaveLength(1);
    });

    it.each(['data-request', 'necessity'])('labeled with the bot’s own label %s: nothing', async (name) => {
      t = await start();
      const payload = markIssue(example('issues', 'labeled'));
      payload.label = { ...payload.label, name };
      const res = await deliver('issues', payload);
      expect(res.status).toBe(200);
      expect(t.calls).toEqual([]);
    });

    it('labeled by a bot: nothing', async () => {
      t = await start();
      const payload = markIssue(example('issues', 'labeled'));
      payload.sender = { ...payload.sender, login: 'analytics-bot[bot]', type: 'Bot' };
      const res = await deliver('issues', payload);
      expect(res.status).toBe(200);
      expect(t.calls).toEqual([]);
    });

    it('falls back to a DM when the bot cannot post in the thread (not_in_channel)', async () => {
      t = await start();
      t.onSlackMethod('chat.postMessage', (b) =>
        b.thread_ts
          ? { body: { ok: false, error: 'not_in_channel' } }
          : { body: { ok: true, channel: b.channel, ts: '1700000001.000200' } },
      );
      const payload = markIssue(example('issues', 'assigned'));
      const res = await deliver('issues', payload);
      expect(res.status).toBe(200);
      expect(threadPosts()).toHaveLength(1); // tried, refused
      const dms = dmsTo('U0ASKER');
      expect(dms).toHaveLength(1);
      expect(textOf(dms[0]!)).toMatch(/is now assigned to/);
      expect(textOf(dms[0]!)).toContain(ISSUE_URL);
    });

    it('a closed request whose thread is unreachable is DMed once, not twice', async () => {
      t = await start();
      t.onSlackMethod('chat.postMessage', (b) =>
        b.thread_ts
          ? { body: { ok: false, error: 'not_in_channel' } }
          : { body: { ok: true, channel: b.channel, ts: '1700000001.000200' } },
      );
      await deliver('issues', closedPayload());
      expect(dmsTo('U0ASKER')).toHaveLength(1);
    });
  });

  describe('comments', () => {
    function commentPayload(login: string, body: string, type = 'User'): Json {
      const payload = markIssue(example('issue_comment', 'created'));
      payload.comment = { ...payload.comment, body, user: { ...payload.comment.user, login, type } };
      payload.sender = { ...payload.sender, login, type };
      return payload;
    }

    it('a comment by an analyst is quoted in the thread', async () => {
      t = await start();
      const res = await deliver(
        'issue_comment',
        commentPayload('analyst-ann', 'First draft is in the deck.\n\nCan you check the <plan> split & totals?'),
      );
      expect(res.status).toBe(200);
      const text = textOf(expectOneThreadMessage());
      expect(text).toContain('analyst-ann commented on');
      expect(text).toContain('> First draft is in the deck. Can you check the &lt;plan&gt; split &amp; totals?');
      expect(dmsTo('U0ASKER')).toEqual([]);
    });

    it('a long comment is clipped', async () => {
      t = await start();
      await deliver('issue_comment', commentPayload('analyst-ann', 'x'.repeat(5000)));
      const text = textOf(expectOneThreadMessage());
      expect(text).toContain(`> ${'x'.repeat(299)}…`);
      expect(text).not.toContain('x'.repeat(301));
    });

    it('a comment by the requester (mapped through GITHUB_USER_MAP) is not news to them', async () => {
      t = await start();
      const res = await deliver('issue_comment', commentPayload('Codertocat', 'Any update on this?'));
      expect(res.status).toBe(200);
      expect(t.calls).toEqual([]);
    });

    it('a comment by a bot: nothing', async () => {
      t = await start();
      const res = await deliver('issue_comment', commentPayload('github-actions[bot]', 'CI passed', 'Bot'));
      expect(res.status).toBe(200);
      expect(t.calls).toEqual([]);
    });
  });

  describe('board status (projects_v2_item.edited)', () => {
    const STATUS_FIELD_ID = 'PVTSSF_status';

    /** Answers ITEM_QUERY (schema-checked) with issue #42 and its current status, as GitHub would. */
    function interceptItem(
      status: () => string | null,
      content: { body?: string; author?: string | null; labels?: string[]; repository?: string; project?: string } = {},
    ) {
      return interceptGraphql(({ variables }) => {
        const name = status();
        const author = content.author === undefined ? 'Codertocat' : content.author;
        return {
          data: {
            node: {
              id: variables.itemId,
              project: { url: content.project ?? 'https://github.com/orgs/acme/projects/63' },
              status: name === null ? null : { name, field: { id: STATUS_FIELD_ID } },
              content: {
                number: ISSUE_NUMBER,
                title: TITLE,
                url: ISSUE_URL,
                body: content.body ?? MARKED_BODY,
                state: 'OPEN',
                author: author === null ? null : { login: author },
                repository: { nameWithOwner: content.repository ?? 'acme/analytics' },
                labels: { nodes: (content.labels ?? ['data-request']).map((name) => ({ name })) },
              },
            },
          },
        };
      });
    }

    it('posts the new status once, ignores edits that leave it unchanged, and DMs when done', async () => {
      t = await start();
      let status = 'In progress';
      const gql = interceptItem(() => status);

      const res = await deliver('projects_v2_item', boardEditPayload(STATUS_FIELD_ID));
      expect(res).toEqual({ status: 200, body: { ok: true } });
      expect(gql.calls).toHaveLength(1);
      expect(gql.calls[0]!.operation).toBe('query');
      expect(gql.calls[0]!.rootFields).toEqual(['node']);
      expect(gql.calls[0]!.variables).toEqual({ itemId: ITEM_NODE_ID, statusField: 'Status' });
      expect(textOf(expectOneThreadMessage())).toContain('moved to *In progress*');
      expect(dmsTo('U0ASKER')).toEqual([]);
      expect(t.deps.requests.outbox.get(REQUEST.key)!.boardStatus).toBe('In progress');

      // Another single-select field (Necessity) changed: same status, nothing new to say.
      t.calls.length = 0;
      await deliver('projects_v2_item', boardEditPayload('PVTSSF_necessity'));
      expect(gql.calls).toHaveLength(2);
      expect(t.calls).toEqual([]);

      // The status set again to the same value (a new delivery id): the outbox knows it already.
      await deliver('projects_v2_item', boardEditPayload(STATUS_FIELD_ID));
      expect(gql.calls).toHaveLength(3);
      expect(t.calls).toEqual([]);

      status = 'Done';
      await deliver('projects_v2_item', boardEditPayload(STATUS_FIELD_ID));
      expect(textOf(expectOneThreadMessage())).toContain('moved to *Done*');
      const dms = dmsTo('U0ASKER');
      expect(dms).toHaveLength(1);
      expect(textOf(dms[0]!)).toContain('moved to *Done*');
      expect(t.deps.requests.outbox.get(REQUEST.key)!.boardStatus).toBe('Done');
    });

    it('a hand-filed issue moving on the board is DMed to its author (GITHUB_USER_MAP)', async () => {
      t = await start({}, { filed: false });
      interceptItem(() => 'In progress', { body: 'Churn by cohort, please.', author: 'hand-filer' });
      const res = await deliver('projects_v2_item', boardEditPayload(STATUS_FIELD_ID));
      expect(res.status).toBe(200);
      expect(threadPosts()).toEqual([]);
      const dms = dmsTo('U0HAND');
      expect(dms).toHaveLength(1);
      expect(textOf(dms[0]!)).toContain('moved to *In progress*');

      // With no outbox row to remember the status by, another select field's edit must still say nothing.
      t.calls.length = 0;
      await deliver('projects_v2_item', boardEditPayload('PVTSSF_necessity'));
      expect(t.calls).toEqual([]);
    });

    it('a hand-filed issue whose author is unknown (deleted account) is ignored', async () => {
      t = await start({}, { filed: false });
      const gql = interceptItem(() => 'In progress', { body: 'No marker here.', author: null });
      const res = await deliver('projects_v2_item', boardEditPayload(STATUS_FIELD_ID));
      expect(res).toEqual({ status: 200, body: { ok: true } });
      expect(gql.calls).toHaveLength(1);
      expect(t.calls).toEqual([]);
    });

    it('an edit of a non-select field (a date) does not query GitHub', async () => {
      t = await start();
      const gql = interceptItem(() => 'In progress');
      const payload = boardEditPayload('PVTF_needed_by');
      payload.changes.field_value.field_type = 'date';
      const res = await deliver('projects_v2_item', payload);
      expect(res.status).toBe(200);
      expect(gql.calls).toEqual([]);
      expect(t.calls).toEqual([]);
    });

    it('an item without a status says nothing', async () => {
      t = await start();
      interceptItem(() => null);
      const res = await deliver('projects_v2_item', boardEditPayload(STATUS_FIELD_ID));
      expect(res.status).toBe(200);
      expect(t.calls).toEqual([]);
    });

    it('a draft issue (the real example payload) is ignored without a GraphQL call', async () => {
      t = await start();
      const gql = interceptItem(() => 'In progress');
      const payload = example('projects_v2_item', 'edited');
      expect(payload.projects_v2_item.content_type).toBe('DraftIssue');
      const res = await deliver('projects_v2_item', payload);
      expect(res).toEqual({ status: 200, body: { ok: true } });
      expect(gql.calls).toEqual([]);
      expect(t.calls).toEqual([]);
    });
  });

  describe('issues filed by hand (no marker)', () => {
    function handFiled(login: string): Json {
      const payload = markIssue(example('issues', 'labeled'), 'We need churn by cohort for the offsite.');
      payload.issue.user = { ...payload.issue.user, login };
      payload.label = { ...payload.label, name: 'in-review' };
      return payload;
    }

    it('an author in GITHUB_USER_MAP gets a DM', async () => {
      t = await start({}, { filed: false });
      const res = await deliver('issues', handFiled('Hand-Filer')); // logins are case-insensitive
      expect(res.status).toBe(200);
      expect(threadPosts()).toEqual([]);
      const dms = dmsTo('U0HAND');
      expect(dms).toHaveLength(1);
      expect(textOf(dms[0]!)).toContain('`in-review`');
      expect(posts()).toHaveLength(1);
    });

    it('an unknown author is found by their public GitHub email through users.lookupByEmail', async () => {
      t = await start({}, { filed: false });
      const github = nock(GITHUB_TEST_API)
        .get('/users/email-person')
        .reply(200, { login: 'email-person', id: 99, type: 'User', email: 'ep@example.com' });
      t.onSlackMethod('users.lookupByEmail', (b) => ({
        body:
          b.email === 'ep@example.com'
            ? { ok: true, user: { id: 'U0EMAIL' } }
            : { ok: false, error: 'users_not_found' },
      }));
      const res = await deliver('issues', handFiled('email-person'));
      expect(res.status).toBe(200);
      expect(github.isDone()).toBe(true);
      expect(t.callsTo('users.lookupByEmail').map((c) => c.body.email)).toEqual(['ep@example.com']);
      expect(dmsTo('U0EMAIL')).toHaveLength(1);
      expect(posts()).toHaveLength(1);
    });

    it('an email Slack does not know is ignored', async () => {
      t = await start({}, { filed: false });
      nock(GITHUB_TEST_API).get('/users/stranger').reply(200, { login: 'stranger', email: 's@elsewhere.example' });
      t.onSlackMethod('users.lookupByEmail', () => ({ body: { ok: false, error: 'users_not_found' } }));
      const res = await deliver('issues', handFiled('stranger'));
      expect(res).toEqual({ status: 200, body: { ok: true } });
      expect(posts()).toEqual([]);
    });

    it('an unknown author without a public email is ignored with 200', async () => {
      t = await start({}, { filed: false });
      const github = nock(GITHUB_TEST_API)
        .get('/users/nobody-known')
        .reply(200, { login: 'nobody-known', id: 100, type: 'User', email: null });
      const res = await deliver('issues', handFiled('nobody-known'));
      expect(res).toEqual({ status: 200, body: { ok: true } });
      expect(github.isDone()).toBe(true);
      expect(t.calls).toEqual([]);
    });
  });

  describe('delivery handling', () => {
    it('processes a redelivery of a delivery whose handling failed', async () => {
      t = await start();
      t.onSlackMethod('chat.postMessage', () => ({ status: 500, body: 'upstream down' }));
      const failed = await deliver('issues', closedPayload(), { id: 'delivery-retry-1' });
      expect(failed.status).toBe(500);
      t.onSlackMethod('chat.postMessage', (b) => ({ body: { ok: true, channel: b.channel, ts: '1.000200' } }));
      const again = await deliver('issues', closedPayload(), { id: 'delivery-retry-1' });
      expect(again).toEqual({ status: 200, body: { ok: true } });
    });

    it('a redelivered delivery id is acknowledged as a duplicate and posts nothing more', async () => {
      t = await start();
      const payload = markIssue(example('issues', 'reopened'));
      const first = await deliver('issues', payload, { id: 'same-delivery' });
      const second = await deliver('issues', payload, { id: 'same-delivery' });
      expect(first).toEqual({ status: 200, body: { ok: true } });
      expect(second).toEqual({ status: 200, body: { ok: true, duplicate: true } });
      expect(posts()).toHaveLength(1);
    });

    it.each([
      ['a wrong signature', async (body: string) => sign('not-the-secret', body)],
      ['a missing signature', async () => null],
    ])('%s gets 401 with no side effect', async (_what, signature) => {
      t = await start();
      const payload = closedPayload();
      const res = await deliver('issues', payload, {
        id: 'd-unsigned',
        signature: await signature(JSON.stringify(payload)),
      });
      expect(res.status).toBe(401);
      expect(t.calls).toEqual([]);
      expect(t.deps.requests.outbox.get(REQUEST.key)!.issueState).toBeNull();

      // The refused delivery did not use up its id: the genuine one still goes through.
      const genuine = await deliver('issues', payload, { id: 'd-unsigned' });
      expect(genuine).toEqual({ status: 200, body: { ok: true } });
      expect(dmsTo('U0ASKER')).toHaveLength(1);
    });

    it.each([
      ['star', 'created'],
      ['issues', 'opened'],
      ['issue_comment', 'deleted'],
    ])('an irrelevant event (%s.%s) gets 200 and is ignored quietly', async (name, action) => {
      t = await start();
      const payload = example(name, action);
      if (payload.issue) markIssue(payload);
      const res = await deliver(name, payload);
      expect(res).toEqual({ status: 200, body: { ok: true } });
      expect(t.calls).toEqual([]);
      expect(t.logs.lines.filter((l) => Number(l.level) >= 40)).toEqual([]);
    });
  });

  describe('forged and replayed deliveries: the destination comes only from the bot’s records', () => {
    /** A marker as an attacker would write it: the real format, pointed at someone else. */
    const forgedMarker = (to: { requester: string; channel?: string; thread?: string }) =>
      `Please look.\n\n<!-- analytics-bot:request ${JSON.stringify({ v: 1, key: REQUEST.key, ...to })} -->`;
    const VICTIM = { requester: 'U0VICTIM', channel: 'C0GENERAL', thread: '1700000999.000100' };

    /** The bot must not have said anything to Slack at all (every Web API call is recorded at the wire by nock). */
    const expectNoSlackCall = () => {
      expect(t.calls).toEqual([]);
      expect(t.responses).toEqual([]);
    };

    it('an edited marker on a bot-filed issue does not redirect: the request’s own requester and thread hear it', async () => {
      t = await start();
      const payload = closedPayload();
      payload.issue.body = forgedMarker(VICTIM);
      const res = await deliver('issues', payload);
      expect(res.status).toBe(200);
      const channels = posts().map((c) => c.body.channel);
      expect(channels.sort()).toEqual(['C0ANALYTICS', 'U0ASKER']);
      expect(JSON.stringify(t.calls)).not.toMatch(/U0VICTIM|C0GENERAL|1700000999/);
      expect(expectOneThreadMessage().body.thread_ts).toBe(THREAD);
    });

    it.each([
      ['closed', () => closedPayload()],
      ['assigned', () => markIssue(example('issues', 'assigned'))],
    ])(
      'a marker copied into an issue the bot did not file (%s, no data-request label): no Slack call',
      async (_a, make) => {
        t = await start();
        const payload = make();
        payload.issue.number = 99;
        payload.issue.body = forgedMarker(VICTIM);
        payload.issue.labels = [];
        payload.issue.user = { ...payload.issue.user, login: 'hand-filer' }; // even a mapped author
        expect((await deliver('issues', payload)).status).toBe(200);
        expectNoSlackCall();
      },
    );

    it('a marker copied into a labelled hand-filed issue reaches only its author, never the marker’s target', async () => {
      t = await start();
      const payload = closedPayload();
      payload.issue.number = 99;
      payload.issue.body = forgedMarker(VICTIM);
      payload.issue.user = { ...payload.issue.user, login: 'hand-filer' };
      expect((await deliver('issues', payload)).status).toBe(200);
      expect(posts().map((c) => c.body.channel)).toEqual(['U0HAND']);
      expect(JSON.stringify(t.calls)).not.toMatch(/U0VICTIM|C0GENERAL|U0ASKER/);
    });

    it.each([
      ['another repository (same issue number as ours)', 'evil/analytics'],
      ['a fork with the same name', 'acme-fork/analytics'],
    ])('a delivery for %s: no Slack call, and our records are untouched', async (_what, fullName) => {
      t = await start();
      const payload = closedPayload();
      payload.repository.full_name = fullName;
      expect((await deliver('issues', payload)).status).toBe(200);
      const comment = markIssue(example('issue_comment', 'created'));
      comment.repository.full_name = fullName;
      comment.comment.user = { ...comment.comment.user, login: 'analyst-ann', type: 'User' };
      expect((await deliver('issue_comment', comment)).status).toBe(200);
      expectNoSlackCall();
      expect(t.deps.requests.outbox.get(REQUEST.key)!.issueState).toBeNull();
    });

    it('an unlabelled hand-filed issue by a mapped author: no Slack call', async () => {
      t = await start({}, { filed: false });
      const payload = markIssue(example('issues', 'assigned'), 'We need churn by cohort.');
      payload.issue.labels = [{ name: 'bug' }];
      payload.issue.user = { ...payload.issue.user, login: 'hand-filer' };
      expect((await deliver('issues', payload)).status).toBe(200);
      expectNoSlackCall();
    });

    it('a board event from another project: no Slack call', async () => {
      t = await start();
      const gql = interceptGraphql(({ variables }) => ({
        data: {
          node: {
            id: variables.itemId,
            project: { url: 'https://github.com/orgs/acme/projects/7' },
            status: { name: 'Done', field: { id: 'PVTSSF_status' } },
            content: {
              number: ISSUE_NUMBER,
              title: TITLE,
              url: ISSUE_URL,
              body: MARKED_BODY,
              state: 'OPEN',
              author: { login: 'Codertocat' },
              repository: { nameWithOwner: 'acme/analytics' },
              labels: { nodes: [{ name: 'data-request' }] },
            },
          },
        },
      }));
      expect((await deliver('projects_v2_item', boardEditPayload('PVTSSF_status'))).status).toBe(200);
      expect(gql.calls).toHaveLength(1);
      expectNoSlackCall();
      expect(t.deps.requests.outbox.get(REQUEST.key)!.boardStatus).toBeNull();
    });

    it('a captured delivery replayed under a new delivery id: no Slack call', async () => {
      t = await start();
      const payload = closedPayload();
      expect((await deliver('issues', payload, { id: 'genuine-1' })).status).toBe(200);
      t.calls.length = 0;
      const replay = await deliver('issues', payload, { id: 'replayed-2' });
      expect(replay).toEqual({ status: 200, body: { ok: true, duplicate: true } });
      expectNoSlackCall();
    });

    it('a delivery is recorded as handled only after its handlers finish (a crash mid-handler is redelivered)', async () => {
      t = await start();
      let recordedWhilePosting: boolean | undefined;
      t.onSlackMethod('chat.postMessage', (b) => {
        recordedWhilePosting ??= t.deps.webhookDeliveries.handled('crash-1');
        return { body: { ok: true, channel: b.channel, ts: '1700000001.000200' } };
      });
      await deliver('issues', markIssue(example('issues', 'reopened')), { id: 'crash-1' });
      expect(recordedWhilePosting).toBe(false);
      expect(t.deps.webhookDeliveries.handled('crash-1')).toBe(true);
    });
  });
});
