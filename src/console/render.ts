/**
 * Renders Block Kit as readable terminal text, the way Slack would show it: formatting marks and emoji codes become
 * what they stand for, links `label (url)`, mentions names, buttons numbered choices people can type. Used by the
 * local console and the CLI (`ask`, `digest --dry-run`).
 */

export interface RenderedButton {
  actionId: string;
  blockId?: string;
  value?: string;
  url?: string;
  text: string;
}

export interface RenderOptions {
  /** Returns the number a person types to press a button; without it buttons are listed, not numbered. */
  registerButton?: (b: RenderedButton) => number;
  /** A display name for a Slack user id (mentions show names, not ids). */
  userName?: (id: string) => string | undefined;
}

import { type DataVisualizationBlock, describeChart } from '../views/charts.js';

type Json = Record<string, unknown>;

const asArray = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const textOf = (t: unknown): string => {
  const obj = t as { text?: unknown } | undefined;
  return typeof obj?.text === 'string' ? obj.text : '';
};

/** The emoji codes the bot's messages use, as the emoji Slack shows. Unknown codes stay as typed. */
const EMOJI: Record<string, string> = {
  white_check_mark: '✅',
  inbox_tray: '📥',
  hourglass_flowing_sand: '⏳',
  bust_in_silhouette: '👤',
  zzz: '💤',
  warning: '⚠️',
  speech_balloon: '💬',
  rotating_light: '🚨',
  new: '🆕',
  lock: '🔒',
  label: '🏷️',
  floppy_disk: '💾',
  card_index_dividers: '🗂️',
  calendar: '📅',
  arrows_counterclockwise: '🔄',
  thumbsup: '👍',
  '+1': '👍',
  thumbsdown: '👎',
  '-1': '👎',
  bar_chart: '📊',
  chart_with_upwards_trend: '📈',
  chart_with_downwards_trend: '📉',
  mag: '🔍',
  bulb: '💡',
  x: '❌',
  question: '❓',
  tada: '🎉',
  eyes: '👀',
};

const EMOJI_CODE = /:([a-z0-9_+-]+):/g;
const emoji = (text: string) => text.replace(EMOJI_CODE, (m, code: string) => EMOJI[code] ?? m);

/**
 * Terminal control characters (escape sequences, bells, backspaces…) from any text we print: message text can
 * carry what someone else typed, and nothing may reach the terminal that it would interpret.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function stripControl(text: string): string {
  return text.replace(CONTROL, '');
}

/** Bold, italics, strikethrough and inline code, as Slack reads them: marks at word boundaries only. */
function stripFormatting(line: string): string {
  const edge = (mark: string) =>
    new RegExp(
      `(^|[\\s(\\[“"'•>])\\${mark}([^\\s${mark}](?:[^${mark}\\n]*[^\\s${mark}])?)\\${mark}(?=$|[\\s).,:;!?\\]”"'…])`,
      'g',
    );
  let out = line;
  for (const mark of ['*', '_', '~']) {
    // Twice: one pass cannot see marks that share a boundary ("*a* *b*").
    out = out.replace(edge(mark), '$1$2').replace(edge(mark), '$1$2');
  }
  return out.replace(/`([^`\n]+)`/g, '$1');
}

/** Slack mrkdwn to plain text: links become `label (url)`, mentions names, formatting and entities resolved. */
export function mrkdwnToText(text: string, opts: Pick<RenderOptions, 'userName'> = {}): string {
  const lines: string[] = [];
  let inCode = false;
  for (const raw of stripControl(text).split('\n')) {
    // ``` fences: the code keeps its characters (SQL, sparklines), indented instead of fenced.
    const fences = raw.split('```');
    let line = '';
    for (let i = 0; i < fences.length; i++) {
      if (i > 0) inCode = !inCode;
      const part = fences[i]!;
      line += inCode ? part : stripFormatting(part);
    }
    if (raw.includes('```') && line.trim() === '') continue;
    lines.push(inCode && !raw.startsWith('```') ? `    ${line}` : line);
  }
  return lines
    .join('\n')
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replace(/<mailto:[^|>]+\|([^>]+)>/g, '$1')
    .replace(
      /<@([A-Z0-9_]+)(?:\|([^>]+))?>/g,
      (_m, id: string, label?: string) => `@${label ?? opts.userName?.(id) ?? id}`,
    )
    .replace(/<#([A-Z0-9_]+)(?:\|([^>]*))?>/g, (_m, id: string, label?: string) => `#${label || id}`)
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<!subteam\^[A-Z0-9]+\|([^>]+)>/g, '$1')
    .replace(EMOJI_CODE, (m, code: string) => EMOJI[code] ?? m)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Renders blocks to lines. Buttons become `[n] label` choices (or `[label]` when nothing can press them). */
