/** The embedded board on its own: the seeded backlog, filing through the tracker port, reading through the board port. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildTriage } from '../../src/digest/triage.js';
import { buildIssueDraft } from '../../src/github/issue-body.js';
import { LocalBoard, LocalBoardError } from '../../src/local-board/local-board.js';
import { SEED_SIZE } from '../../src/local-board/seed.js';
import type { DataRequest } from '../../src/requests/data-request.js';
import { tempDir } from '../helpers/config.js';

const NOW = new Date('2026-11-29T10:00:00Z');

const request = (over: Partial<DataRequest> = {}): DataRequest => ({
  key: 'key-0000-0001',
  title: 'Weekly actives by plan for the board deck',
  purpose: 'The Q1 board deck needs usage by plan.',
  deliverable: 'A weekly line chart of WAU by plan.',
  neededBy: '2026-12-15',
  necessity: 'necessity',
  stakeholders: [],
  sources: [],
  sketches: [],
  requester: { id: 'U0ASKER', name: 'Ada Asker' },
  origin: { channelId: 'C0ANALYTICS' },
  submittedAt: NOW.toISOString(),
  ...over,
});

function open(dataDir = ':memory:', clock = () => NOW, seed = true) {
  return new LocalBoard({
    dataDir,
    baseUrl: 'http://localhost:3000',
    fields: { status: 'Status', neededBy: 'Needed by', necessity: 'Necessity' },
    triageStatus: 'Triage',
    clock,
    seed,
  });
}

describe('the embedded local board', () => {
  it('is seeded with about 40 requests in every state the digest reports, dated relative to its creation', async () => {
    const board = open();
    const snapshot = await board.read();
    expect(snapshot.items).toHaveLength(SEED_SIZE);
    expect(SEED_SIZE).toBeGreaterThanOrEqual(35);
    const digest = buildTriage(snapshot, { now: NOW, timezone: 'UTC', triageStatus: 'Triage' });
    expect(digest.needsTriage.length).toBeGreaterThanOrEqual(4);
    expect(digest.overdue.length).toBeGreaterThanOrEqual(3);
    expect(digest.dueSoon.length).toBeGreaterThanOrEqual(3);
    expect(digest.newSince.length).toBeGreaterThanOrEqual(2);
    expect(digest.stale.length).toBeGreaterThanOrEqual(3);
    expect(digest.closedSince.length).toBeGreaterThanOrEqual(2);
    expect(digest.unassignedNecessities.length).toBeGreaterThanOrEqual(1);
    expect(digest.allClear).toBe(false);

    // Created a month later, the same backlog is a month later: nothing is pinned to a calendar date.
    const later = new Date('2027-01-15T08:00:00Z');
    const moved = buildTriage(await open(':memory:', () => later).read(), {
      now: later,
      timezone: 'UTC',
      triageStatus: 'Triage',
    });
    expect(moved.overdue.length).toBe(digest.overdue.length);
    expect(moved.newSince.length).toBe(digest.newSince.length);
    board.stop();
  });

  it('files a request with the four answers and board fields, idempotently by key, numbered after the backlog', async () => {
    const board = open();
    const r = request();
    expect(await board.findFiled(r)).toBeUndefined();
    const filed = await board.createIssue(r, buildIssueDraft(r));
    expect(filed).toEqual({
      number: SEED_SIZE + 1,
      url: `http://localhost:3000/board/${SEED_SIZE + 1}`,
      nodeId: `local-issue-${SEED_SIZE + 1}`,
      tracker: 'local',
    });
    expect(await board.placeOnBoard(r, filed)).toEqual({
      itemId: `local-item-${SEED_SIZE + 1}`,
      fieldsSet: ['Status', 'Needed by', 'Necessity'],
      fieldsMissing: [],
      boardUrl: 'http://localhost:3000/board',
    });
    expect(await board.findFiled(r)).toEqual(filed);
    expect(await board.createIssue(r, buildIssueDraft(r))).toEqual(filed);
    expect(board.count()).toBe(SEED_SIZE + 1);

    const issue = board.get(filed.number)!;
    expect(issue).toMatchObject({
      purpose: r.purpose,
      deliverable: r.deliverable,
      neededBy: '2026-12-15',
      necessity: 'Necessity',
      status: 'Triage',
    });
    expect(issue.issue).toMatchObject({
      title: r.title,
      state: 'OPEN',
      labels: ['data-request', 'necessity'],
      assignees: [],
      createdAt: NOW.toISOString(),
      closedAt: null,
    });
    expect(issue.issue.body).toContain('analytics-bot:request');
    board.stop();
  });

  it('moves requests as GitHub would: status, assignees, comments, close and reopen, with updated times', async () => {
    let now = NOW;
    const board = open(':memory:', () => now, false);
    const r = request();
    const { number } = await board.createIssue(r, buildIssueDraft(r));
    now = new Date(NOW.getTime() + 3_600_000);

    expect(board.setStatus(number, 'in PROGRESS')).toEqual({ status: 'In progress', changed: true });
    expect(board.setStatus(number, 'In progress').changed).toBe(false);
    expect(() => board.setStatus(number, 'Someday')).toThrow(
      '"Someday" is not a status on the local board. Use one of: Triage, Backlog, In progress, In review, Done',
    );
    expect(board.assign(number, 'ana-analyst')).toBe(true);
    expect(board.assign(number, 'ana-analyst')).toBe(false);
    expect(() => board.assign(number, 'not a login')).toThrow(LocalBoardError);
    board.comment(number, 'ana-analyst', 'Which plans count as paid?');
    expect(board.close(number)).toBe(true);
    expect(board.close(number)).toBe(false);

    const closed = board.get(number)!;
    expect(closed.issue).toMatchObject({
      state: 'CLOSED',
      assignees: ['ana-analyst'],
      closedAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    expect(closed.comments).toEqual([
      { author: 'ana-analyst', body: 'Which plans count as paid?', createdAt: now.toISOString() },
    ]);
    expect(board.reopen(number)).toBe(true);
    expect(board.get(number)!.issue).toMatchObject({ state: 'OPEN', closedAt: null });
    expect(() => board.close(999)).toThrow('There is no request #999 on the local board');
    board.stop();
  });

  it('finds related open requests by shared title words', async () => {
    const board = open();
    const related = await board.findRelated('Trial conversion by signup channel');
    expect(related[0]).toMatchObject({ title: 'Trial-to-paid conversion by signup channel' });
    expect(related[0]!.url).toMatch(/^http:\/\/localhost:3000\/board\/\d+$/);
    expect(await board.findRelated('zzz')).toEqual([]);
    board.stop();
  });

  it('keeps its requests in DATA_DIR across restarts and seeds only once', async () => {
    const dir = tempDir();
    const first = open(dir);
    const r = request();
    await first.createIssue(r, buildIssueDraft(r));
    first.stop();
    const second = open(dir, () => new Date(NOW.getTime() + 86_400_000));
    expect(second.count()).toBe(SEED_SIZE + 1);
    expect(second.file).toBe(`${dir}/local-board.sqlite`);
    second.stop();
  });
});

describe('the local board page', () => {
  it('serves the board and each request at the links the bot posts, escaping user text', async () => {
    const { blockNetwork, startTestBot } = await import('../helpers/harness.js');
    blockNetwork();
    const t = await startTestBot({ env: {} });
    try {
      const board = t.deps.localBoard!;
      const number = board.insert({
        title: '<script>alert(1)</script> revenue',
        body: 'x',
        author: 'lena-product',
        createdAt: NOW.toISOString(),
      });
      const list = await fetch(`${t.url}/board`);
      expect(list.status).toBe(200);
      const html = await list.text();
      expect(html).toContain('Local board');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; revenue');
      expect(html).not.toContain('<script>');
      const one = await fetch(`${t.url}/board/${number}`);
      expect(await one.text()).toContain(`#${number} &lt;script&gt;`);
      expect((await fetch(`${t.url}/board/99999`)).status).toBe(404);

      // Only for this machine: from elsewhere (HTTP mode's port is public) the route does not exist.
      const { serveBoardPage } = await import('../../src/local-board/board-page.js');
      const remote = { socket: { remoteAddress: '10.1.2.3' } } as unknown as IncomingMessage;
      expect(await serveBoardPage(board, '/board', remote, {} as ServerResponse)).toBe(false);
    } finally {
      await t.stop();
    }
  });
});
