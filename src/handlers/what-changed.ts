/**
 * "What changed?" (button on answers with a comparison, and questions like "why did signups drop last week?"):
 * the same access rules as the answer, then the change decomposed along the metric's dimensions.
 */
import type { WebClient } from '@slack/web-api';
import type { Deps } from '../deps.js';
import type { Logger } from '../logger.js';
import type { Asker } from '../queries/metric-service.js';
import type { MetricQuestion } from '../queries/question.js';
import { decodeQuestion } from '../queries/question-codec.js';
import type { Audience } from '../slack/access.js';
import { type Destination, deliver } from '../slack/deliver.js';
import type { Message } from '../views/blocks.js';
import { whatChangedMessage } from '../views/what-changed.js';
import { admit, type ButtonArgs, requestLog, staleButtonMessage, warehouseFailureMessage } from './answer-question.js';

/** The explanation as a message, or the message saying why there is none (restricted, timeout, bytes cap). */
export async function explainChange(
  deps: Pick<Deps, 'changes' | 'questionLimiter' | 'telemetry' | 'config' | 'clock'>,
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

/** Sends an explanation (or its failure message) with the chart rules of CHART_MODE. */
export function deliverExplanation(deps: Deps, message: Message, dest: Destination, log: Logger) {
  return deliver(message, dest, { mode: deps.config.charts.mode, renderer: deps.charts, logger: log });
}

export const whatChanged = (deps: Deps) => async (args: ButtonArgs) => {
  const { ack, action, body, respond, client, context } = args;
  await ack();
  const channelId = body.channel?.id ?? body.container?.channel_id;
  const log = requestLog(deps, context, { user: body.user.id, channel: channelId, surface: 'action:what_changed' });
  const question = decodeQuestion(action.value, deps.catalog);
  if (!question) return void (await respond(staleButtonMessage));
  const message = await explainChange(deps, question, { userId: body.user.id, channelId }, client, log);
  // Shown to the clicker only: an ephemeral reply never carries an upload.
  await deliverExplanation(deps, { ...message, replace_original: false }, { kind: 'respond', respond }, log);
};
