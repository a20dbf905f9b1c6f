/** A "did you mean" button: answers the suggested metric over its default window. */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Deps } from '../deps.js';
import { metricAnswerMessage } from '../views/metric-answer.js';
import { answerQuestion, requestLog } from './answer-question.js';
import { staleButtonMessage } from './share-answer.js';

export const askSuggestion =
  (deps: Deps) =>
  async ({
    ack,
    action,
    body,
    respond,
    client,
    context,
  }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>) => {
    await ack();
    const channelId = body.channel?.id ?? body.container?.channel_id;
    const log = requestLog(deps, context, { user: body.user.id, channel: channelId, surface: 'action:suggestion' });
    const metric = deps.catalog.metric(action.value ?? '');
    if (!metric) return void (await respond(staleButtonMessage));
    const parsed = deps.parser.parse(metric.label, { now: deps.clock(), timezone: deps.config.metrics.timezone });
    if (!parsed.ok) return void (await respond(staleButtonMessage));
    const outcome = await answerQuestion(deps, parsed.question, { userId: body.user.id, channelId }, client, log);
    await respond(outcome.ok ? { ...metricAnswerMessage(outcome.answer), replace_original: true } : outcome.message);
  };
