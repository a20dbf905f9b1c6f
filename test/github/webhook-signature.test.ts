import { sign } from '@octokit/webhooks-methods';
import { TEST_WEBHOOK_SECRET } from '../helpers/config.js';
import { blockNetwork, startTestBot, type TestBot } from '../helpers/harness.js';

describe('POST /github/webhooks signature verification', () => {
  let t: TestBot;
  beforeAll(() => blockNetwork());
  afterEach(async () => t.stop());

  const deliver = (body: string, headers: Record<string, string>) =>
    fetch(`${t.url}/github/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': 'd-1', ...headers },
      body,
    });
  const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });

  it('accepts a delivery signed with GITHUB_WEBHOOK_SECRET', async () => {
    t = await startTestBot();
    const res = await deliver(body, { 'x-hub-signature-256': await sign(TEST_WEBHOOK_SECRET, body) });
    expect(res.status).toBe(200);
  });

  it.each([
    ['a wrong signature', async () => ({ 'x-hub-signature-256': await sign('other-secret', body) })],
    ['a missing signature', async () => ({})],
    ['a malformed signature', async () => ({ 'x-hub-signature-256': 'sha256=zz' })],
  ])('rejects %s with 401', async (_what, headers) => {
    t = await startTestBot();
    const res = await deliver(body, await headers());
    expect(res.status).toBe(401);
    const metrics = await t.deps.telemetry.registry.metrics();
    expect(metrics).toMatch(/analytics_bot_github_webhook_deliveries_total\{event="ping",outcome="bad_signature"\} 1/);
  });

  it('refuses deliveries when no webhook secret is configured', async () => {
    t = await startTestBot({ env: { GITHUB_WEBHOOK_SECRET: undefined } });
    const res = await deliver(body, { 'x-hub-signature-256': await sign(TEST_WEBHOOK_SECRET, body) });
    expect(res.status).toBe(503);
  });
});
