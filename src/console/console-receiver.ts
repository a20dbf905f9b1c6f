/**
 * Local mode (#2): a terminal conversation with the real Bolt app. Typed lines become the same payloads Slack would
 * send (slash commands, app_mention / message.im events, button clicks, view submissions) and go through
 * App.processEvent; replies arrive at the loopback Slack (local-slack.ts) and are printed as text.
 */
import { randomUUID } from 'node:crypto';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { LOCAL, type SlackOutput } from './local-slack.js';
import { mrkdwnToText, type RenderedButton, renderBlocks } from './render.js';

type Json = Record<string, unknown>;

interface ButtonRef extends RenderedButton {
  container: { channel: string; messageTs?: string; responseUrl?: string; threadTs?: string; viewId?: string };
}

export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  responseUrl: () => string;
  /** Called when the person quits (EOF, `exit`). */
  onExit?: () => void;
}

const HELP = [
  'Type what you would type in Slack:',
  '  /analytics help             a slash command',
  '  @analytics-bot <question>   a mention in #analytics (the bot answers in a thread)',
  '  + <follow-up>               a reply in the thread of your last @analytics-bot question',
  '  <anything else>             a direct message to the bot',
  '  <number>                    press the button shown as [number]',
  '  exit                        quit',
].join('\n');

export class ConsoleReceiver implements Receiver {
  #app?: App;
  #rl?: Interface;
  #lines: string[] = [];
  #waiters: Array<(line: string | null) => void> = [];
  #closed = false;
  #buttons = new Map<number, ButtonRef>();
  #nextButton = 1;
  #modals: Array<{ view: Json; viewId: string }> = [];
  #loop?: Promise<void>;
  /** The last mention's ts: "+ …" replies in its thread, as people follow up in Slack. */
  #lastThread?: string;

  constructor(private readonly options: ConsoleOptions) {}

  init(app: App): void {
    this.#app = app;
  }

