/**
 * App Home and `/analytics my`: a person's open and recently closed data requests, with status, needed-by and
 * links, the "Request data" and "Browse metrics" buttons, and how the team works. Every view and message the app
 * sends is checked against Slack's Block Kit limits.
 */
import type { DataRequest } from '../../src/requests/data-request.js';
import { OPEN_DATA_REQUEST_ACTION } from '../../src/views/metric-answer.js';
import { BROWSE_METRICS_ACTION } from '../../src/views/my-requests.js';
import { failing } from '../helpers/fake-warehouse.js';
import { blockNetwork, shippedCatalog, startTestBot, TEST_NOW, type TestBot } from '../helpers/harness.js';
import { eventEnvelope, interactivity, slashCommand } from '../helpers/slack.js';

type Json = Record<string, unknown>;

const DAY = 86_400_000;
const NOW = TEST_NOW.getTime();

type Kind = 'pending' | 'retrying' | 'open' | 'board' | 'closed' | 'closed-long-ago';

interface Seeded {
  key: string;
  title: string;
  number?: number;
  kind: Kind;
  neededBy: string;
}

function dataRequest(key: string, title: string, requester: string, neededBy: string): DataRequest {
  return {
    key,
    title,
    purpose: 'For the board deck.',
    deliverable: 'A chart.',
    neededBy,
    necessity: 'necessity',
    stakeholders: [],
    sources: [],
    sketches: [],
    requester: { id: requester, name: 'Ada Asker', teamId: 'T0TEST' },
    origin: { channelId: 'C0ANALYTICS', threadTs: '1700000000.000100' },
    submittedAt: new Date(NOW).toISOString(),
  };
}

/** Every text a person can read in a list of blocks (sections, fields, headers, contexts, buttons). */
function textsOf(blocks: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v && typeof v === 'object') {
      const o = v as Json;
      if (typeof o.text === 'string') out.push(o.text);
      for (const value of Object.values(o)) if (typeof value === 'object') walk(value);
    }
  };
  walk(blocks);
  return out.join('\n');
}

function buttonsOf(blocks: unknown): Array<{ action_id: string; text: string }> {
  return ((blocks ?? []) as Json[])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements as Json[])
    .map((e) => ({ action_id: String(e.action_id), text: String((e.text as Json).text) }));
}

/** A click in the App Home tab: the container is the home view, there is no channel. */
function homeButtonClick(actionId: string, userId = 'U0ASKER') {
  return interactivity({
    type: 'block_actions',
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    trigger_id: `${actionId}.home.trigger`,
    team: { id: 'T0TEST', domain: 'acme' },
    user: { id: userId, username: 'asker', name: 'asker', team_id: 'T0TEST' },
    container: { type: 'view', view_id: 'V0HOME' },
    view: { id: 'V0HOME', type: 'home', team_id: 'T0TEST', blocks: [], private_metadata: '', callback_id: '' },
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'home_actions',
        value: 'home',
        text: { type: 'plain_text', text: 'x' },
        action_ts: '1700000000.000200',
      },
    ],
  });
}

function homeOpened(user = 'U0ASKER', tab: 'home' | 'messages' = 'home') {
  return eventEnvelope({ type: 'app_home_opened', user, channel: 'D0HOME', tab, event_ts: '1700000000.000300' });
}

