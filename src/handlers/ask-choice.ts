/**
 * An ask-back choice or a one-click alternative: the button carries the whole reading, so the answer is exactly the
 * one the person picked. The value is untrusted and is validated against the catalog like any other button.
 */
import type { Deps } from '../deps.js';
import { decodeQuestion } from '../queries/question-codec.js';
import { metricAnswerMessage } from '../views/metric-answer.js';
import { answerButton, type ButtonArgs } from './answer-question.js';

export const askChoice = (deps: Deps) => async (args: ButtonArgs) => {
  const answered = await answerButton(deps, args, 'action:choice', (v) => decodeQuestion(v, deps.catalog));
  if (!answered) return;
  const { outcome } = answered;
  const inThread = Boolean((args.body as { message?: { thread_ts?: string } }).message?.thread_ts);
  await args.respond(
    outcome.ok
      ? { ...metricAnswerMessage(outcome.answer, { visible: inThread }), replace_original: true }
      : outcome.message,
  );
};
