/**
 * The instrumentation point around every Slack request: the slow-lane rule (work after the ack waits behind other
 * requests' acks) is applied there, once, so listeners neither call it nor can forget it. Probe listeners are
 * registered on the real app next to the bot's own, and the lane records what passed through it.
 */
import type { App, Receiver } from '@slack/bolt';
import { buildApp } from '../../src/app.js';
import { SlowLane } from '../../src/slow-lane.js';
import { blockNetwork, startTestBot, type TestBot, testDeps } from '../helpers/harness.js';
import { eventEnvelope, interactivity, slashCommand } from '../helpers/slack.js';

/** A real lane that writes down when work enters it and when it is let through. */
class RecordingLane extends SlowLane {
  constructor(readonly steps: string[]) {
    super();
  }
  override async enter(): Promise<void> {
    this.steps.push('lane:enter');
    await super.enter();
    this.steps.push('lane:through');
  }
}

const probeSubmission = (callbackId: string) =>
  interactivity({
    type: 'view_submission',
    team: { id: 'T0TEST', domain: 'acme' },
    user: { id: 'U0ASKER', username: 'asker', name: 'asker', team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    trigger_id: '1.trigger',
    view: { id: 'V0PROBE', callback_id: callbackId, team_id: 'T0TEST', state: { values: {} }, hash: 'h' },
    response_urls: [],
  });

describe('instrumentation: the slow lane is entered after the ack, for every listener', () => {
  let t: TestBot;
  let steps: string[];
  beforeAll(() => blockNetwork());
  beforeEach(async () => {
    steps = [];
    t = await startTestBot({ deps: { lane: new RecordingLane(steps) } });
  });
  afterEach(async () => {
    expect(t.violations).toEqual([]);
    await t.stop();
  });

  it('runs code after `await ack()` in the lane, with no lane call in the listener', async () => {
    t.bot.app.command('/probe', async ({ ack }) => {
      steps.push('before-ack');
      await ack();
      steps.push('after-ack');
    });
    const res = await t.post(slashCommand({ command: '/probe' }));
    expect(res.status).toBe(200);
    await t.settle();
    expect(steps).toEqual(['before-ack', 'lane:enter', 'lane:through', 'after-ack']);
  });

  it('the bot’s own question path goes through the lane once, and still answers', async () => {
    const res = await t.post(slashCommand({ text: 'signups last 7 days' }));
    expect(res.status).toBe(200);
    await t.settle();
    expect(steps).toEqual(['lane:enter', 'lane:through']);
    expect(t.responses.at(-1)?.body.text).toMatch(/sign-?ups/i);
  });

  it('an event listener starts in the lane: Bolt acks events before any listener runs', async () => {
    t.bot.app.event('reaction_added', async () => {
      steps.push('listener');
    });
    const res = await t.post(
      eventEnvelope({ type: 'reaction_added', user: 'U0ASKER', reaction: 'eyes', item: { type: 'message' } }),
    );
    expect(res.status).toBe(200);
    await t.settle();
    expect(steps).toEqual(['lane:enter', 'lane:through', 'listener']);
  });

  it('a late ack with response_action (a view submission) still reaches Slack, and the rest runs after it', async () => {
    t.bot.app.view('probe_view', async ({ ack }) => {
      steps.push('validated');
      await ack({ response_action: 'errors', errors: { title_block: 'Say what you need.' } });
      steps.push('after-ack');
    });
    const res = await t.post(probeSubmission('probe_view'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ response_action: 'errors', errors: { title_block: 'Say what you need.' } });
    await t.settle();
    expect(steps).toEqual(['validated', 'lane:enter', 'lane:through', 'after-ack']);
  });

  it('a listener that never acks still runs to the end (tracked, no lane); Bolt answers Slack after 3 s', async () => {
    let finished = false;
    t.bot.app.view('probe_never', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      finished = true;
    });
    const res = await t.post(probeSubmission('probe_never'));
    // Bolt's own timeout for an unacknowledged request: the work itself was never held up.
    expect(res.status).toBe(404);
    await t.settle();
    expect(finished).toBe(true);
    expect(steps).toEqual([]);
    expect(t.logs.text()).toContain('not acknowledged within 3 seconds');
  });

  it('wraps the receiver it is given: initialised once, by Bolt, with an App whose processEvent is instrumented', async () => {
    const inits: App[] = [];
    const inner: Receiver = { init: (app) => void inits.push(app), start: async () => {}, stop: async () => {} };
    const { deps } = await testDeps({ deps: { lane: new RecordingLane(steps) } });
    const bot = buildApp(deps, { receiver: inner, botId: 'B0BOT', botUserId: 'U0BOT' });
    expect(inits).toHaveLength(1);
    bot.app.command('/probe', async ({ ack, context }) => {
      steps.push(`request ${typeof context.requestId}`);
      await ack();
      steps.push('after-ack');
    });
    const acks: unknown[] = [];
    const body = { command: '/probe', text: '', user_id: 'U0ASKER', channel_id: 'C0ANALYTICS', team_id: 'T0TEST' };
    await inits[0]!.processEvent({ body, ack: async (response) => void acks.push(response ?? 'empty') });
    expect(await deps.tasks.idle(5000)).toBe(true);
    expect(acks).toEqual(['empty']);
    expect(steps).toEqual(['request string', 'lane:enter', 'lane:through', 'after-ack']);
    const counted = await deps.telemetry.registry.getSingleMetricAsString('analytics_bot_slack_requests_total');
    expect(counted).toContain('surface="command",outcome="ok"} 1');
    await bot.stop(0);
  });
});
