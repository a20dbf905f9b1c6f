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
  triggerId?: string;
}): SlackRequest & { responseUrl: string } {
  const n = next();
  const responseUrl = opts.responseUrl ?? `${RESPONSE_URL_ORIGIN}/actions/T0TEST/${n}/resp`;
  const req = interactivity({
    type: 'block_actions',
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    trigger_id: opts.triggerId ?? `${n}.trigger`,
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

type ViewJson = {
  id?: string;
  callback_id?: string;
  private_metadata?: string;
  blocks?: Array<Record<string, unknown>>;
};

/**
 * A view_submission built from the view the app opened: each input block's element gets the answer keyed by its
 * block_id (a string for text, a date for datepickers, an option value for radios/selects, arrays for multi).
 */
export function viewSubmission(
  view: ViewJson,
  answers: Record<string, unknown>,
  user: { id?: string; name?: string } = {},
): SlackRequest {
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of view.blocks ?? []) {
    if (block.type !== 'input') continue;
    const blockId = String(block.block_id);
    const element = block.element as { type: string; action_id: string; options?: Array<{ value: string }> };
    const answer = answers[blockId];
    const option = (v: unknown) => element.options?.find((o) => o.value === v) ?? (v ? { value: v } : null);
    let value: Record<string, unknown>;
    switch (element.type) {
      case 'datepicker':
        value = { type: element.type, selected_date: answer ?? null };
        break;
      case 'radio_buttons':
      case 'static_select':
        value = { type: element.type, selected_option: answer === undefined ? null : option(answer) };
        break;
      case 'multi_static_select':
      case 'checkboxes':
        value = { type: element.type, selected_options: ((answer as unknown[]) ?? []).map(option) };
        break;
      case 'multi_users_select':
        value = { type: element.type, selected_users: answer ?? [] };
        break;
      case 'file_input':
        value = { type: element.type, files: answer ?? [] };
        break;
      default:
        value = { type: element.type, value: answer ?? null };
    }
    values[blockId] = { [element.action_id]: value };
  }
  return interactivity({
    type: 'view_submission',
    team: { id: 'T0TEST', domain: 'acme' },
    user: { id: user.id ?? 'U0ASKER', username: 'asker', name: user.name ?? 'asker', team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    trigger_id: `${next()}.trigger`,
    view: { ...view, id: view.id ?? 'V0TEST', team_id: 'T0TEST', state: { values }, hash: 'h' },
    response_urls: [],
  });
}

export function messageShortcut(opts: { callbackId: string; text: string; ts?: string; user?: string }): SlackRequest {
  return interactivity({
    type: 'message_action',
    callback_id: opts.callbackId,
    trigger_id: `${next()}.trigger`,
    team: { id: 'T0TEST', domain: 'acme' },
    user: { id: 'U0ASKER', username: 'asker', name: 'asker', team_id: 'T0TEST' },
    channel: { id: 'C0ANALYTICS', name: 'analytics' },
    message: { type: 'message', user: opts.user ?? 'U0COLLEAGUE', ts: opts.ts ?? '1700000000.000100', text: opts.text },
    message_ts: opts.ts ?? '1700000000.000100',
    response_url: `${RESPONSE_URL_ORIGIN}/shortcut/${next()}`,
    token: 'legacy-verification-token',
    action_ts: '1700000001.000000',
  });
}

export function globalShortcut(callbackId: string): SlackRequest {
  return interactivity({
    type: 'shortcut',
    callback_id: callbackId,
    trigger_id: `${next()}.trigger`,
    team: { id: 'T0TEST', domain: 'acme' },
    user: { id: 'U0ASKER', username: 'asker', team_id: 'T0TEST' },
    token: 'legacy-verification-token',
    action_ts: '1700000001.000000',
  });
}
