/** "Show SQL": the compiled statement and its bound parameters, to the asker only. */
import { decodeQuestion } from '../queries/question-codec.js';
import { sqlMessage } from '../views/metric-answer.js';
import { type AnswerDeps, answerButton, type ButtonArgs } from './answer-question.js';
import type { HandlerDeps } from './handler-deps.js';

export const showSql = (deps: AnswerDeps & Pick<HandlerDeps, 'catalog' | 'logger'>) => async (args: ButtonArgs) => {
  // Re-answering is a cache hit in practice; it also re-checks access for restricted metrics.
  const answered = await answerButton(deps, args, 'action:sql', (v) => decodeQuestion(v, deps.catalog));
  if (!answered) return;
  const { outcome } = answered;
  await args.respond(outcome.ok ? sqlMessage(outcome.answer) : { ...outcome.message, replace_original: false });
};
