/**
 * Sends a message that may carry Slack's newer blocks (charts, tables), following CHART_MODE:
 *
 * - native: as built. If Slack rejects it (`invalid_blocks`), it is sent again without the newer blocks (their text
 *   versions stay in the message) and each chart follows as a PNG uploaded into the same conversation or thread.
 * - image: chart blocks are never sent; the PNGs are uploaded instead.
 * - off: no charts at all.
 *
 * A file is seen by everyone in the conversation, so a picture only goes where the message itself is visible to all
 * (a shared answer, a thread reply, a DM). A private (ephemeral) answer falls back to its text, never to an upload.
 */
import type { WebClient } from '@slack/web-api';
import type { ChartRenderer } from '../charts/render-png.js';
import type { Logger } from '../logger.js';
import type { Message } from '../views/blocks.js';
import { type DataVisualizationBlock, describeChart, isChartBlock, NEW_BLOCK_TYPES } from '../views/charts.js';

export type ChartMode = 'native' | 'image' | 'off';

export type Destination =
  /** An ephemeral reply through response_url: private to the asker, so never an upload. */
  | { kind: 'respond'; respond: (message: Message) => Promise<unknown> }
  /** chat.postMessage: visible to the conversation. */
  | { kind: 'post'; client: WebClient; channel: string; threadTs?: string }
  /** chat.update of a visible message (a "looking…" placeholder replaced by the answer). */
  | { kind: 'update'; client: WebClient; channel: string; ts: string; threadTs?: string };

export interface DeliveryOptions {
  mode: ChartMode;
  renderer?: ChartRenderer;
  logger: Logger;
  /** chat.postMessage extras (unfurl_links, metadata). */
  extra?: Record<string, unknown>;
}

export interface Delivered {
  /** The ts of the posted/updated message, when Slack says. */
  ts?: string;
  /** True when Slack rejected the newer blocks and the message went again without them. */
  fellBack: boolean;
  /** Charts uploaded as PNG files. */
  uploaded: number;
}

const hasNewBlocks = (m: Message) => m.blocks.some((b) => NEW_BLOCK_TYPES.has(b.type));

/** The message without the blocks older clients and APIs may not know; their text versions remain. */
function withoutNewBlocks(message: Message): Message {
  return { ...message, blocks: message.blocks.filter((b) => !NEW_BLOCK_TYPES.has(b.type)) };
}

/** What goes out first for a mode: image and off never send chart blocks. */
function forChartMode(message: Message, mode: ChartMode): Message {
  return mode === 'native' ? message : { ...message, blocks: message.blocks.filter((b) => !isChartBlock(b)) };
}

/** Slack's answer to a payload with blocks it does not accept, from the Web API or from response_url. */
function isInvalidBlocks(error: unknown): boolean {
  const e = error as { data?: { error?: string }; statusCode?: number; message?: string };
  if (e?.data?.error === 'invalid_blocks' || e?.data?.error === 'invalid_blocks_format') return true;
  // response_url answers a rejected payload with HTTP 400; Bolt's RespondError keeps only the status.
  return e?.statusCode === 400 || /invalid_blocks/.test(String(e?.message ?? ''));
}

async function send(dest: Destination, message: Message, extra: Record<string, unknown>): Promise<string | undefined> {
  switch (dest.kind) {
    case 'respond': {
      const res = (await dest.respond(message)) as { text?: () => Promise<string> } | undefined;
      // A 200 from response_url can still carry Slack's refusal in its body.
      const body = typeof res?.text === 'function' ? await res.text().catch(() => '') : '';
      if (body.includes('invalid_blocks')) throw Object.assign(new Error('invalid_blocks'), { statusCode: 400 });
      return undefined;
    }
    case 'post': {
      const res = await dest.client.chat.postMessage({
        channel: dest.channel,
        thread_ts: dest.threadTs,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        ...extra,
      });
      return res.ts;
    }
    case 'update': {
      await dest.client.chat.update({ channel: dest.channel, ts: dest.ts, text: message.text, blocks: message.blocks });
      return dest.ts;
    }
  }
}

export async function deliver(message: Message, dest: Destination, opts: DeliveryOptions): Promise<Delivered> {
  const charts = opts.mode === 'off' ? [] : message.blocks.filter(isChartBlock);
  const first = forChartMode(message, opts.mode);
  let fellBack = false;
  let ts: string | undefined;
  try {
    ts = await send(dest, first, opts.extra ?? {});
  } catch (error) {
    if (!isInvalidBlocks(error) || !hasNewBlocks(first)) throw error;
    fellBack = true;
    opts.logger.warn(
      { blocks: first.blocks.filter((b) => NEW_BLOCK_TYPES.has(b.type)).map((b) => b.type), destination: dest.kind },
      'Slack rejected the newer blocks; sending the text version',
    );
    ts = await send(dest, withoutNewBlocks(first), opts.extra ?? {});
  }
  const wantImages = opts.mode === 'image' || (opts.mode === 'native' && fellBack);
  let uploaded = 0;
  if (wantImages && dest.kind !== 'respond' && opts.renderer && charts.length > 0) {
    uploaded = await uploadCharts(dest, charts, opts.renderer, opts.logger, ts);
  }
  return { ts, fellBack, uploaded };
}

/** Each chart as a PNG in the message's conversation and thread, with the trend in words as alt text. */
async function uploadCharts(
  dest: Exclude<Destination, { kind: 'respond' }>,
  charts: DataVisualizationBlock[],
  renderer: ChartRenderer,
  log: Logger,
  ts?: string,
): Promise<number> {
  let uploaded = 0;
  for (const [i, block] of charts.entries()) {
    try {
      const image = await renderer.render(block);
      const altText = describeChart(block).slice(0, 1000);
      const file = {
        file: image.png,
        filename: `${slug(block.title) || 'chart'}-${i + 1}.png`,
        title: block.title,
        alt_text: altText,
      };
      await dest.client.files.uploadV2(
        dest.threadTs
          ? { ...file, channel_id: dest.channel, thread_ts: dest.threadTs }
          : { ...file, channel_id: dest.channel },
      );
      uploaded++;
    } catch (error) {
      // The answer is already out with its text version; a missing picture is logged, not fatal.
      log.warn({ err: error, chart: block.title, ts }, 'chart image upload failed');
    }
  }
  return uploaded;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}
