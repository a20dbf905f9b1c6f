/**
 * Claims on request steps: they carry the instance id of the process holding them; a dead process's claims are
 * taken over at once, a live one keeps its own, and a running attempt renews its claim past the lease.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { WebClient } from '@slack/web-api';
import Database from 'better-sqlite3';
import nock from 'nock';
import type { IssueTracker } from '../../src/github/tracker.js';
import { createRequestFiler } from '../../src/requests/filer.js';
import { type Db, MIGRATIONS, openDatabase } from '../../src/store/database.js';
import { InstanceRegistry, processStart } from '../../src/store/instances.js';
import { CLAIM_LEASE_MS, RequestOutbox } from '../../src/store/request-outbox.js';
import { createTelemetry } from '../../src/telemetry.js';
import { SLACK_API_ORIGIN, tempDir } from '../helpers/config.js';
import { storedRequest } from '../helpers/data-requests.js';
import { captureLogs } from '../helpers/logs.js';

const NOW = Date.parse('2026-11-29T10:00:00Z');

/** A pid that existed a moment ago and no longer does. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

describe('step claims', () => {
  let db: Db;
  let outbox: RequestOutbox;
  let now: number;
  const clock = () => new Date(now);

  beforeEach(() => {
    now = NOW;
    db = openDatabase(tempDir());
    outbox = new RequestOutbox(db);
    outbox.save(storedRequest('k1', NOW), now);
  });
  afterEach(() => db.close());

  function registerForeign(fields: { host?: string; pid: number; procStart?: string | null; heartbeatAt?: number }) {
    const id = `foreign-${Math.random()}`;
    db.prepare(
      'INSERT INTO instances (id, host, pid, proc_start, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(id, fields.host ?? os.hostname(), fields.pid, fields.procStart ?? null, now, fields.heartbeatAt ?? now);
    return id;
  }

  function holdIssueStep(instanceId: string) {
    db.prepare(
      `UPDATE request_steps SET claimed_by = ?, claim_expires_at = ?, attempts = 1, maybe_done = 1
       WHERE request_key = 'k1' AND step = 'issue'`,
    ).run(instanceId, now + CLAIM_LEASE_MS);
  }

  it('a claim of a process that died is taken over at once, and the next attempt knows to look first', () => {
    holdIssueStep(registerForeign({ pid: deadPid() }));
    const me = new InstanceRegistry(db, { clock }); // registering reaps the dead process

    const claimed = outbox.claimStep('k1', 'issue', me, now);

    expect(claimed).toMatchObject({ attempts: 1, maybeDone: true });
    expect(outbox.steps('k1').issue).toMatchObject({ claimedBy: me.id, attempts: 2 });
  });

  it('a restarted container that got the same pid is not mistaken for the old process', () => {
    holdIssueStep(registerForeign({ pid: process.pid, procStart: 'an-earlier-start' }));
    const me = new InstanceRegistry(db, { clock });

    expect(outbox.claimStep('k1', 'issue', me, now)).toBeDefined();
  });

  it('a live instance keeps its claim until it stops cleanly', () => {
    const other = new InstanceRegistry(db, { clock });
    const me = new InstanceRegistry(db, { clock });
    expect(processStart(process.pid)).not.toBeNull();

    expect(outbox.claimStep('k1', 'issue', other, now)).toBeDefined();
    expect(outbox.claimStep('k1', 'issue', me, now)).toBeUndefined();

    other.stop();
    expect(outbox.claimStep('k1', 'issue', me, now)).toBeDefined();
  });

  it('on another host, a claim is taken over once the holder’s heartbeat is stale', () => {
    const me = new InstanceRegistry(db, { clock, staleMs: 30_000 });
    const id = registerForeign({ host: 'other-host', pid: 1 });
    holdIssueStep(id);

    now += 20_000;
    db.prepare('UPDATE instances SET heartbeat_at = ? WHERE id = ?').run(now, id);
    now += 20_000;
    expect(outbox.claimStep('k1', 'issue', me, now)).toBeUndefined(); // beat 20 s ago: alive
    now += 15_000;
    expect(outbox.claimStep('k1', 'issue', me, now)).toBeDefined(); // 35 s without a beat: dead
  });

  it('a running attempt renews its claim, so a second worker does not start the same step', async () => {
    const logs = captureLogs();
    let creates = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tracker: IssueTracker = {
      kind: 'github',
      findFiled: async () => undefined,
      createIssue: async () => {
        // Only the first attempt hangs; a second one (the bug) would return at once and show in `creates`.
        if (++creates === 1) await gate;
        return {
          tracker: 'acme/analytics',
          number: 1,
          url: 'https://github.com/acme/analytics/issues/1',
          nodeId: 'I_1',
        };
      },
      placeOnBoard: async () => undefined,
      findRelated: async () => [],
    };
    nock(SLACK_API_ORIGIN).persist().post(/.*/).reply(200, { ok: true, channel: 'D0ASKER', ts: '1.1' });
    const filer = (instance: InstanceRegistry) =>
      createRequestFiler({
        outbox,
        tracker,
        slack: new WebClient('xoxb-test', { slackApiUrl: `${SLACK_API_ORIGIN}/api/`, retryConfig: { retries: 0 } }),
        instance,
        logger: logs.logger,
        telemetry: createTelemetry({ defaultMetrics: false }),
        clock,
        renewEveryMs: 5,
      });
    // Both processes are alive and beating; only the lease could let the second one in.
    const instances = [
      new InstanceRegistry(db, { clock, heartbeatMs: 5 }),
      new InstanceRegistry(db, { clock, heartbeatMs: 5 }),
    ];
    for (const i of instances) i.start();
    const [first, second] = instances.map(filer) as [ReturnType<typeof filer>, ReturnType<typeof filer>];

    const working = first.file('k1');
    await new Promise((resolve) => setTimeout(resolve, 20));
    now += 3 * CLAIM_LEASE_MS; // the attempt outlives its lease…
    await new Promise((resolve) => setTimeout(resolve, 30)); // …and is renewed meanwhile
    await second.processDue();
    expect(creates).toBe(1);

    release();
    await working;
    expect(outbox.steps('k1').issue?.state).toBe('done');
    expect(creates).toBe(1);
    for (const i of instances) i.stop();
    nock.cleanAll();
  });
});

