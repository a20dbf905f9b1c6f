/** Signed Slack requests, as Slack sends them: form bodies for commands and interactivity, JSON for events. */
import { createHmac } from 'node:crypto';
import { RESPONSE_URL_ORIGIN, TEST_SIGNING_SECRET } from './config.js';

export interface SignOptions {
  secret?: string;
  /** Seconds since epoch; defaults to now. */
  timestamp?: number;
  /** Replace the computed signature (to test rejection); null leaves the header out. */
  signature?: string | null;
  retryNum?: number;
  retryReason?: string;
}

export interface SlackRequest {
  body: string;
  contentType: string;
}

export function sign(body: string, timestamp: number, secret = TEST_SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function signedHeaders(req: SlackRequest, opts: SignOptions = {}): Record<string, string> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': req.contentType,
    'x-slack-request-timestamp': String(timestamp),
  };
  const signature = opts.signature === undefined ? sign(req.body, timestamp, opts.secret) : opts.signature;
  if (signature !== null) headers['x-slack-signature'] = signature;
  if (opts.retryNum !== undefined) headers['x-slack-retry-num'] = String(opts.retryNum);
  if (opts.retryReason !== undefined) headers['x-slack-retry-reason'] = opts.retryReason;
  return headers;
}

let seq = 0;
const next = () => ++seq;

export interface SlashCommandFields {
  text?: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  command?: string;
  response_url?: string;
  trigger_id?: string;
}

export function slashCommand(fields: SlashCommandFields = {}): SlackRequest & { responseUrl: string } {
  const n = next();
  const responseUrl = fields.response_url ?? `${RESPONSE_URL_ORIGIN}/commands/T0TEST/${n}/resp`;
  const form = new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0TEST',
    team_domain: 'acme',
    channel_id: fields.channel_id ?? 'C0ANALYTICS',
    channel_name: fields.channel_name ?? 'analytics',
    user_id: fields.user_id ?? 'U0ASKER',
    user_name: fields.user_name ?? 'asker',
    command: fields.command ?? '/analytics',
    text: fields.text ?? '',
    api_app_id: 'A0TEST',
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: fields.trigger_id ?? `${n}.trigger`,
  });
  return { body: form.toString(), contentType: 'application/x-www-form-urlencoded', responseUrl };
}

export function interactivity(payload: Record<string, unknown>): SlackRequest {
  return {
    body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    contentType: 'application/x-www-form-urlencoded',
  };
}

/** A block_actions payload for one clicked button. */
export function buttonClick(opts: {
  actionId: string;
  value?: string;
  blockId?: string;
  userId?: string;
  channelId?: string;
  responseUrl?: string;
  messageTs?: string;
}): SlackRequest & { responseUrl: string } {
  const n = next();
  const responseUrl = opts.responseUrl ?? `${RESPONSE_URL_ORIGIN}/actions/T0TEST/${n}/resp`;
  const req = interactivity({
    type: 'block_actions',
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    trigger_id: `${n}.trigger`,
    team: { id: 'T0TEST', domain: 'acme' },
    user: { id: opts.userId ?? 'U0ASKER', username: 'asker', name: 'asker', team_id: 'T0TEST' },
    channel: { id: opts.channelId ?? 'C0ANALYTICS', name: 'analytics' },
    container: { type: 'message', message_ts: opts.messageTs ?? '1700000000.000100', channel_id: 'C0ANALYTICS' },
    response_url: responseUrl,
    actions: [
      {
        type: 'button',
        action_id: opts.actionId,
        block_id: opts.blockId ?? 'blk',
        value: opts.value,
        text: { type: 'plain_text', text: 'x' },
        action_ts: '1700000000.000200',
      },
    ],
  });
  return { ...req, responseUrl };
}

export function eventEnvelope(event: Record<string, unknown>, eventId = `Ev${String(next()).padStart(8, '0')}`) {
  return {
    body: JSON.stringify({
      token: 'legacy-verification-token',
      team_id: 'T0TEST',
      api_app_id: 'A0TEST',
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      event,
      authorizations: [{ team_id: 'T0TEST', user_id: 'U0BOT', is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    }),
    contentType: 'application/json',
  } satisfies SlackRequest;
}

export function urlVerification(challenge: string): SlackRequest {
  return {
    body: JSON.stringify({ token: 'legacy', challenge, type: 'url_verification' }),
    contentType: 'application/json',
  };
}
