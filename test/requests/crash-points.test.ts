/**
 * Crash points: the filer runs in a child process (crash-child.ts, wired from config as main.ts wires it) and is
 * killed with SIGKILL at each step in turn — before a side effect, or after GitHub or Slack carried it out but before
 * the answer arrived. Then the bot restarts on the same DATA_DIR. Every time: exactly one issue, one board item, one
 * DM and one announcement, and the request saved before the crash is filed in the restart's first pass (the dead
 * process's claims are taken over at once, not after a lease).
 *
 * The child reaches the fakes through a relay on loopback that can hold a call, kill the child, and drop the answer;
 * the fakes themselves are the usual nock ones (GraphQL schema-checked), one world per crash point so the points run
 * in parallel.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import nock from 'nock';
import { createGitHub } from '../../src/github/create-github.js';
import { createConfiguredFiler } from '../../src/requests/create-filer.js';
import { REQUEST_EVENT_TYPES } from '../../src/requests/filer.js';
import { openDatabase } from '../../src/store/database.js';
import { InstanceRegistry } from '../../src/store/instances.js';
import { RequestOutbox } from '../../src/store/request-outbox.js';
import { createTelemetry } from '../../src/telemetry.js';
import { TEST_BOT_TOKEN, TEST_CHANNEL, TEST_SIGNING_SECRET, tempDir, testConfig } from '../helpers/config.js';
import { type FakeWorkspace, fakeSlackApi, fakeWorkspace, storedRequest } from '../helpers/data-requests.js';
import { type FakeBoard, type FakeRepo, fakeBoard, fakeRepo, takeGraphqlValidationErrors } from '../helpers/github.js';
import { captureLogs } from '../helpers/logs.js';
import { ROOT } from '../helpers/process.js';

const NOW = Date.parse('2026-11-29T10:00:00Z');
const ASKER = 'U0ASKER';

/** A call from the child, as the relay sees it. */
interface Call {
  method: string;
  path: string;
  body: string;
}

interface CrashPoint {
  name: string;
  /** The call at which the child dies. */
  at: (call: Call) => boolean;
  /** Before the call reaches the fake, or after the fake carried it out (the answer is lost). */
  when: 'before' | 'after';
}

const isIssuePost = (c: Call) => c.method === 'POST' && /\/repos\/[^/]+\/[^/]+\/issues$/.test(c.path);
const isGraphql = (c: Call) => c.path.endsWith('/graphql');
const postTo = (prefix: string) => (c: Call) =>
  c.path.endsWith('/chat.postMessage') && new URLSearchParams(c.body).get('channel')?.startsWith(prefix) === true;
let fieldSets = 0;

const POINTS: CrashPoint[] = [
  { name: 'after the claim, before the issue is created', at: isIssuePost, when: 'before' },
  { name: 'after GitHub created the issue, before its answer', at: isIssuePost, when: 'after' },
  { name: 'after the issue step was recorded', at: isGraphql, when: 'before' },
  {
    name: 'after the board item and its fields were set, before the last answer',
    at: (c) => isGraphql(c) && c.body.includes('updateProjectV2ItemFieldValue') && ++fieldSets % 3 === 0,
    when: 'after',
  },
  { name: 'after the board step was recorded', at: (c) => c.path.includes('/search/issues'), when: 'before' },
  { name: 'after Slack posted the DM, before its answer', at: postTo('U'), when: 'after' },
  { name: 'after the DM step was recorded', at: postTo('C'), when: 'before' },
  { name: 'after Slack posted the announcement, before its answer', at: postTo('C'), when: 'after' },
];

interface World {
  index: number;
  github: string;
  slackOrigin: string;
  repo: FakeRepo;
  board: FakeBoard;
  slack: FakeWorkspace;
  child?: ChildProcess;
  crashed: boolean;
}

