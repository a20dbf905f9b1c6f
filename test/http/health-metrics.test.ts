import { blockNetwork, startTestBot, type TestBot } from '../helpers/harness.js';
import { slashCommand } from '../helpers/slack.js';

describe('GET /healthz and GET /metrics', () => {
  let t: TestBot;
  beforeAll(() => blockNetwork());
  beforeEach(async () => {
    t = await startTestBot();
  });
  afterEach(async () => t.stop());

  it('says ok, and nothing about the deployment (mode, adapters, load)', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('exposes Prometheus metrics: requests by surface/outcome and the ack latency histogram', async () => {
    await t.post(slashCommand({ text: 'help' }));
    await t.settle();
    const res = await fetch(`${t.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/analytics_bot_slack_requests_total\{surface="command",outcome="ok"\} 1/);
    expect(text).toMatch(/analytics_bot_slack_ack_latency_seconds_count\{surface="command"\} 1/);
    expect(text).toContain('analytics_bot_warehouse_queries_total');
    expect(text).toContain('analytics_bot_github_calls_total');
    // Refusal counters exist from the start, one series per reason.
    expect(text).toMatch(/analytics_bot_refusals_total\{reason="rate_limited"\} 0/);
    expect(text).toMatch(/analytics_bot_refusals_total\{reason="webhook_too_large"\} 0/);
  });

  it('answers unknown routes with 404 JSON', async () => {
    const res = await fetch(`${t.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'no route for GET /nope' });
  });

  it('reports not ready while draining', async () => {
    const stopping = t.bot.stop(500);
    // The server stops accepting: a new connection fails or is answered 503, never 200.
    const res = await fetch(`${t.url}/healthz`).catch(() => null);
    expect(res?.status ?? 503).toBe(503);
    if (res) expect(await res.json()).toEqual({ status: 'not ready' });
    await stopping;
  });
});

describe('PROMETHEUS_PORT', () => {
  beforeAll(() => blockNetwork());

  it('serves /metrics on its own listener only; the main port no longer answers it', async () => {
    const t = await startTestBot({ env: { PROMETHEUS_PORT: '0' } });
    try {
      const address = t.bot.metricsServer?.address();
      expect(address).toEqual(expect.objectContaining({ port: expect.any(Number) }));
      const port = (address as { port: number }).port;
      expect(port).not.toBe(Number(new URL(t.url).port));
      const scraped = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('analytics_bot_slack_requests_total');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(404);
      expect((await fetch(`${t.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    } finally {
      await t.stop();
    }
    expect(t.bot.metricsServer?.listening).toBe(false);
  });
});

describe('graceful stop', () => {
  beforeAll(() => blockNetwork());

  it('finishes work still running after the ack before closing', async () => {
    const t = await startTestBot();
    let finished = false;
    t.bot.app.command('/slow', async ({ ack }) => {
      await ack();
      await new Promise((resolve) => setTimeout(resolve, 300));
      finished = true;
    });
    const res = await t.post(slashCommand({ command: '/slow' }));
    expect(res.status).toBe(200);
    expect(finished).toBe(false);
    await t.stop();
    expect(finished).toBe(true);
  });
});
