import { request } from 'node:http';
import { sign } from '@octokit/webhooks-methods';
import { WEBHOOK_BODY_LIMIT, WEBHOOK_UNVERIFIED_CONCURRENCY } from '../../src/github/webhooks.js';
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
    ['a made-up event name', { 'x-github-event': 'x'.repeat(200) }],
    ['a missing signature', {}],
  ])('%s never becomes a metric label before the signature is checked', async (_what, headers) => {
    t = await startTestBot();
    for (let i = 0; i < 3; i++) {
      const res = await deliver(body, { ...headers, 'x-github-event': `forged-${i}`, 'x-github-delivery': `d-${i}` });
      expect(res.status).toBe(401);
    }
    const metrics = await t.deps.telemetry.registry.metrics();
    expect(metrics).not.toContain('forged');
    expect(metrics).toMatch(
      /analytics_bot_github_webhook_deliveries_total\{event="unverified",outcome="bad_signature"\} 3/,
    );
    expect(metrics).toMatch(/analytics_bot_refusals_total\{reason="webhook_bad_signature"\} 3/);
  });

  it('a verified delivery of an event the bot does not handle is counted as "other"', async () => {
    t = await startTestBot();
    const res = await deliver(body, {
      'x-github-event': 'fork',
      'x-hub-signature-256': await sign(TEST_WEBHOOK_SECRET, body),
    });
    expect(res.status).toBe(200);
    const metrics = await t.deps.telemetry.registry.metrics();
    expect(metrics).toMatch(/analytics_bot_github_webhook_deliveries_total\{event="other",outcome="ok"\} 1/);
  });

  it('refuses a body over 1 MB with 413, before checking the signature', async () => {
    t = await startTestBot();
    const big = JSON.stringify({ zen: 'x'.repeat(WEBHOOK_BODY_LIMIT) });
    const res = await deliver(big, { 'x-hub-signature-256': await sign(TEST_WEBHOOK_SECRET, big) });
    expect(res.status).toBe(413);
    // A body just under the cap is read and verified as usual.
    const fits = JSON.stringify({ zen: 'x'.repeat(WEBHOOK_BODY_LIMIT - 100) });
    expect((await deliver(fits, { 'x-hub-signature-256': await sign(TEST_WEBHOOK_SECRET, fits) })).status).toBe(200);
    const metrics = await t.deps.telemetry.registry.metrics();
    expect(metrics).toMatch(/analytics_bot_refusals_total\{reason="webhook_too_large"\} 1/);
  });

  it('refuses a chunked body that grows past 1 MB without a Content-Length', async () => {
    t = await startTestBot();
    const { port } = new URL(t.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          port,
          path: '/github/webhooks',
          method: 'POST',
          headers: { 'x-github-event': 'ping', 'x-github-delivery': 'd' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      const chunk = 'x'.repeat(64 * 1024);
      const write = (n: number) => {
        if (n === 0) return req.end();
        req.write(chunk, () => write(n - 1));
      };
      write(Math.ceil((2 * WEBHOOK_BODY_LIMIT) / chunk.length));
    }).catch(() => 413); // the server may reset the connection after answering
    expect(status).toBe(413);
  });

  it(`holds at most ${WEBHOOK_UNVERIFIED_CONCURRENCY} unverified requests at once; more get 503`, async () => {
    t = await startTestBot();
    const { port } = new URL(t.url);
    // Slow senders: headers sent, body never finished, so each holds an unverified slot.
    const open = Array.from({ length: WEBHOOK_UNVERIFIED_CONCURRENCY }, () => {
      const req = request({
        port,
        path: '/github/webhooks',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': '100' },
      });
      req.on('error', () => {});
      req.write('{');
      return req;
    });
    for (
      let waited = 0;
      t.bot.webhooks.unverifiedInFlight < WEBHOOK_UNVERIFIED_CONCURRENCY && waited < 10_000;
      waited += 20
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(t.bot.webhooks.unverifiedInFlight).toBe(WEBHOOK_UNVERIFIED_CONCURRENCY);
    const res = await deliver(body, { 'x-hub-signature-256': await sign(TEST_WEBHOOK_SECRET, body) });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    for (const req of open) req.destroy();
    for (let waited = 0; t.bot.webhooks.unverifiedInFlight > 0 && waited < 10_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const later = await deliver(body, { 'x-hub-signature-256': await sign(TEST_WEBHOOK_SECRET, body) });
    expect(later.status).toBe(200);
    const metrics = await t.deps.telemetry.registry.metrics();
    expect(metrics).toMatch(/analytics_bot_refusals_total\{reason="webhook_busy"\} 1/);
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
    expect(metrics).toMatch(
      /analytics_bot_github_webhook_deliveries_total\{event="unverified",outcome="bad_signature"\} 1/,
    );
  });

  it('refuses deliveries when no webhook secret is configured', async () => {
    t = await startTestBot({ env: { GITHUB_WEBHOOK_SECRET: undefined } });
    const res = await deliver(body, { 'x-hub-signature-256': await sign(TEST_WEBHOOK_SECRET, body) });
    expect(res.status).toBe(503);
  });
});
