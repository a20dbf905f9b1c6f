/**
 * Socket Mode at its wire protocol: apps.connections.open over HTTP, then Slack's WebSocket envelopes
 * (hello, slash_commands) and the app's acknowledgement carrying the envelope_id and response payload.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { type BotApp, buildApp } from '../../src/app.js';
import { assertBlockKit } from '../helpers/block-kit.js';
import { testConfig } from '../helpers/config.js';
import { testDeps } from '../helpers/harness.js';

describe('Socket Mode', () => {
  let server: Server;
  let wss: WebSocketServer;
  let bot: BotApp | undefined;
  let socket: Promise<WebSocket>;
  let opened: string[];
  let closeWarehouse: (() => Promise<void>) | undefined;

  beforeEach(async () => {
    opened = [];
    server = createServer((req, res) => {
      opened.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      const { port } = server.address() as AddressInfo;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=t1` }));
    });
    wss = new WebSocketServer({ server });
    socket = new Promise((resolve) => {
      wss.on('connection', (ws) => {
        ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0TEST' } }));
        resolve(ws);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    await bot?.stop(1000);
    await closeWarehouse?.();
    for (const c of wss.clients) c.terminate();
    wss.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('connects with the app token, receives a slash command envelope and acks it with the help payload', async () => {
    const { port } = server.address() as AddressInfo;
    const config = testConfig({
      SLACK_APP_TOKEN: 'xapp-1-A0TEST-1-secret',
      SLACK_SIGNING_SECRET: undefined,
      SLACK_API_URL: `http://127.0.0.1:${port}/api/`,
    });
    expect(config.mode).toBe('socket');
    const { deps, logs } = await testDeps({ config });
    const { telemetry } = deps;
    closeWarehouse = () => deps.warehouse.close();
    bot = buildApp(deps, { botId: 'B0BOT', botUserId: 'U0BOT' });
    const address = await bot.start(0);

    const ws = await socket;
    expect(opened[0]).toBe('POST /api/apps.connections.open Bearer xapp-1-A0TEST-1-secret');

    const ack = new Promise<Record<string, unknown>>((resolve) => {
      ws.on('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>));
    });
    ws.send(
      JSON.stringify({
        envelope_id: 'env-1',
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: {
          token: 'x',
          team_id: 'T0TEST',
          channel_id: 'C0ANALYTICS',
          user_id: 'U0ASKER',
          command: '/analytics',
          text: 'help',
          api_app_id: 'A0TEST',
          response_url: 'http://hooks.slack.test/x',
          trigger_id: 't',
        },
      }),
    );
    const reply = await ack;
    expect(reply.envelope_id).toBe('env-1');
    const payload = reply.payload as { response_type: string; text: string };
    expect(payload.response_type).toBe('ephemeral');
    expect(payload.text).toContain('/analytics help');
    assertBlockKit(payload, 'message');

    // /healthz and /metrics are served on PORT in Socket Mode too; /slack/events is not.
    const health = await fetch(`http://127.0.0.1:${address.port}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`http://127.0.0.1:${address.port}/slack/events`, { method: 'POST' })).status).toBe(404);
    // No GitHub credentials in Socket Mode either: requests go to the embedded board, whose page is served here.
    expect((await deps.digest.build(new Date())).snapshot.title).toBe('Local board');
    expect(await (await fetch(`http://127.0.0.1:${address.port}/board`)).text()).toContain('<h1>Local board</h1>');
    expect(await telemetry.registry.metrics()).toMatch(/slack_ack_latency_seconds_count\{surface="command"\} 1/);
    expect(logs.text()).not.toContain('xapp-1-A0TEST-1-secret');
  });
});
