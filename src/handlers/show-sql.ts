/** "Show SQL": the compiled statement and its bound parameters, to the asker only. */
import type { Deps } from '../deps.js';
import { decodeQuestion } from '../queries/question-codec.js';
import { sqlMessage } from '../views/metric-answer.js';
import { answerButton, type ButtonArgs } from './answer-question.js';

export const showSql = (deps: Deps) => async (args: ButtonArgs) => {
  // Re-answering is a cache hit in practice; it also re-checks access for restricted metrics.
  const answered = await answerButton(deps, args, 'action:sql', (v) => decodeQuestion(v, deps.catalog));
  if (!answered) return;
  const { outcome } = answered;
  await args.respond(outcome.ok ? sqlMessage(outcome.answer) : { ...outcome.message, replace_original: false });
};
