/**
 * "What changed?" (button on answers with a comparison, and questions like "why did signups drop last week?"):
 * the same access rules as the answer, then the change decomposed along the metric's dimensions.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { Asker } from '../queries/metric-service.js';
import type { MetricQuestion } from '../queries/question.js';
import { decodeQuestion } from '../queries/question-codec.js';
import type { Audience } from '../slack/access.js';
import type { Message } from '../views/blocks.js';
import { staleButtonMessage } from '../views/refusals.js';
import { whatChangedMessage } from '../views/what-changed.js';
import { type AnswerDeps, admit, type ButtonArgs, requestLog, warehouseFailureMessage } from './answer-question.js';
import { deliverMessage, type HandlerDeps } from './handler-deps.js';

export type ExplainDeps = Omit<AnswerDeps, 'metrics'> & Pick<HandlerDeps, 'changes'>;

/** The explanation as a message, or the message saying why there is none (restricted, timeout, bytes cap). */
export async function explainChange(
  deps: ExplainDeps,
  question: MetricQuestion,
  asker: Asker,
  client: WebClient,
  log: Logger,
  audience: Audience = 'asker',
): Promise<Message> {
  // A question like any other: the same rate limit, access rules and bytes budgets as an answer.
  const refused = await admit(deps, question, asker, client, log, audience);
  if (refused) return refused;
  try {
    return whatChangedMessage(await deps.changes.explain(question, asker));
  } catch (error) {
    return warehouseFailureMessage(error, question, log, deps.clock());
  }
}

export const whatChanged =
  (deps: ExplainDeps & Pick<HandlerDeps, 'catalog' | 'logger' | 'charts' | 'chartMode'>) =>
  async (args: ButtonArgs) => {
    const { ack, action, body, respond, client, context } = args;
    await ack();
    const channelId = body.channel?.id ?? body.container?.channel_id;
    const log = requestLog(deps, context, { user: body.user.id, channel: channelId, surface: 'action:what_changed' });
    const question = decodeQuestion(action.value, deps.catalog);
    if (!question) return void (await respond(staleButtonMessage));
    const message = await explainChange(deps, question, { userId: body.user.id, channelId }, client, log);
    // Shown to the clicker only: an ephemeral reply never carries an upload.
    await deliverMessage(deps, { ...message, replace_original: false }, { kind: 'respond', respond }, log);
  };