describe('App Home and /analytics my', () => {
  let t: TestBot;
  let issueNumber = 100;

  beforeAll(() => blockNetwork());
  afterEach(async () => {
    expect(t.violations).toEqual([]);
    await t.stop();
  });

  const start = () =>
    startTestBot({
      // These surfaces never query the warehouse; skipping the DuckDB demo seed keeps the suite fast.
      warehouse: failing(new Error('App Home must not query the warehouse'), 'duckdb'),
    });

  /** Puts a request in the outbox in the given state, as the filer and the webhooks would have left it. */
  function seed(kind: Kind, i: number, requester = 'U0ASKER', title = `Request ${kind} #${i}`): Seeded {
    const outbox = t.deps.requests.outbox;
    const key = `key-${requester}-${kind}-${i}`;
    const neededBy = `2027-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`;
    const created = NOW - (i + 1) * 60_000;
    outbox.save(dataRequest(key, title, requester, neededBy), created);
    if (kind === 'pending') return { key, title, kind, neededBy };
    if (kind === 'retrying') {
      outbox.markFailed(key, 'GitHub answered 502 Bad Gateway <html>…</html> '.repeat(10), created);
      return { key, title, kind, neededBy };
    }
    const number = ++issueNumber;
    outbox.markFiled(
      key,
      {
        number,
        url: `https://github.com/acme/analytics/issues/${number}`,
        nodeId: `I_kwDOTest${number}`,
        existing: false,
        fieldsSet: [],
        fieldsMissing: [],
      },
      created,
    );
    if (kind === 'board') outbox.recordIssueState(key, { boardStatus: 'In progress' }, created);
    if (kind === 'closed') outbox.recordIssueState(key, { state: 'closed', closedAt: NOW - 5 * DAY }, NOW);
    if (kind === 'closed-long-ago') outbox.recordIssueState(key, { state: 'closed', closedAt: NOW - 60 * DAY }, NOW);
    return { key, title, number, kind, neededBy };
  }

  const KINDS: Kind[] = ['pending', 'retrying', 'open', 'board', 'closed', 'closed-long-ago'];

  async function openHome(user = 'U0ASKER', tab: 'home' | 'messages' = 'home'): Promise<Json | undefined> {
    const res = await t.post(homeOpened(user, tab));
    expect(res.status).toBe(200);
    await t.settle();
    return t.callsTo('views.publish').at(-1)?.body;
  }

  describe('app_home_opened', () => {
    it('with no requests: an empty state, both buttons, and how the team works', async () => {
      t = await start();
      const publish = await openHome();
      expect(publish).toMatchObject({ user_id: 'U0ASKER', type: 'home' });
      const text = textsOf(publish!.blocks);
      expect(text).toContain('You have no open data requests');
      expect(text).toContain('How the analytics team works');
      expect(text).toContain('The board is triaged every day');
      expect(buttonsOf(publish!.blocks)).toEqual([
        { action_id: OPEN_DATA_REQUEST_ACTION, text: 'Request data' },
        { action_id: BROWSE_METRICS_ACTION, text: 'Browse metrics' },
      ]);
    });

    it('with one filed request: its title, link, status and needed-by', async () => {
      t = await start();
      const r = seed('board', 1, 'U0ASKER', 'Weekly actives by plan for the board deck');
      const publish = await openHome();
      const text = textsOf(publish!.blocks);
      expect(text).toContain(
        `<https://github.com/acme/analytics/issues/${r.number}|#${r.number} Weekly actives by plan for the board deck>`,
      );
      expect(text).toContain('Status: *In progress*');
      expect(text).toContain(`needed by ${r.neededBy}`);
      expect(text).toContain('Necessity');
      expect(text).toContain('*Open* (1)');
      expect(text).not.toContain('You have no open data requests');
      expect(buttonsOf(publish!.blocks).map((b) => b.text)).toEqual(['Request data', 'Browse metrics']);
    });

    it('with 40 requests in every state: open first, recent closes, old closes left out, within limits', async () => {
      t = await start();
      const seeded = Array.from({ length: 40 }, (_, i) => {
        const kind = KINDS[i % KINDS.length]!;
        // Long, mrkdwn-hostile titles to push the text limits.
        const title = `${kind} ${i} <!channel> *bold* & ${'w'.repeat(180)}`;
        return seed(kind, i, 'U0ASKER', title);
      });
      seed('open', 99, 'U0OTHER', 'Someone else’s request');
      const publish = await openHome();
      const blocks = publish!.blocks as Json[];
      expect(blocks.length).toBeLessThanOrEqual(100);
      const text = textsOf(blocks);

      const visible = seeded.filter((s) => s.kind !== 'closed-long-ago');
      const hidden = seeded.filter((s) => s.kind === 'closed-long-ago');
      const open = visible.filter((s) => s.kind !== 'closed');
      const closed = visible.filter((s) => s.kind === 'closed');
      for (const s of visible) expect(text).toContain(`${s.kind} ${Number(s.key.split('-').at(-1))} &lt;!channel&gt;`);
      for (const s of hidden) expect(text).not.toContain(`#${s.number} `);
      expect(text).not.toContain('<!channel>');
      expect(text).not.toContain('Someone else');
      expect(text).toContain(`*Open* (${open.length})`);
      expect(text).toContain(`*Closed in the last 30 days* (${closed.length})`);
      expect(text).toContain(':floppy_disk: Saved, being filed on GitHub');
      expect(text).toContain('(retrying: GitHub answered 502');
      expect(text).toContain('Status: *Triage*');
      expect(text).toContain('Status: *In progress*');
      expect(text).toContain(':white_check_mark: Closed Nov 24');
      for (const s of open.filter((x) => x.number)) {
        expect(text).toContain(`<https://github.com/acme/analytics/issues/${s.number}|#${s.number} `);
      }

      // Open requests come first, soonest needed-by first; the closed ones after their heading.
      const sections = blocks.filter((b) => b.type === 'section').map((b) => String((b.text as Json).text));
      const closedHeading = sections.findIndex((s) => s.startsWith('*Closed in the last'));
      const openLines = sections.slice(1, closedHeading);
      expect(openLines).toHaveLength(open.length);
      const neededBys = openLines.map((s) => s.match(/needed by (\d{4}-\d{2}-\d{2})/)?.[1]);
      expect(neededBys).toEqual([...open.map((s) => s.neededBy)].sort());
      expect(sections.slice(closedHeading + 1).filter((s) => s.includes('Closed Nov'))).toHaveLength(closed.length);
      expect(buttonsOf(blocks).map((b) => b.text)).toEqual(['Request data', 'Browse metrics']);
    });

    it('with more requests than fit: the first 40 and a count of the rest', async () => {
      t = await start();
      for (let i = 0; i < 60; i++) seed('board', i);
      const publish = await openHome();
      const blocks = publish!.blocks as Json[];
      expect(blocks.length).toBeLessThanOrEqual(100);
      const text = textsOf(blocks);
      expect(text).toContain('*Open* (60)');
      expect(text).toContain('…and 20 more.');
      expect(text.match(/Status: \*In progress\*/g)).toHaveLength(40);
    });

    it('shows only the person’s own requests', async () => {
      t = await start();
      seed('board', 1, 'U0OTHER', 'Someone else’s request');
      const publish = await openHome('U0ASKER');
      expect(publish!.user_id).toBe('U0ASKER');
      const text = textsOf(publish!.blocks);
      expect(text).not.toContain('Someone else');
      expect(text).toContain('You have no open data requests');
    });

    it('the Messages tab publishes nothing', async () => {
      t = await start();
      seed('board', 1);
      const publish = await openHome('U0ASKER', 'messages');
      expect(publish).toBeUndefined();
      expect(t.calls).toEqual([]);
    });
  });

  describe('App Home buttons', () => {
    it('"Browse metrics" opens a modal at once, then fills it with the metrics', async () => {
      t = await start();
      const res = await t.post(homeButtonClick(BROWSE_METRICS_ACTION));
      expect(res.status).toBe(200);
      await t.settle();
      const opens = t.callsTo('views.open');
      expect(opens).toHaveLength(1);
      expect(opens[0]!.body).toMatchObject({
        type: 'modal',
        callback_id: 'metric_browser',
        trigger_id: `${BROWSE_METRICS_ACTION}.home.trigger`,
      });
      // The trigger expires within 3 s: the modal opens before any access lookup, and the list follows.
      const methods = t.calls.map((c) => c.method);
      expect(methods.indexOf('views.open')).toBeLessThan(methods.indexOf('usergroups.users.list'));
      const updates = t.callsTo('views.update');
      expect(updates).toHaveLength(1);
      const view = updates[0]!.body;
      expect(view).toMatchObject({ view_id: 'V0TEST', type: 'modal', callback_id: 'metric_browser' });
      const text = textsOf(view.blocks);
      expect(text).toContain('Metrics I can answer');
      const metrics = shippedCatalog().metrics;
      expect(metrics.length).toBeGreaterThan(0);
      // A restricted metric is listed only for people who may ask for it (here: not in its user group).
      for (const m of metrics) {
        if (m.access) expect(text).not.toContain(`\`${m.name}\``);
        else expect(text).toContain(`\`${m.name}\``);
      }
    });

    it('"Browse metrics" lists a restricted metric for a member of its user group', async () => {
      t = await start();
      t.onSlackMethod('usergroups.users.list', () => ({ body: { ok: true, users: ['U0ASKER'] } }));
      await t.post(homeButtonClick(BROWSE_METRICS_ACTION));
      await t.settle();
      const text = textsOf(t.callsTo('views.update')[0]!.body.blocks);
      for (const m of shippedCatalog().metrics) expect(text).toContain(`\`${m.name}\``);
    });

    it('"Request data" opens the data request modal', async () => {
      t = await start();
      await t.post(homeButtonClick(OPEN_DATA_REQUEST_ACTION));
      await t.settle();
      const opens = t.callsTo('views.open');
      expect(opens).toHaveLength(1);
      expect(opens[0]!.body).toMatchObject({ type: 'modal', callback_id: 'data_request_modal' });
    });
  });

  describe('/analytics my', () => {
    async function my(user = 'U0ASKER'): Promise<Json> {
      const res = await t.post(slashCommand({ text: 'my', user_id: user }));
      expect(res.status).toBe(200);
      const ack = (await res.json()) as Json;
      await t.settle();
      return ack;
    }

    it('lists the asker’s requests only, as an ephemeral message', async () => {
      t = await start();
      const mine = seed('board', 1, 'U0ASKER', 'Weekly actives by plan');
      const closed = seed('closed', 2, 'U0ASKER', 'Churn by cohort');
      seed('closed-long-ago', 3, 'U0ASKER', 'Ancient history');
      seed('open', 4, 'U0OTHER', 'Someone else’s request');
      const ack = await my();
      expect(ack.response_type).toBe('ephemeral');
      expect(ack.text).toBe('You have 1 open data request and 1 closed recently.');
      const text = textsOf(ack.blocks);
      expect(text).toContain(
        `<https://github.com/acme/analytics/issues/${mine.number}|#${mine.number} Weekly actives by plan>`,
      );
      expect(text).toContain(`needed by ${mine.neededBy}`);
      expect(text).toContain('Status: *In progress*');
      expect(text).toContain(`#${closed.number} Churn by cohort`);
      expect(text).not.toContain('Ancient history');
      expect(text).not.toContain('Someone else');
      // Nothing was posted publicly.
      expect(t.callsTo('chat.postMessage')).toEqual([]);
    });

    it('with 40 requests stays within a message’s limits and points to App Home for the rest', async () => {
      t = await start();
      for (let i = 0; i < 40; i++) seed(KINDS[i % KINDS.length]!, i, 'U0ASKER', `${'t'.repeat(190)} ${i}`);
      const ack = await my();
      expect((ack.blocks as Json[]).length).toBeLessThanOrEqual(50);
      const text = textsOf(ack.blocks);
      expect(text).toContain('more.');
      expect(text).toContain('The App Home tab lists up to 40.');
    });

    it('a person with no requests gets the empty state', async () => {
      t = await start();
      seed('board', 1, 'U0OTHER', 'Someone else’s request');
      const ack = await my('U0NOBODY');
      expect(ack.response_type).toBe('ephemeral');
      expect(ack.text).toBe('You have 0 open data requests and 0 closed recently.');
      expect(textsOf(ack.blocks)).toContain('You have no open data requests');
      expect(textsOf(ack.blocks)).not.toContain('Someone else');
    });
  });
});
