/** Small Block Kit constructors shared by the views. Text is clipped to Slack's limits here, once. */
import type { Block, Button, KnownBlock, MrkdwnElement, PlainTextElement } from '@slack/types';

export type AnyBlock = KnownBlock | Block;

export interface Message {
  text: string;
  blocks: AnyBlock[];
  response_type?: 'ephemeral' | 'in_channel';
  replace_original?: boolean;
  delete_original?: boolean;
}

import { clip } from '../lib/text.js';

export { clip };

export const plain = (text: string, max = 3000): PlainTextElement => ({
  type: 'plain_text',
  text: clip(text || ' ', max),
  emoji: true,
});

export const mrkdwn = (text: string, max = 3000): MrkdwnElement => ({ type: 'mrkdwn', text: clip(text || ' ', max) });

export const header = (text: string): KnownBlock => ({ type: 'header', text: plain(text, 150) });

export const section = (text: string, accessory?: Button): KnownBlock =>
  accessory ? { type: 'section', text: mrkdwn(text), accessory } : { type: 'section', text: mrkdwn(text) };

export const fields = (items: string[]): KnownBlock => ({
  type: 'section',
  fields: items.slice(0, 10).map((t) => mrkdwn(t, 2000)),
});

export const context = (...texts: string[]): KnownBlock => ({
  type: 'context',
  elements: texts.slice(0, 10).map((t) => mrkdwn(t)),
});

export const divider = (): KnownBlock => ({ type: 'divider' });

export interface ButtonOptions {
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
}

export const button = (text: string, actionId: string, opts: ButtonOptions = {}): Button => ({
  type: 'button',
  text: plain(text, 75),
  action_id: actionId,
  ...(opts.value !== undefined ? { value: clip(opts.value, 2000) } : {}),
  ...(opts.url ? { url: opts.url } : {}),
  ...(opts.style ? { style: opts.style } : {}),
});

export const actions = (blockId: string | undefined, elements: Button[]): KnownBlock => ({
  type: 'actions',
  ...(blockId ? { block_id: blockId } : {}),
  elements: elements.slice(0, 25),
});

/** Escaping lives in escape.ts (the one module for it); re-exported for the views that import it from here. */
export { escapeMrkdwn } from './escape.js';
