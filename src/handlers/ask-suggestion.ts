/** A "did you mean" button: answers the suggested metric over its default window. */
import type { Deps } from '../deps.js';
import { deliver } from '../slack/deliver.js';
import { answerButton, type ButtonArgs, shownAnswer } from './answer-question.js';

export const askSuggestion = (deps: Deps) => async (args: ButtonArgs) => {
  const answered = await answerButton(deps, args, 'action:suggestion', (name) => {
    const metric = deps.catalog.metric(name);
    if (!metric) return null;
    const parsed = deps.parser.parse(metric.label, { now: deps.clock(), timezone: deps.config.metrics.timezone });
    return parsed.ok ? parsed.question : null;
  });
  if (!answered) return;
  const { outcome, log, channelId } = answered;
  if (!outcome.ok) return void (await args.respond(outcome.message));
  await deliver(
    { ...shownAnswer(deps, outcome.answer, { userId: args.body.user.id, channelId }), replace_original: true },
    { kind: 'respond', respond: args.respond },
    { mode: deps.config.charts.mode, logger: log },
  );
};
