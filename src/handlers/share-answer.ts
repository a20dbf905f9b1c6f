/** "Share in channel": posts the answer visibly where it was asked, or explains how to invite the bot. */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Deps } from '../deps.js';
import { decodeQuestion } from '../queries/question-codec.js';
import { section } from '../views/blocks.js';
import { metricAnswerMessage } from '../views/metric-answer.js';
import { answerQuestion, requestLog } from './answer-question.js';

/** Web API errors that mean "the bot cannot post here until someone invites it". */
const NOT_IN_CHANNEL = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

export const staleButtonMessage = {
  response_type: 'ephemeral' as const,
  replace_original: false,
  text: 'That button is from an older answer the bot can no longer read. Ask the question again.',
};

export const shareAnswer =
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
    const log = requestLog(deps, context, { user: body.user.id, channel: channelId, surface: 'action:share' });
    const question = decodeQuestion(action.value, deps.catalog);
    if (!question || !channelId) return void (await respond(staleButtonMessage));

    const outcome = await answerQuestion(deps, question, { userId: body.user.id, channelId }, client, log);
    if (!outcome.ok) return void (await respond({ ...outcome.message, replace_original: false }));
    const message = metricAnswerMessage(outcome.answer, { sharedBy: body.user.id });
    try {
      await client.chat.postMessage({
        channel: channelId,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
      });
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code && NOT_IN_CHANNEL.has(code)) {
        log.info({ code }, 'share refused: bot not in channel');
        const text =
          "I can't post in this conversation because I'm not a member of it. " +
          'Invite me with `/invite @analytics-bot`, then press *Share in channel* again.';
        return void (await respond({
          response_type: 'ephemeral',
          replace_original: false,
          text,
          blocks: [section(text)],
        }));
      }
      throw error;
    }
    await respond({ delete_original: true });
  };
