import { blockNetwork, startTestBot, type TestBot } from '../helpers/harness.js';
import { slashCommand } from '../helpers/slack.js';

describe('GET /healthz and GET /metrics', () => {
  let t: TestBot;
  beforeAll(() => blockNetwork());
  beforeEach(async () => {
    t = await startTestBot();
  });
  afterEach(async () => t.stop());

  it('reports readiness and which adapters are live', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ready: true,
      mode: 'http',
      adapters: { slack: 'http', warehouse: 'duckdb', github: 'preview' },
    });
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
    await stopping;
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
