/** 👍 / 👎 under every answer, the "what was wrong?" modal, and what follows it. */

import type { ViewSubmitAction } from '@slack/bolt';
import type { Button, KnownBlock, ModalView } from '@slack/types';
import { actions, button, clip, context, escapeMrkdwn, type Message, plain, section } from './blocks.js';
import { buttonId, modalId } from './ids.js';

export const FEEDBACK_UP_ACTION = buttonId('answer_feedback_up');
export const FEEDBACK_DOWN_ACTION = buttonId('answer_feedback_down');
export const FEEDBACK_BLOCK = 'answer_feedback';
export const FEEDBACK_MODAL = modalId<ViewSubmitAction>('answer_feedback_modal');
export const FEEDBACK_REQUEST_ACTION = buttonId('answer_feedback_request');
export const FEEDBACK_REASONS_BLOCK = 'feedback_reasons';
export const FEEDBACK_REASONS_ACTION = 'reasons';
export const FEEDBACK_COMMENT_BLOCK = 'feedback_comment';
export const FEEDBACK_COMMENT_ACTION = 'comment';
export const FEEDBACK_COMMENT_MAX = 2000;

/** Common misses, so the team can sort feedback before reading every comment. */
export const FEEDBACK_REASONS = [
  { value: 'wrong_metric', label: 'Not the metric I meant' },
  { value: 'wrong_dates', label: 'Wrong dates or period' },
  { value: 'ignored_words', label: 'It ignored part of my question' },
  { value: 'wrong_number', label: 'The number looks wrong' },
  { value: 'hard_to_read', label: 'Hard to read or understand' },
] as const;

/** The 👍 / 👎 pair; `answerId` is our record of the answer, the only thing the buttons carry. */
export function feedbackBlock(answerId: string): KnownBlock {
  const pair: Button[] = [
    { ...button('👍', FEEDBACK_UP_ACTION, { value: answerId }), accessibility_label: 'This answer is right' },
    {
      ...button('👎', FEEDBACK_DOWN_ACTION, { value: answerId }),
      accessibility_label: 'This answer is wrong: tell us why',
    },
  ];
  return actions(FEEDBACK_BLOCK, pair);
}

export function thanksForUpMessage(): Message {
  const text = 'Thanks! Noted that this answer was right.';
  return { response_type: 'ephemeral', replace_original: false, text, blocks: [context(`:+1: ${text}`)] };
}

export const staleFeedbackMessage: Message = {
  response_type: 'ephemeral',
  replace_original: false,
  text: 'I no longer have a record of that answer, so I cannot take feedback on it. Ask the question again.',
  blocks: [
    section('I no longer have a record of that answer, so I cannot take feedback on it. Ask the question again.'),
  ],
};

/** What the person is commenting on, as we recorded it. */
export interface FeedbackSubject {
  answerId: string;
  question: string;
  /** One line saying how the bot read the question. */
  reading: string;
}

export function feedbackModal(subject: FeedbackSubject): ModalView {
  return {
    type: 'modal',
    callback_id: FEEDBACK_MODAL,
    private_metadata: subject.answerId,
    title: plain('What was wrong?', 24),
    submit: plain('Send', 24),
    close: plain('Cancel', 24),
    blocks: [
      section(`*You asked:* ${escapeMrkdwn(clip(subject.question, 1200))}`),
      context(`*I read it as:* ${escapeMrkdwn(clip(subject.reading, 1500))}`),
      {
        type: 'input',
        block_id: FEEDBACK_REASONS_BLOCK,
        optional: true,
        label: plain('What was off?', 2000),
        element: {
          type: 'checkboxes',
          action_id: FEEDBACK_REASONS_ACTION,
          options: FEEDBACK_REASONS.map((r) => ({ text: plain(r.label, 75), value: r.value })),
        },
      },
      {
        type: 'input',
        block_id: FEEDBACK_COMMENT_BLOCK,
        optional: true,
        label: plain('What did you expect instead?', 2000),
        hint: plain('The analytics team reads these to teach the bot the questions it gets wrong.', 2000),
        element: {
          type: 'plain_text_input',
          action_id: FEEDBACK_COMMENT_ACTION,
          multiline: true,
          max_length: FEEDBACK_COMMENT_MAX,
          placeholder: plain('e.g. I meant only pro accounts, and last calendar month', 150),
        },
      },
    ],
  };
}

/** Replaces the modal after a submission, with the offer to ask the team properly. */
export function feedbackThanksView(answerId: string): ModalView {
  return {
    type: 'modal',
    callback_id: `${FEEDBACK_MODAL}_thanks`,
    title: plain('Thanks', 24),
    close: plain('Done', 24),
    blocks: [
      section('*Thanks — your feedback is recorded.* The analytics team reviews these to fix the bot.'),
      section('Need the right number rather than a fix? Turn your question into a data request for the team.'),
      actions('feedback_next', [
        button('Turn into a data request', FEEDBACK_REQUEST_ACTION, { value: answerId, style: 'primary' }),
      ]),
    ],
  };
}
