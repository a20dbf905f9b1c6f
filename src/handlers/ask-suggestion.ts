/** A "did you mean" button: answers the suggested metric over its default window. */
import { type AnswerDeps, answerButton, type ButtonArgs, shownAnswer } from './answer-question.js';
import { deliverMessage, type HandlerDeps, readQuestion } from './handler-deps.js';

export const askSuggestion =
  (
    deps: AnswerDeps &
      Pick<HandlerDeps, 'catalog' | 'logger' | 'feedback' | 'charts' | 'chartMode' | 'parser' | 'timezone'>,
  ) =>
  async (args: ButtonArgs) => {
    const answered = await answerButton(deps, args, 'action:suggestion', (name) => {
      const metric = deps.catalog.metric(name);
      if (!metric) return null;
      const parsed = readQuestion(deps, metric.label);
      return parsed.ok ? parsed.question : null;
    });
    if (!answered) return;
    const { outcome, log, channelId } = answered;
    if (!outcome.ok) return void (await args.respond(outcome.message));
    await deliverMessage(
      deps,
      { ...shownAnswer(deps, outcome.answer, { userId: args.body.user.id, channelId }), replace_original: true },
      { kind: 'respond', respond: args.respond },
      log,
    );
  };
