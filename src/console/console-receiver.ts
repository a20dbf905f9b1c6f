/**
 * Local mode: a terminal conversation with the real Bolt app. Typed lines become the same payloads Slack would
 * send (slash commands, app_mention / message.im events, button clicks, view submissions) and go through
 * App.processEvent; replies arrive at the loopback Slack (local-slack.ts) and are printed as text.
 */
import { randomUUID } from 'node:crypto';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { SaveCharts } from './chart-files.js';
import { LOCAL, type SlackOutput } from './local-slack.js';
import { type RenderedButton, renderBlocks, renderMessage, stripControl } from './render.js';

type Json = Record<string, unknown>;

interface ButtonRef extends RenderedButton {
  container: { channel: string; messageTs?: string; responseUrl?: string; threadTs?: string; viewId?: string };
}

export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  responseUrl: () => string;
  /** Called when the person quits (EOF, `exit`, Ctrl-C outside a form). */
  onExit?: () => void;
  /** Draws a message's chart blocks as PNG files; their paths are printed with the message. */
  saveCharts?: SaveCharts;
  /** Lines starting with ':' (moving requests on the local board); `print` shows text in the console. */
  boardCommand?: (line: string, print: (text: string) => void) => Promise<void>;
}

/** Ctrl-C while a prompt waits: cancels the form, or quits the console at its prompt. */
const INTERRUPT = Symbol('interrupt');
type Line = string | null | typeof INTERRUPT;
/** Typed inside a form to close it (the console itself keeps running). */
const CANCEL_WORDS = new Set(['cancel', 'exit', 'quit']);

const HELP = [
  'Type what you would type in Slack:',
  '  /analytics help             a slash command',
  '  @analytics-bot <question>   a mention in #analytics (the bot answers in a thread)',
  '  + <follow-up>               a reply in the thread of your last @analytics-bot question',
  '  <anything else>             a direct message to the bot',
  '  <number>                    press the button shown as [number]',
  '  exit                        quit (inside a form, exit or Ctrl-C closes just the form)',
].join('\n');

const BOARD_HELP =
  '  :status 42 In progress      move request #42 on the local board (also :assign, :comment, :close; :help lists them)';

