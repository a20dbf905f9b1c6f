/**
 * 👍 / 👎 on answers. The buttons carry only our answer id; who may rate it, and the question and interpretation
 * stored with the rating, come from the answer record (store/feedback-store.ts), never from the click.
 */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { Logger } from '../logger.js';
import type { Rating } from '../store/feedback-store.js';
import { clip } from '../views/blocks.js';
import { dataRequestModal, LIMITS } from '../views/data-request-modal.js';
import {
  FEEDBACK_COMMENT_ACTION,
  FEEDBACK_COMMENT_BLOCK,
  FEEDBACK_COMMENT_MAX,
  FEEDBACK_REASONS,
  FEEDBACK_REASONS_ACTION,
  FEEDBACK_REASONS_BLOCK,
  feedbackModal,
  feedbackThanksView,
  staleFeedbackMessage,
  thanksForUpMessage,
} from '../views/feedback.js';
import { type ButtonArgs, requestLog } from './answer-question.js';
import type { HandlerDeps } from './handler-deps.js';
import { newRequestKey } from './request-modal.js';

/** The audit trail: one line per rating and per explanation, with what was rated (from our records). */
function audit(log: Logger, fields: object, message: string): void {
  log.info({ audit: 'answer_feedback', ...fields }, message);
}

/** Reads a rating click; null (after telling the person) when the answer is not theirs to rate or is gone. */
type FeedbackDeps = Pick<HandlerDeps, 'feedback' | 'telemetry' | 'clock' | 'logger'>;

async function rateAnswer(deps: FeedbackDeps, args: ButtonArgs, rating: Rating) {
  const { ack, action, body, respond, context } = args;
  await ack();
  const channelId = body.channel?.id ?? body.container?.channel_id;
  const log = requestLog(deps, context, {
    user: body.user.id,
    channel: channelId,
    surface: `action:feedback_${rating}`,
  });
  const answer = deps.feedback.answerFor(action.value ?? '', body.user.id, channelId);
  if (!answer) {
    log.info('feedback on an unknown or foreign answer refused');
    await respond(staleFeedbackMessage);
    return null;
  }
  deps.feedback.rate(answer.id, body.user.id, rating, deps.clock().getTime());
  deps.telemetry.answerFeedback.inc({ rating });
  audit(
    log,
    { answerId: answer.id, rating, question: answer.question, interpretation: answer.interpretation },
    `answer rated ${rating}`,
  );
  return { answer, log };
}

export const feedbackUp = (deps: FeedbackDeps) => async (args: ButtonArgs) => {
  if (await rateAnswer(deps, args, 'up')) await args.respond(thanksForUpMessage());
};

export const feedbackDown = (deps: FeedbackDeps) => async (args: ButtonArgs) => {
  const rated = await rateAnswer(deps, args, 'down');
  if (!rated) return;
  const { answer } = rated;
  await args.client.views.open({
    trigger_id: args.body.trigger_id,
    view: feedbackModal({ answerId: answer.id, question: answer.question, reading: answer.reading }),
  });
};

type StateValues = Record<
  string,
  Record<string, { value?: string | null; selected_options?: Array<{ value: string }> }>
>;

export const feedbackSubmission =
  (deps: FeedbackDeps) =>
  async ({ ack, body, view, context }: AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>) => {
    const log = requestLog(deps, context, { user: body.user.id, surface: 'view:answer_feedback' });
    const values = view.state.values as StateValues;
    const known = new Set<string>(FEEDBACK_REASONS.map((r) => r.value));
    const reasons = (values[FEEDBACK_REASONS_BLOCK]?.[FEEDBACK_REASONS_ACTION]?.selected_options ?? [])
      .map((o) => o.value)
      .filter((v) => known.has(v));
    const typed = values[FEEDBACK_COMMENT_BLOCK]?.[FEEDBACK_COMMENT_ACTION]?.value?.trim() ?? '';
    if (!typed && reasons.length === 0) {
      await ack({
        response_action: 'errors',
        errors: { [FEEDBACK_COMMENT_BLOCK]: 'Tick what was off, or say in a few words what you expected.' },
      });
      return;
    }
    const comment = typed ? clip(typed, FEEDBACK_COMMENT_MAX) : null;
    const answerId = view.private_metadata ?? '';
    if (!deps.feedback.explain(answerId, body.user.id, comment, reasons, deps.clock().getTime())) {
      log.info('feedback modal for an unknown answer, or without a 👎 from this person');
      await ack({
        response_action: 'errors',
        errors: { [FEEDBACK_COMMENT_BLOCK]: 'This form is out of date: I have no 👎 from you on that answer.' },
      });
      return;
    }
    await ack({ response_action: 'update', view: feedbackThanksView(answerId) });
    const record = deps.feedback.get(answerId, body.user.id);
    audit(
      log,
      {
        answerId,
        rating: 'down',
        question: record?.question,
        interpretation: record?.interpretation,
        reasons,
        comment,
      },
      'answer feedback explained',
    );
  };

/** "Turn into a data request" in the thanks view: the data request modal, prefilled from our record. */
export const feedbackRequest =
  (deps: FeedbackDeps) =>
  async ({ ack, action, body, client, context }: ButtonArgs) => {
    await ack();
    const log = requestLog(deps, context, { user: body.user.id, surface: 'action:feedback_request' });
    const record = deps.feedback.get(action.value ?? '', body.user.id);
    if (!record) {
      log.info('data request from feedback without a matching record');
      return;
    }
    const why = [record.reasons.map(reasonLabel).join('; '), record.comment].filter(Boolean).join(' — ');
    const purpose =
      `I asked the bot: “${record.question}”\nIt read that as: ${record.reading}\n` +
      `That was not what I needed${why ? `: ${why}` : '.'}`;
    const view = dataRequestModal(
      { k: newRequestKey(), o: 'button', ...(record.channelId ? { c: record.channelId } : {}) },
      { title: clip(record.question, LIMITS.title), purpose },
    );
    // In Slack the offer sits in the thanks modal, which becomes the form; elsewhere (the local console) it opens one.
    if (body.view) await client.views.update({ view_id: body.view.id, view });
    else await client.views.open({ trigger_id: body.trigger_id, view });
  };

const reasonLabel = (value: string) => FEEDBACK_REASONS.find((r) => r.value === value)?.label ?? value;
