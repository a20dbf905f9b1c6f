/**
 * An ask-back choice or a one-click alternative: the button carries the whole reading, so the answer is exactly the
 * one the person picked. The value is untrusted and is validated against the catalog like any other button.
 * The answer goes out like every other one: recorded for 👍/👎, and with the text fallback if Slack rejects a chart.
 */
import { decodeQuestion } from '../queries/question-codec.js';
import { type AnswerDeps, answerButton, type ButtonArgs, shownAnswer } from './answer-question.js';
import { deliverMessage, type HandlerDeps } from './handler-deps.js';

export const askChoice =
  (deps: AnswerDeps & Pick<HandlerDeps, 'catalog' | 'logger' | 'feedback' | 'charts' | 'chartMode'>) =>
  async (args: ButtonArgs) => {
    const answered = await answerButton(deps, args, 'action:choice', (v) => decodeQuestion(v, deps.catalog));
    if (!answered) return;
    const { outcome, log, channelId } = answered;
    if (!outcome.ok) return void (await args.respond(outcome.message));
    const inThread = Boolean((args.body as { message?: { thread_ts?: string } }).message?.thread_ts);
    await deliverMessage(
      deps,
      {
        ...shownAnswer(deps, outcome.answer, { userId: args.body.user.id, channelId }, { visible: inThread }),
        replace_original: true,
      },
      { kind: 'respond', respond: args.respond },
      log,
    );
  };