export class ConsoleReceiver implements Receiver {
  #app?: App;
  #rl?: Interface;
  #lines: string[] = [];
  #waiters: Array<(line: Line) => void> = [];
  /** True while a form's prompts are open: Ctrl-C then closes the form, not the console. */
  #inForm = false;
  /** The cursor is after a prompt: the next output starts with a newline. */
  #atPrompt = false;
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
      // Enter was pressed after the prompt: the terminal's echo has moved to a new line. (A line typed ahead, before
      // its prompt, leaves the cursor after the prompt.)
      if (this.#waiters.length > 0) this.#atPrompt = false;
      const waiter = this.#waiters.shift();
      if (waiter) waiter(line);
      else this.#lines.push(line);
    });
    this.#rl.on('close', () => {
      this.#closed = true;
      for (const w of this.#waiters.splice(0)) w(null);
    });
    this.print(this.options.boardCommand ? `${HELP}\n${BOARD_HELP}` : HELP);
    this.#loop = this.run();
  }

  async stop(): Promise<void> {
    this.#closed = true;
    this.#rl?.close();
    for (const w of this.#waiters.splice(0)) w(null);
  }

  /** Ctrl-C: closes an open form; at the console's own prompt, quits. */
  interrupt(): void {
    if (!this.#inForm) return void this.stop();
    const waiter = this.#waiters.shift();
    if (waiter) waiter(INTERRUPT);
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
    // Output that arrives while a prompt waits starts on a line of its own.
    this.options.output.write(`${this.#atPrompt ? '\n' : ''}${stripControl(text)}\n`);
    this.#atPrompt = false;
  }

  private userName(id: string): string | undefined {
    if (id === LOCAL.user) return LOCAL.userName;
    if (id === LOCAL.botUserId) return 'analytics-bot';
    return undefined;
  }

  private printBlocks(title: string, blocks: unknown, container: ButtonRef['container'], fallback?: unknown): void {
    const lines = renderMessage(
      { blocks, text: fallback },
      { registerButton: (b) => this.registerButton(b, container), userName: (id) => this.userName(id) },
    );
    const charts = this.options.saveCharts?.(blocks);
    for (const file of charts?.paths ?? []) lines.push(`chart image: ${file}`);
    this.print(`\n┌─ ${title}\n${lines.map((l) => `│ ${l}`).join('\n')}\n└─`);
    charts?.written.catch((error: Error) => this.print(`(a chart image could not be drawn: ${error.message})`));
  }

  private registerButton(b: RenderedButton, container: ButtonRef['container']): number {
    const n = this.#nextButton++;
    this.#buttons.set(n, { ...b, container });
    return n;
  }

  private nextLine(prompt?: string): Promise<Line> {
    if (prompt) {
      this.options.output.write(stripControl(prompt));
      this.#atPrompt = true;
    }
    const queued = this.#lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#closed) return Promise.resolve(null);
    return new Promise<Line>((resolve) => this.#waiters.push(resolve));
  }

  private async run(): Promise<void> {
    for (;;) {
      await this.drainModals();
      const line = await this.nextLine('\n> ');
      if (line === null || line === INTERRUPT) break;
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
    if (this.#atPrompt) this.options.output.write('\n');
    this.#atPrompt = false;
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
    if (text.startsWith(':') && this.options.boardCommand) return this.options.boardCommand(text, (t) => this.print(t));
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

  /**
   * One form, as prompts: each input block in turn, then a view_submission. When the app answers with errors, only
   * the fields that failed are asked again, each with its error; every other answer is kept.
   */
  private async promptModal(view: Json, viewId: string): Promise<void> {
    const title = (view.title as { text?: string } | undefined)?.text ?? 'Form';
    const blocks = Array.isArray(view.blocks) ? (view.blocks as Json[]) : [];
    const inputs = blocks.filter((b) => b.type === 'input');
    if (inputs.length === 0) {
      // An informational view (e.g. "request received"): show it, nothing to submit.
      this.printBlocks(title, blocks, { channel: LOCAL.channel });
      return;
    }
    this.print(`\n┌─ ${title} (a form: answer each prompt; "cancel", "exit" or Ctrl-C closes it)`);
    const values: Record<string, Record<string, Json>> = {};
    let errors: Record<string, string> = {};
    this.#inForm = true;
    try {
      for (;;) {
        const retry = Object.keys(errors).length > 0;
        for (const block of blocks) {
          if (block.type !== 'input') {
            if (!retry) for (const l of renderBlocks([block])) this.print(`│ ${l}`);
            continue;
          }
          const blockId = String(block.block_id);
          if (retry && !errors[blockId]) continue;
          const element = (block.element ?? {}) as Json;
          const label = (block.label as { text?: string } | undefined)?.text ?? blockId;
          const answer = await this.promptElement(label, element, Boolean(block.optional), errors[blockId]);
          if (answer === 'cancel') {
            this.print('└─ form closed; nothing was sent');
            return;
          }
          values[blockId] = { [String(element.action_id ?? 'value')]: answer };
        }
        this.print('└─ submitted');
        const next = await this.submitView(view, viewId, values);
        if (next.errors) {
          errors = next.errors;
          const known = new Set(inputs.map((b) => String(b.block_id)));
          const elsewhere = Object.entries(errors).filter(([id]) => !known.has(id));
          if (elsewhere.length > 0 || Object.keys(errors).length === 0) {
            // Nothing the person can fix here (e.g. an outdated form): say so and close it.
            for (const [, message] of elsewhere) this.print(`⚠ ${message}`);
            return;
          }
          const n = Object.keys(errors).length;
          this.print(
            `\n┌─ ${title}: ${n === 1 ? 'one answer needs' : `${n} answers need`} fixing; the others are kept`,
          );
          continue;
        }
        if (next.view) this.#modals.unshift({ view: next.view, viewId });
        return;
      }
    } finally {
      this.#inForm = false;
    }
  }

  private async submitView(
    view: Json,
    viewId: string,
    values: Record<string, Record<string, Json>>,
  ): Promise<{ errors?: Record<string, string>; view?: Json }> {
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
    return next;
  }

  private async promptElement(
    label: string,
    element: Json,
    optional: boolean,
    error?: string,
  ): Promise<Json | 'cancel'> {
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
    const problem = error ? ` ⚠ ${error}` : '';
    const line = await this.nextLine(`│ ${label}${hint[type] ?? ''}${opt}${keep}${problem}: `);
    if (line === null || line === INTERRUPT || CANCEL_WORDS.has(line.trim().toLowerCase())) return 'cancel';
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