export function renderBlocks(blocks: unknown, opts: RenderOptions = {}): string[] {
  const lines: string[] = [];
  const text = (t: unknown) => mrkdwnToText(textOf(t), opts);
  const renderButtons = (elements: Json[], blockId?: string) => {
    const labels = elements
      .filter((e) => e.type === 'button')
      .map((e) => {
        const b: RenderedButton = {
          actionId: String(e.action_id ?? ''),
          blockId,
          value: typeof e.value === 'string' ? e.value : undefined,
          url: typeof e.url === 'string' ? e.url : undefined,
          text: emoji(stripControl(textOf(e.text))),
        };
        const label = opts.registerButton ? `[${opts.registerButton(b)}] ${b.text}` : `[${b.text}]`;
        return b.url ? `${label} ↗ ${stripControl(b.url)}` : label;
      });
    if (labels.length > 0) lines.push(`  ${labels.join('   ')}`);
  };
  for (const block of asArray(blocks)) {
    const blockId = typeof block.block_id === 'string' ? block.block_id : undefined;
    switch (block.type) {
      case 'header':
        lines.push('', `== ${stripControl(textOf(block.text))} ==`);
        break;
      case 'section': {
        if (block.text) lines.push(...text(block.text).split('\n'));
        const fieldTexts = asArray(block.fields).map((f) => text(f));
        for (let i = 0; i < fieldTexts.length; i += 2) {
          lines.push(fieldTexts.slice(i, i + 2).join('    |    '));
        }
        const accessory = block.accessory as Json | undefined;
        if (accessory?.type === 'button') renderButtons([accessory], blockId);
        break;
      }
      case 'context':
        lines.push(
          `  ${asArray(block.elements)
            .map((e) => (e.type === 'image' ? '' : text(e)))
            .filter(Boolean)
            .join('  ·  ')}`,
        );
        break;
      case 'divider':
        lines.push('  ----');
        break;
      case 'actions':
        renderButtons(asArray(block.elements), blockId);
        break;
      case 'image':
        lines.push(`[image: ${stripControl(String(block.alt_text ?? ''))}]`);
        break;
      case 'input':
        lines.push(`? ${stripControl(textOf(block.label))}`);
        break;
      case 'rich_text':
        lines.push(...richText(block.elements));
        break;
      case 'data_visualization':
        // A terminal draws no chart: say what it shows, in the words its alt text uses.
        lines.push(`📊 ${stripControl(describeChart(block as unknown as DataVisualizationBlock))}`);
        break;
      case 'table':
        lines.push(...table(block));
        break;
      default:
        lines.push(`[${stripControl(String(block.type))} block]`);
    }
  }
  return lines;
}

/** A table block as aligned columns, its first row the header (cells are plain text). */
function table(block: Json): string[] {
  const rows = asArray(block.rows).map((row) =>
    (Array.isArray(row) ? (row as Json[]) : []).map((cell) =>
      stripControl(String(cell.text ?? '')).replace(/\s+/g, ' '),
    ),
  );
  if (rows.length === 0) return [];
  const aligns = asArray(block.column_settings).map((c) => c.align);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => Array.from(r[i] ?? '').length)));
  const line = (r: string[]) =>
    `  ${r
      .map((cell, i) => {
        const pad = ' '.repeat(Math.max(0, widths[i]! - Array.from(cell).length));
        return aligns[i] === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd()}`;
  const [head, ...body] = rows;
  return [line(head!), `  ${widths.map((w) => '─'.repeat(w)).join('  ')}`, ...body.map(line)];
}

/** rich_text blocks: sections, lists, quotes and preformatted text, as their plain words. */
function richText(elements: unknown): string[] {
  const inline = (els: unknown) =>
    asArray(els)
      .map((e) => {
        switch (e.type) {
          case 'text':
            return String(e.text ?? '');
          case 'link':
            return e.text ? `${String(e.text)} (${String(e.url)})` : String(e.url ?? '');
          case 'user':
            return `@${String(e.user_id ?? '')}`;
          case 'channel':
            return `#${String(e.channel_id ?? '')}`;
          case 'emoji':
            return EMOJI[String(e.name)] ?? `:${String(e.name)}:`;
          default:
            return '';
        }
      })
      .join('');
  const out: string[] = [];
  for (const el of asArray(elements)) {
    if (el.type === 'rich_text_list') {
      for (const item of asArray(el.elements)) out.push(`• ${stripControl(inline(item.elements))}`);
    } else if (el.type === 'rich_text_preformatted') {
      out.push(
        ...stripControl(inline(el.elements))
          .split('\n')
          .map((l) => `    ${l}`),
      );
    } else if (el.type === 'rich_text_quote') {
      out.push(
        ...stripControl(inline(el.elements))
          .split('\n')
          .map((l) => `> ${l}`),
      );
    } else {
      out.push(...stripControl(inline(el.elements)).split('\n'));
    }
  }
  return out;
}

/** A whole message as text: its blocks, or its `text` when it has none. */
export function renderMessage(message: { blocks?: unknown; text?: unknown }, opts: RenderOptions = {}): string[] {
  return Array.isArray(message.blocks) && message.blocks.length > 0
    ? renderBlocks(message.blocks, opts)
    : mrkdwnToText(String(message.text ?? ''), opts).split('\n');
}
