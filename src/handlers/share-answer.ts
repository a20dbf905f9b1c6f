/** "Share in channel": posts the answer visibly where it was asked, or explains how to invite the bot. */
import { decodeQuestion } from '../queries/question-codec.js';
import { notInChannelMessage } from '../views/metric-answer.js';
import { staleButtonMessage } from '../views/refusals.js';
import { type AnswerDeps, answerButton, type ButtonArgs, shownAnswer } from './answer-question.js';
import { deliverMessage, type HandlerDeps } from './handler-deps.js';

/** Web API errors that mean "the bot cannot post here until someone invites it". */
const NOT_IN_CHANNEL = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

export const shareAnswer =
  (deps: AnswerDeps & Pick<HandlerDeps, 'catalog' | 'logger' | 'feedback' | 'charts' | 'chartMode'>) =>
  async (args: ButtonArgs) => {
    const { respond, client, body } = args;
    // Posted for the whole channel: only the channel's own grant counts, never the clicker's group membership.
    const answered = await answerButton(deps, args, 'action:share', (v) => decodeQuestion(v, deps.catalog), 'channel');
    if (!answered) return;
    const { outcome, channelId, log } = answered;
    if (!channelId) return void (await respond(staleButtonMessage));
    if (!outcome.ok) return void (await respond({ ...outcome.message, replace_original: false }));
    const message = shownAnswer(deps, outcome.answer, { userId: body.user.id, channelId }, { sharedBy: body.user.id });
    try {
      // Visible to the channel: a chart Slack rejects follows as a PNG in the channel.
      await deliverMessage(deps, message, { kind: 'post', client, channel: channelId }, log);
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code && NOT_IN_CHANNEL.has(code)) {
        log.info({ code }, 'share refused: bot not in channel');
        return void (await respond(notInChannelMessage()));
      }
      throw error;
    }
    await respond({ delete_original: true });
  };
