/** The data request modal: the team's four questions, plus optional context. Pure builders and the IDs they own. */

import type { ViewSubmitAction } from '@slack/bolt';
import type { KnownBlock, ModalView } from '@slack/types';
import { DATA_SOURCES, FOUR_QUESTIONS } from '../requests/data-request.js';
import { clip, context, plain, section } from './blocks.js';
import { modalId } from './ids.js';

export const DATA_REQUEST_MODAL = modalId<ViewSubmitAction>('data_request_modal');

export const BLOCKS = {
  title: 'title_block',
  purpose: 'purpose_block',
  deliverable: 'deliverable_block',
  sketch: 'sketch_block',
  neededBy: 'needed_by_block',
  necessity: 'necessity_block',
  links: 'links_block',
  stakeholders: 'stakeholders_block',
  sources: 'sources_block',
} as const;

export const ACTIONS = {
  title: 'title',
  purpose: 'purpose',
  deliverable: 'deliverable',
  sketch: 'sketch',
  neededBy: 'needed_by',
  necessity: 'necessity',
  links: 'links',
  stakeholders: 'stakeholders',
  sources: 'sources',
} as const;

export const LIMITS = { title: 150, answer: 3000, links: 1000, stakeholders: 20 } as const;

export const NECESSITY_OPTIONS = [
  { value: 'necessity', label: 'Necessity', description: 'Work is blocked or a decision depends on it' },
  { value: 'nice-to-have', label: 'Nice-to-have', description: 'Useful, but nothing waits on it' },
] as const;

/** What travels in private_metadata (≤ 3,000 chars): never the answers themselves. */
export interface ModalContext {
  /** Idempotency key for this modal's submission. */
  k: string;
  /** Channel and message/thread it was opened from. */
  c?: string;
  t?: string;
  /** Origin: command, shortcut, message shortcut, button. */
  o: 'command' | 'shortcut' | 'message' | 'button' | 'home' | 'mention';
  /** The source message's text (message shortcut), clipped so the metadata stays under Slack's limit. */
  m?: string;
}

export const MAX_CONTEXT_MESSAGE = 1500;

export interface ModalPrefill {
  title?: string;
  purpose?: string;
}

export function encodeContext(ctx: ModalContext): string {
  return JSON.stringify(ctx.m ? { ...ctx, m: clip(ctx.m, MAX_CONTEXT_MESSAGE) } : ctx);
}

export function dataRequestModal(ctx: ModalContext, prefill: ModalPrefill = {}): ModalView {
  const text = (
    block: string,
    action: string,
    label: string,
    opts: {
      multiline?: boolean;
      initial?: string;
      placeholder?: string;
      max: number;
      hint?: string;
      optional?: boolean;
    },
  ): KnownBlock => ({
    type: 'input',
    block_id: block,
    optional: opts.optional ?? false,
    label: plain(label, 2000),
    ...(opts.hint ? { hint: plain(opts.hint, 2000) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: action,
      multiline: opts.multiline ?? false,
      max_length: opts.max,
      ...(opts.initial ? { initial_value: clip(opts.initial, opts.max) } : {}),
      ...(opts.placeholder ? { placeholder: plain(opts.placeholder, 150) } : {}),
    },
  });

  const blocks: KnownBlock[] = [
    section(
      'The analytics team triages its board every day. Answering these four questions lets them prioritise your ' +
        'request straight away. Quick questions are better asked in the analytics channel.',
    ),
    text(BLOCKS.title, ACTIONS.title, 'Request title', {
      initial: prefill.title,
      placeholder: 'e.g. Weekly active users by plan, for the Q1 board deck',
      max: LIMITS.title,
    }),
    text(BLOCKS.purpose, ACTIONS.purpose, `1. ${FOUR_QUESTIONS[0]}`, {
      multiline: true,
      initial: prefill.purpose,
      max: LIMITS.answer,
      hint: 'This helps the team prioritise requests.',
    }),
    text(BLOCKS.deliverable, ACTIONS.deliverable, '2. What do you want the deliverable to look like?', {
      multiline: true,
      max: LIMITS.answer,
      placeholder: 'A chart, a table, a dashboard? Which metrics, breakdowns and time range?',
      hint: 'As much detail as possible. A sketch of the chart (below) helps a lot.',
    }),
    {
      type: 'input',
      block_id: BLOCKS.sketch,
      optional: true,
      label: plain('Sketch of the deliverable', 2000),
      element: {
        type: 'file_input',
        action_id: ACTIONS.sketch,
        filetypes: ['png', 'jpg', 'jpeg', 'gif', 'pdf'],
        max_files: 5,
      },
    } as KnownBlock,
    {
      type: 'input',
      block_id: BLOCKS.neededBy,
      label: plain(`3. ${FOUR_QUESTIONS[2]}`, 2000),
      element: { type: 'datepicker', action_id: ACTIONS.neededBy, placeholder: plain('Pick a date', 150) },
    },
    {
      type: 'input',
      block_id: BLOCKS.necessity,
      label: plain(`4. ${FOUR_QUESTIONS[3]}`, 2000),
      element: {
        type: 'radio_buttons',
        action_id: ACTIONS.necessity,
        options: NECESSITY_OPTIONS.map((o) => ({
          text: plain(o.label, 75),
          value: o.value,
          description: plain(o.description, 75),
        })),
      },
    },
    text(BLOCKS.links, ACTIONS.links, 'Links (docs, dashboards, earlier requests)', {
      optional: true,
      multiline: true,
      max: LIMITS.links,
    }),
    {
      type: 'input',
      block_id: BLOCKS.stakeholders,
      optional: true,
      label: plain('Stakeholders', 2000),
      element: {
        type: 'multi_users_select',
        action_id: ACTIONS.stakeholders,
        max_selected_items: LIMITS.stakeholders,
        placeholder: plain('Who else cares about this?', 150),
      },
    },
    {
      type: 'input',
      block_id: BLOCKS.sources,
      optional: true,
      label: plain('Data sources involved', 2000),
      element: {
        type: 'multi_static_select',
        action_id: ACTIONS.sources,
        placeholder: plain('If you know', 150),
        options: DATA_SOURCES.map((s) => ({ text: plain(s.label, 75), value: s.value })),
      },
    },
    context('Self-serve first: many numbers are one `/analytics` question or a Looker dashboard away.'),
  ];
  return {
    type: 'modal',
    callback_id: DATA_REQUEST_MODAL,
    private_metadata: encodeContext(ctx),
    title: plain('Request data', 24),
    submit: plain('File request', 24),
    close: plain('Cancel', 24),
    blocks,
  };
}

/** Shown in place of the modal once a submission is accepted. */
export function requestReceivedView(title: string): ModalView {
  return {
    type: 'modal',
    callback_id: `${DATA_REQUEST_MODAL}_received`,
    title: plain('Request data', 24),
    close: plain('Done', 24),
    blocks: [
      section(
        `*Thanks — “${clip(title, 150)}” is saved.*\nI'm filing it on the analytics board now and will DM you the link.`,
      ),
    ],
  };
}
