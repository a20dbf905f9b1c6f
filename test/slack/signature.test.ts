import { type TestBot, useTestBot } from '../helpers/harness.js';
import { eventEnvelope, slashCommand, urlVerification } from '../helpers/slack.js';

describe('Slack request verification (POST /slack/events)', () => {
  let t: TestBot;
  useTestBot((bot) => {
    t = bot;
  });

  const handled = async () => {
    const text = await t.deps.telemetry.registry.getSingleMetricAsString('analytics_bot_slack_requests_total');
    return /analytics_bot_slack_requests_total\{[^}]*\} [1-9]/.test(text);
  };

  it('accepts a correctly signed slash command', async () => {
    const res = await t.post(slashCommand({ text: 'help' }));
    expect(res.status).toBe(200);
    await t.settle();
    expect(await handled()).toBe(true);
  });

  it.each([
    ['a wrong signature', { signature: 'v0=deadbeef' }],
    ['a signature made with another secret', { secret: 'not-the-secret' }],
    ['no signature header', { signature: null }],
    ['a timestamp older than five minutes', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
  ])('rejects %s with 401 and runs no handler', async (_what, opts) => {
    const res = await t.post(slashCommand({ text: 'help' }), opts);
    expect(res.status).toBe(401);
    await t.settle();
    expect(await handled()).toBe(false);
    expect(t.responses).toEqual([]);
    expect(t.calls).toEqual([]);
  });

  it('rejects a tampered body (signature of a different body)', async () => {
    const good = slashCommand({ text: 'help' });
    const res = await fetch(`${t.url}/slack/events`, {
      method: 'POST',
      headers: (await import('../helpers/slack.js')).signedHeaders(good),
      body: good.body.replace('help', 'list'),
    });
    expect(res.status).toBe(401);
  });

  it('answers url_verification with the challenge', async () => {
    const res = await t.post(urlVerification('challenge-token-123'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'challenge-token-123' });
  });

  it('acks a redelivered event (X-Slack-Retry-Num) with 200', async () => {
    const envelope = eventEnvelope({ type: 'app_home_opened', user: 'U0ASKER', channel: 'D0X', tab: 'home' });
    const res = await t.post(envelope, { retryNum: 1, retryReason: 'http_timeout' });
    expect(res.status).toBe(200);
    await t.settle();
  });

  it('refuses non-POST methods on the Slack endpoint', async () => {
    const res = await fetch(`${t.url}/slack/events`);
    expect(res.status).toBe(405);
  });
});
