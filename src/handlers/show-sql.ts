/** "Show SQL": the compiled statement and its bound parameters, to the asker only. */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Deps } from '../deps.js';
import { decodeQuestion } from '../queries/question-codec.js';
import { sqlMessage } from '../views/metric-answer.js';
import { answerQuestion, requestLog } from './answer-question.js';
import { staleButtonMessage } from './share-answer.js';

export const showSql =
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
    const log = requestLog(deps, context, { user: body.user.id, channel: channelId, surface: 'action:sql' });
    const question = decodeQuestion(action.value, deps.catalog);
    if (!question) return void (await respond(staleButtonMessage));
    // Re-answering is a cache hit in practice; it also re-checks access for restricted metrics.
    const outcome = await answerQuestion(deps, question, { userId: body.user.id, channelId }, client, log);
    await respond(outcome.ok ? sqlMessage(outcome.answer) : { ...outcome.message, replace_original: false });
  };