  async start(): Promise<void> {
    this.#rl = createInterface({ input: this.options.input, terminal: false });
    this.#rl.on('line', (line) => {
      const waiter = this.#waiters.shift();
      if (waiter) waiter(line);
      else this.#lines.push(line);
    });
    this.#rl.on('close', () => {
      this.#closed = true;
      for (const w of this.#waiters.splice(0)) w(null);
    });
    this.print(HELP);
    this.#loop = this.run();
  }

  async stop(): Promise<void> {
    this.#closed = true;
    this.#rl?.close();
    for (const w of this.#waiters.splice(0)) w(null);
  }

  /** Everything the loopback Slack receives is shown here. */
  show(out: SlackOutput): void {
    if (out.kind === 'view') {
      if (out.method === 'views.publish') this.printBlocks('App Home', out.view.blocks, { channel: LOCAL.dm });
      else this.#modals.push({ view: out.view, viewId: out.viewId });
      return;
    }
    if (out.kind === 'other') {
      if (out.method === 'reactions.add') this.print(`(bot reacted :${String(out.body.name)}:)`);
      return;
    }
    const body = out.body;
    if (out.kind === 'response_url') {
      if (body.delete_original) return;
      const visibility = body.response_type === 'in_channel' ? '#analytics' : 'only visible to you';
      this.printBlocks(`analytics-bot (${visibility})`, body.blocks, { channel: LOCAL.channel }, body.text);
      return;
    }
    const where = out.channel === LOCAL.dm || /^[UWD]/.test(out.channel ?? '') ? 'DM' : '#analytics';
    const label = `analytics-bot in ${where}${out.thread_ts ? ' (thread)' : ''}${out.ephemeral ? ' (only visible to you)' : ''}`;
    this.printBlocks(label, body.blocks, { channel: out.channel ?? LOCAL.channel, threadTs: out.thread_ts }, body.text);
  }

  private print(text: string): void {
    this.options.output.write(`${text}\n`);
  }

  private printBlocks(title: string, blocks: unknown, container: ButtonRef['container'], fallback?: unknown): void {
    const lines =
      Array.isArray(blocks) && blocks.length > 0
        ? renderBlocks(blocks, (b) => this.registerButton(b, container))
        : [mrkdwnToText(String(fallback ?? ''))];
    this.print(`\n┌─ ${title}\n${lines.map((l) => `│ ${l}`).join('\n')}\n└─`);
  }

  private registerButton(b: RenderedButton, container: ButtonRef['container']): number {
    const n = this.#nextButton++;
    this.#buttons.set(n, { ...b, container });
    return n;
  }

  private nextLine(prompt?: string): Promise<string | null> {
    if (prompt) this.options.output.write(prompt);
    const queued = this.#lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  private async run(): Promise<void> {
    for (;;) {
      await this.drainModals();
      const line = await this.nextLine('\n> ');
      if (line === null) break;
      const text = line.trim();
      if (text === '') continue;
      if (text === 'exit' || text === 'quit') break;
      try {
        await this.handleLine(text);
      } catch (error) {
        this.print(`(console) ${(error as Error).message}`);
      }
    }
    this.#closed = true;
    this.options.onExit?.();
  }

  private async handleLine(text: string): Promise<void> {
    if (/^\/analytics\b/i.test(text)) return this.dispatch(this.slashCommand(text.replace(/^\/analytics\s*/i, '')));
    const mention = /^@(analytics-bot|bot)\b[:,]?\s*/i.exec(text);
    if (mention)
      return this.dispatch(this.event('app_mention', `<@${LOCAL.botUserId}> ${text.slice(mention[0].length)}`));
    if (text.startsWith('+')) {
      if (!this.#lastThread) return this.print('(console) "+" replies in a thread: ask @analytics-bot something first');
      return this.dispatch(
        this.event('app_mention', `<@${LOCAL.botUserId}> ${text.slice(1).trim()}`, this.#lastThread),
      );
    }
    if (/^\d+$/.test(text)) return this.click(Number(text));
    if (text === '?' || text === 'console help') return this.print(HELP);
    return this.dispatch(this.event('message', text));
  }

  private async dispatch(body: Json, onAck?: (response: unknown) => void): Promise<void> {
    if (!this.#app) throw new Error('console receiver not initialised');
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => {
        if (onAck) onAck(response);
        else if (response) this.show({ kind: 'response_url', body: normaliseAck(response) });
      },
    };
    await this.#app.processEvent(event);
  }

  private base() {
    return {
      token: 'local',
      api_app_id: 'A0LOCAL',
      team_id: LOCAL.team,
      trigger_id: `local.${randomUUID()}`,
    };
  }

  private slashCommand(text: string): Json {
    return {
      ...this.base(),
      team_domain: 'local',
      channel_id: LOCAL.channel,
      channel_name: LOCAL.channelName,
      user_id: LOCAL.user,
      user_name: LOCAL.userName,
      command: '/analytics',
      text,
      response_url: this.options.responseUrl(),
    };
  }

  private event(type: 'app_mention' | 'message', text: string, threadTs?: string): Json {
    const ts = `${(Date.now() / 1000).toFixed(6)}`;
    if (type === 'app_mention' && !threadTs) this.#lastThread = ts;
    const channel = type === 'app_mention' ? LOCAL.channel : LOCAL.dm;
    const event: Json = { type, user: LOCAL.user, text, ts, channel, event_ts: ts };
    if (type === 'message') event.channel_type = 'im';
    if (threadTs) event.thread_ts = threadTs;
    return {
      token: 'local',
      team_id: LOCAL.team,
      api_app_id: 'A0LOCAL',
      type: 'event_callback',
      event_id: `Ev${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      event,
      authorizations: [{ team_id: LOCAL.team, user_id: LOCAL.botUserId, is_bot: true }],
    };
  }

  private async click(n: number): Promise<void> {
    const button = this.#buttons.get(n);
    if (!button) return this.print(`(console) there is no button [${n}]`);
    if (button.url) this.print(`(opens ${button.url})`);
    const responseUrl = this.options.responseUrl();
    await this.dispatch({
      ...this.base(),
      type: 'block_actions',
      user: { id: LOCAL.user, username: LOCAL.userName, name: LOCAL.userName, team_id: LOCAL.team },
      team: { id: LOCAL.team, domain: 'local' },
      channel: { id: button.container.channel, name: LOCAL.channelName },
      container: { type: 'message', channel_id: button.container.channel, message_ts: button.container.messageTs },
      response_url: responseUrl,
      actions: [
        {
          type: 'button',
          action_id: button.actionId,
          block_id: button.blockId ?? 'local',
          value: button.value,
          text: { type: 'plain_text', text: button.text },
          action_ts: `${Date.now() / 1000}`,
        },
      ],
    });
  }

  /** Modals become prompts: one per input block, then a view_submission. */
  private async drainModals(): Promise<void> {
    for (let modal = this.#modals.shift(); modal; modal = this.#modals.shift()) {
      await this.promptModal(modal.view, modal.viewId);
    }
  }

  private async promptModal(view: Json, viewId: string, errors: Record<string, string> = {}): Promise<void> {
    const title = (view.title as { text?: string } | undefined)?.text ?? 'Form';
    const blocks = Array.isArray(view.blocks) ? (view.blocks as Json[]) : [];
    if (!blocks.some((b) => b.type === 'input')) {
      // An informational view (e.g. "request received"): show it, nothing to submit.
      this.printBlocks(title, blocks, { channel: LOCAL.channel });
      return;
    }
    this.print(`\n┌─ ${title} (a form: answer each prompt; type "cancel" to close it)`);
    const values: Record<string, Record<string, Json>> = {};
    for (const block of blocks) {
      if (block.type !== 'input') {
        const lines = renderBlocks([block], () => 0).filter((l) => !l.includes('[0]'));
        for (const l of lines) this.print(`│ ${l}`);
        continue;
      }
      const blockId = String(block.block_id);
      const element = (block.element ?? {}) as Json;
      const actionId = String(element.action_id ?? 'value');
      const label = (block.label as { text?: string } | undefined)?.text ?? blockId;
      if (errors[blockId]) this.print(`│ ⚠ ${errors[blockId]}`);
      const answer = await this.promptElement(label, element, Boolean(block.optional));
      if (answer === 'cancel') {
        this.print('└─ form closed');
        return;
      }
      values[blockId] = { [actionId]: answer };
    }
    this.print('└─ submitted');
    let next: { errors?: Record<string, string>; view?: Json } = {};
    await this.dispatch(
      {
        ...this.base(),
        type: 'view_submission',
        user: { id: LOCAL.user, username: LOCAL.userName, name: LOCAL.userName, team_id: LOCAL.team },
        team: { id: LOCAL.team, domain: 'local' },
        view: { ...view, id: viewId, team_id: LOCAL.team, state: { values }, hash: 'local' },
        response_urls: [],
      },
      (response) => {
        const r = (response ?? {}) as { response_action?: string; errors?: Record<string, string>; view?: Json };
        if (r.response_action === 'errors') next = { errors: r.errors ?? {} };
        else if (r.response_action === 'update' || r.response_action === 'push') next = { view: r.view };
      },
    );
    if (next.errors) return this.promptModal(view, viewId, next.errors);
    if (next.view) this.#modals.unshift({ view: next.view, viewId });
  }

  private async promptElement(label: string, element: Json, optional: boolean): Promise<Json | 'cancel'> {
    const type = String(element.type);
    const opt = optional ? ' (optional, Enter to skip)' : '';
    const options = (Array.isArray(element.options) ? element.options : []) as Json[];
    const optionText = (o: Json) => (o.text as { text?: string } | undefined)?.text ?? String(o.value);
    if (options.length > 0) this.print(options.map((o, i) => `│   ${i + 1}. ${optionText(o)}`).join('\n'));
    const hint: Record<string, string> = {
      datepicker: ' [YYYY-MM-DD]',
      radio_buttons: ' [number]',
      static_select: ' [number]',
      multi_static_select: ' [numbers, comma-separated]',
      checkboxes: ' [numbers, comma-separated]',
      users_select: ' [user id]',
      multi_users_select: ' [user ids, comma-separated]',
      file_input: ' [files cannot be attached here: Enter]',
    };
    const initial = typeof element.initial_value === 'string' ? element.initial_value : undefined;
    const keep = initial ? ` [Enter keeps: ${initial.length > 60 ? `${initial.slice(0, 60)}…` : initial}]` : '';
    const line = await this.nextLine(`│ ${label}${hint[type] ?? ''}${opt}${keep}: `);
    if (line === null || line.trim() === 'cancel') return 'cancel';
    const raw = line.trim() || initial || '';
    const pick = (s: string) => options[Number(s) - 1];
    const list = raw ? raw.split(',').map((s) => s.trim()) : [];
    switch (type) {
      case 'datepicker':
        return { type, selected_date: raw || null };
      case 'radio_buttons':
      case 'static_select':
        return { type, selected_option: raw ? (pick(raw) ?? null) : null };
      case 'multi_static_select':
      case 'checkboxes':
        return { type, selected_options: list.map(pick).filter(Boolean) };
      case 'users_select':
        return { type, selected_user: raw || null };
      case 'multi_users_select':
        return { type, selected_users: list };
      case 'file_input':
        return { type, files: [] };
      default:
        return { type, value: raw || null };
    }
  }

  /** Resolves when the person has quit. */
  get finished(): Promise<void> {
    return this.#loop ?? Promise.resolve();
  }
}

function normaliseAck(response: unknown): Json {
  return typeof response === 'string' ? { text: response } : (response as Json);
}