describe('crash points', () => {
  let relay: Server;
  let relayUrl: string;
  const worlds = new Map<number, World>();

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
    relay = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const [, index, side, ...rest] = (req.url ?? '').split('/');
        const world = worlds.get(Number(index))!;
        const point = POINTS[world.index]!;
        const call: Call = {
          method: req.method ?? 'GET',
          path: `/${rest.join('/')}`,
          body: Buffer.concat(chunks).toString(),
        };
        const crash = !world.crashed && point.at(call);
        const kill = () => {
          world.crashed = true;
          world.child?.kill('SIGKILL');
          res.destroy();
        };
        if (crash && point.when === 'before') return kill();
        const target = `${side === 'github' ? world.github : world.slackOrigin}${call.path}`;
        const headers: Record<string, string> = {};
        for (const h of ['content-type', 'authorization', 'accept']) {
          const v = req.headers[h];
          if (typeof v === 'string') headers[h] = v;
        }
        const answer = await fetch(target, {
          method: call.method,
          headers,
          body: call.method === 'GET' ? undefined : call.body,
        });
        const text = await answer.text();
        if (crash) return kill();
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => relay.close(resolve));
    nock.cleanAll();
    nock.enableNetConnect();
  });

  function envFor(world: World, dataDir: string, via: 'relay' | 'direct') {
    const github = via === 'relay' ? `${relayUrl}/${world.index}/github` : world.github;
    const slack = via === 'relay' ? `${relayUrl}/${world.index}/slack/api/` : `${world.slackOrigin}/api/`;
    return {
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: slack,
      ANALYTICS_CHANNEL_ID: TEST_CHANNEL,
      GITHUB_TOKEN: 'test-github-token',
      GITHUB_API_URL: github,
      GITHUB_REPOSITORY: 'acme/analytics',
      GITHUB_PROJECT_URL: 'https://github.com/orgs/acme/projects/63',
      LOG_LEVEL: 'warn',
    };
  }

  async function crashAndRestart(index: number) {
    const github = `http://github-${index}.test`;
    const slackOrigin = `http://slack-${index}.test`;
    const world: World = {
      index,
      github,
      slackOrigin,
      repo: fakeRepo({ base: github }),
      board: fakeBoard({ base: github }),
      slack: fakeWorkspace(fakeSlackApi(slackOrigin)),
      crashed: false,
    };
    nock(github).persist().get('/search/issues').query(true).reply(200, { total_count: 0, items: [] });
    worlds.set(index, world);

    // The request was saved (the modal was acked) just before the crash.
    const dataDir = tempDir();
    const key = `crash-${index}-0123456789`;
    const db = openDatabase(dataDir);
    new RequestOutbox(db).save(storedRequest(key, NOW - 1000), NOW, { announce: true });

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/requests/crash-child.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...envFor(world, dataDir, 'relay'), CRASH_KEY: key, CRASH_NOW: String(NOW) },
    });
    world.child = child;
    let out = '';
    child.stdout?.on('data', (d) => {
      out += String(d);
    });
    child.stderr?.on('data', (d) => {
      out += String(d);
    });
    const exit = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    if (exit !== 'SIGKILL') throw new Error(`crash point "${POINTS[index]!.name}" was never reached:\n${out}`);

    // The restart: a new process on the same DATA_DIR, two seconds later; its first pass files everything.
    const later = NOW + 2000;
    const clock = () => new Date(later);
    const logs = captureLogs('warn');
    const telemetry = createTelemetry({ defaultMetrics: false });
    const config = testConfig(envFor(world, dataDir, 'direct'));
    const instance = new InstanceRegistry(db, { clock, logger: logs.logger });
    const filer = createConfiguredFiler(config, {
      db,
      instance,
      logger: logs.logger,
      telemetry,
      clock,
      tracker: (await createGitHub(config, { logger: logs.logger, telemetry, clock }, { retries: 0, throttle: false }))
        .tracker,
    });
    filer.start(60_000);
    await filer.stop();
    instance.stop();
    const steps = filer.outbox.steps(key);
    db.close();
    return { world, steps };
  }

  it('files exactly one issue, board item, DM and announcement whatever step the filer died at', async () => {
    const results = await Promise.all(POINTS.map((_p, i) => crashAndRestart(i)));

    for (const [i, { world, steps }] of results.entries()) {
      const where = POINTS[i]!.name;
      const got = {
        where,
        issues: world.repo.created.length,
        boardItems: new Set(world.board.added.map((a) => a.itemId)).size,
        fieldsSet: new Set(world.board.updates.map((u) => u.fieldId)).size,
        dms: world.slack.dmsTo(ASKER).filter((m) => m.eventType === REQUEST_EVENT_TYPES.dm).length,
        announcements: world.slack.inChannel(TEST_CHANNEL).length,
        states: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, v?.state])),
      };
      expect(got).toEqual({
        where,
        issues: 1,
        boardItems: 1,
        fieldsSet: 3,
        dms: 1,
        announcements: 1,
        states: { issue: 'done', board: 'done', dm: 'done', announce: 'done' },
      });
    }
    expect(takeGraphqlValidationErrors()).toEqual([]);
    // One child process per point; on a loaded CI machine their start-up (tsx) is most of the time.
  }, 90_000);
});
