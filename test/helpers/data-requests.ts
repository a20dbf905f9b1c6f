/**
 * Data requests through the real app: the GitHub environment, the modal's answers, opening and submitting the modal
 * with signed requests, and a Slack fake that remembers what was posted where (with message metadata), so the
 * bot's "did I already post this?" lookups see what a real workspace would show.
 */

import nock from 'nock';
import type { DataRequest } from '../../src/requests/data-request.js';
import { GITHUB_TEST_ENV } from './github.js';
import type { TestBot } from './harness.js';
import { slashCommand, viewSubmission } from './slack.js';

type Json = Record<string, unknown>;

export const GITHUB_ENV = GITHUB_TEST_ENV;

export const ANSWERS = {
  title_block: 'Weekly actives by plan for the board deck',
  purpose_block: 'The Q1 board deck needs product usage by plan; the CEO asked for it.',
  deliverable_block: 'A weekly line chart of WAU by plan over the last 6 months, plus a table of the latest week.',
  needed_by_block: '2026-12-15',
  necessity_block: 'necessity',
  links_block: 'https://docs.example.com/board-deck',
  stakeholders_block: ['U0CEO'],
  sources_block: ['product_events', 'looker'],
};

/** A stored request as the modal would have produced it (for tests that start behind the submission). */
export function storedRequest(key: string, submittedAt: number, overrides: Partial<DataRequest> = {}): DataRequest {
  return {
    key,
    title: 'Churn by plan for the QBR',
    purpose: 'The QBR deck needs churn by plan.',
    deliverable: 'A monthly table by plan.',
    neededBy: '2026-12-15',
    necessity: 'necessity',
    stakeholders: [],
    sources: [],
    sketches: [],
    requester: { id: 'U0ASKER', name: 'Ada' },
    origin: {},
    submittedAt: new Date(submittedAt).toISOString(),
    ...overrides,
  };
}

export async function openRequestModal(t: TestBot, text = 'request Weekly actives by plan'): Promise<Json> {
  await t.post(slashCommand({ text }));
  await t.settle();
  const open = t.callsTo('views.open').at(-1);
  if (!open) throw new Error('the modal did not open');
  return open.body as Json;
}

/** Submits the modal (signed view_submission) and waits for the post-ack work; returns the ack body. */
export async function submitRequest(t: TestBot, view: Json, answers: Record<string, unknown> = ANSWERS): Promise<Json> {
  const res = await t.post(viewSubmission(view, answers));
  if (res.status !== 200) throw new Error(`view_submission answered ${res.status}`);
  const text = await res.text();
  await t.settle();
  return text ? (JSON.parse(text) as Json) : {};
}

export interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  eventType?: string;
  key?: string;
}

type Fault = { status?: number; body: Json; headers?: Record<string, string> };

export interface FakeWorkspace {
  /** Messages that really went out, per channel (DMs under the IM channel id). */
  posted: PostedMessage[];
  /** Queue answers for the next chat.postMessage calls to `channel` (a user id for DMs). */
  fail(channel: string, ...faults: Fault[]): void;
  /** Answer every post to `channel` with this fault until cleared with `undefined`. */
  failAlways(channel: string, fault: Fault | undefined): void;
  dmsTo(user: string): PostedMessage[];
  inChannel(channel: string): PostedMessage[];
}

const imOf = (user: string) => `D${user.slice(1)}`;

type MethodReply = (body: Record<string, unknown>) => {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
};

/** Where Web API answers are set: the test bot's Slack fake, or a standalone one (fakeSlackApi). */
export interface SlackApiFake {
  onSlackMethod(method: string, reply: MethodReply): void;
}

/** A Slack Web API at `origin` (for processes other than the test bot): form or JSON bodies, `{ ok: true }` by default. */
export function fakeSlackApi(origin: string): SlackApiFake {
  const replies = new Map<string, MethodReply>();
  nock(origin)
    .persist()
    .post(/^\/api\/[\w.]+$/)
    .reply(function (uri, requestBody) {
      const method = uri.replace(/^\/api\//, '');
      const raw = typeof requestBody === 'string' ? requestBody : JSON.stringify(requestBody);
      const json = String(this.req.headers['content-type'] ?? '').includes('json');
      const body = json ? (JSON.parse(raw) as Json) : Object.fromEntries(new URLSearchParams(raw));
      const reply = replies.get(method)?.(body) ?? { body: { ok: true } };
      return [reply.status ?? 200, reply.body as nock.Body, reply.headers ?? {}];
    });
  return { onSlackMethod: (method, reply) => void replies.set(method, reply) };
}

/** chat.postMessage, conversations.open and conversations.history over one in-memory workspace. */
export function fakeWorkspace(t: SlackApiFake | TestBot): FakeWorkspace {
  const posted: PostedMessage[] = [];
  const queued = new Map<string, Fault[]>();
  const always = new Map<string, Fault>();
  let clock = 1_700_000_000;
  t.onSlackMethod('chat.postMessage', (b) => {
    const target = String(b.channel);
    const fault = queued.get(target)?.shift() ?? always.get(target);
    if (fault) return { status: fault.status ?? 200, body: fault.body, headers: fault.headers };
    const channel = /^[UW]/.test(target) ? imOf(target) : target;
    const metadata = (typeof b.metadata === 'string' ? JSON.parse(b.metadata) : b.metadata) as
      | { event_type?: string; event_payload?: { key?: string } }
      | undefined;
    const ts = `${++clock}.000100`;
    posted.push({
      channel,
      ts,
      text: String(b.text ?? ''),
      eventType: metadata?.event_type,
      key: metadata?.event_payload?.key,
    });
    return { body: { ok: true, channel, ts, message: { text: b.text } } };
  });
  t.onSlackMethod('conversations.open', (b) => ({
    body: { ok: true, channel: { id: imOf(String(b.users)) } },
  }));
  t.onSlackMethod('conversations.history', (b) => ({
    body: {
      ok: true,
      messages: posted
        .filter((m) => m.channel === b.channel)
        .reverse()
        .map((m) => ({
          type: 'message',
          ts: m.ts,
          text: m.text,
          bot_id: 'B0BOT',
          ...(m.eventType ? { metadata: { event_type: m.eventType, event_payload: { key: m.key } } } : {}),
        })),
      has_more: false,
    },
  }));
  return {
    posted,
    fail(channel, ...faults) {
      queued.set(channel, [...(queued.get(channel) ?? []), ...faults]);
    },
    failAlways(channel, fault) {
      if (fault) always.set(channel, fault);
      else always.delete(channel);
    },
    dmsTo: (user) => posted.filter((m) => m.channel === imOf(user)),
    inChannel: (channel) => posted.filter((m) => m.channel === channel),
  };
}
