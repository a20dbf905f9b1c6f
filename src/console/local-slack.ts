/**
 * A loopback stand-in for Slack's Web API and response_url, so the local console runs the real Bolt app and the real
 * WebClient unchanged: their HTTP calls land here and are shown in the terminal.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { readBody } from '../http/read-body.js';

export const LOCAL = {
  team: 'T0LOCAL',
  channel: 'C0LOCAL',
  channelName: 'analytics',
  dm: 'D0LOCAL',
  user: 'U0LOCAL',
  userName: (() => {
    try {
      return os.userInfo().username || 'you';
    } catch {
      return 'you';
    }
  })(),
  botUserId: 'U0BOT',
  botId: 'B0BOT',
};

export type SlackOutput =
  | {
      kind: 'message';
      method: string;
      channel?: string;
      thread_ts?: string;
      ephemeral: boolean;
      body: Record<string, unknown>;
    }
  | { kind: 'response_url'; body: Record<string, unknown> }
  | { kind: 'view'; method: string; view: Record<string, unknown>; viewId: string }
  | { kind: 'other'; method: string; body: Record<string, unknown> };

export interface LocalSlack {
  readonly apiUrl: string;
  responseUrl(): string;
  close(): Promise<void>;
}

/** Parses a WebClient body: form-encoded with nested objects as JSON strings, or JSON. */
function parseWebApiBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/json')) return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if (/^[[{]/.test(v)) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // not JSON after all: keep the string
      }
    }
    out[k] = v;
  }
  return out;
}

export async function startLocalSlack(onOutput: (out: SlackOutput) => void): Promise<LocalSlack> {
  let ts = Math.floor(Date.now() / 1000);
  const nextTs = () => `${ts++}.000100`;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://localhost');
      const reply = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.pathname.startsWith('/respond/')) {
        onOutput({ kind: 'response_url', body: parseWebApiBody(raw, 'application/json') });
        return reply({ ok: true });
      }
      const method = url.pathname.replace(/^\/api\//, '');
      const body = parseWebApiBody(raw, req.headers['content-type']);
      switch (method) {
        case 'auth.test':
          return reply({ ok: true, user_id: LOCAL.botUserId, bot_id: LOCAL.botId, team_id: LOCAL.team, user: 'bot' });
        case 'chat.postMessage':
        case 'chat.postEphemeral':
        case 'chat.update': {
          const messageTs = method === 'chat.update' ? String(body.ts) : nextTs();
          onOutput({
            kind: 'message',
            method,
            channel: String(body.channel ?? ''),
            thread_ts: typeof body.thread_ts === 'string' ? body.thread_ts : undefined,
            ephemeral: method === 'chat.postEphemeral',
            body,
          });
          return reply({ ok: true, channel: body.channel, ts: messageTs, message_ts: messageTs, message: body });
        }
        case 'views.open':
        case 'views.push':
        case 'views.update':
        case 'views.publish': {
          const viewId = typeof body.view_id === 'string' ? body.view_id : `V${randomUUID().slice(0, 8).toUpperCase()}`;
          const view = (body.view ?? {}) as Record<string, unknown>;
          onOutput({ kind: 'view', method, view, viewId });
          return reply({ ok: true, view: { ...view, id: viewId } });
        }
        case 'users.info':
          return reply({
            ok: true,
            user: {
              id: body.user,
              name: LOCAL.userName,
              real_name: LOCAL.userName,
              tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
              profile: { display_name: LOCAL.userName, real_name: LOCAL.userName },
            },
          });
        case 'conversations.info':
          return reply({ ok: true, channel: { id: body.channel, name: LOCAL.channelName, is_member: true } });
        case 'conversations.open':
          return reply({ ok: true, channel: { id: LOCAL.dm } });
        case 'conversations.history':
        case 'conversations.replies':
          return reply({ ok: true, messages: [], has_more: false });
        case 'chat.getPermalink':
          return reply({ ok: true, permalink: `https://local.slack/archives/${body.channel}/p${body.message_ts}` });
        default:
          onOutput({ kind: 'other', method, body });
          return reply({ ok: true });
      }
    })().catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let n = 0;
  return {
    apiUrl: `${base}/api/`,
    responseUrl: () => `${base}/respond/${++n}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