describe('requests stored before per-step filing', () => {
  it('get their steps from their row; an issue that may exist is looked for before creating', () => {
    const dir = tempDir();
    const stepsVersion = MIGRATIONS.findIndex((m) => m.includes('CREATE TABLE request_steps'));
    const old = new Database(path.join(dir, 'analytics-bot.sqlite'));
    for (const m of MIGRATIONS.slice(0, stepsVersion)) old.exec(m);
    old.pragma(`user_version = ${stepsVersion}`);
    const insert = old.prepare(
      `INSERT INTO data_requests (key, payload, status, attempts, next_attempt_at, requester, created_at, updated_at,
         notified_saved, notified_filed, result)
       VALUES (?, ?, ?, ?, ?, 'U0ASKER', ?, ?, ?, ?, ?)`,
    );
    insert.run('retrying', JSON.stringify(storedRequest('retrying', NOW)), 'pending', 2, NOW, NOW, NOW, 1, 0, null);
    insert.run(
      'filed-untold',
      JSON.stringify(storedRequest('filed-untold', NOW)),
      'filed',
      1,
      NOW,
      NOW,
      NOW,
      0,
      0,
      '{}',
    );
    insert.run('filed-told', JSON.stringify(storedRequest('filed-told', NOW)), 'filed', 1, NOW, NOW, NOW, 0, 1, '{}');
    old.close();

    const db = openDatabase(dir);
    const outbox = new RequestOutbox(db);
    const states = (key: string) =>
      Object.fromEntries(Object.entries(outbox.steps(key)).map(([k, v]) => [k, [v?.state, v?.maybeDone]]));
    expect(states('retrying')).toEqual({
      issue: ['pending', true],
      board: ['pending', false],
      dm: ['pending', false],
      announce: ['pending', false],
      saved_notice: ['done', false],
    });
    expect(states('filed-untold')).toMatchObject({ issue: ['done', false], dm: ['pending', false] });
    expect(states('filed-told')).toMatchObject({ issue: ['done', false], board: ['done', false], dm: ['done', false] });
    db.close();
  });
});
