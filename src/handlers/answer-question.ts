/**
 * Shared by every surface that answers a metric question (slash command, buttons, later mentions):
 * access check, warehouse call, and a specific message for each failure.
 */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import { BudgetExceededError } from '../queries/budget.js';
import type { MetricAnswer } from '../queries/metric-service.js';
import type { MetricQuestion } from '../queries/question.js';
import { summarizeQuestion } from '../queries/question-summary.js';
import { BytesLimitExceededError, WarehouseTimeoutError } from '../queries/warehouse.js';
import type { Audience } from '../slack/access.js';
import { clip, type Message } from '../views/blocks.js';
import { type AnswerViewOptions, answerFailureMessage, metricAnswerMessage } from '../views/metric-answer.js';
import { budgetReachedMessage, restrictedHereMessage, slowDownMessage, staleButtonMessage } from '../views/refusals.js';
import type { HandlerDeps } from './handler-deps.js';

/** What a question needs before and at the warehouse. */
export type AnswerDeps = Pick<HandlerDeps, 'metrics' | 'questionLimiter' | 'telemetry' | 'clock' | 'access'>;

export type AnswerOutcome = { ok: true; answer: MetricAnswer } | { ok: false; message: Message };

/**
 * Answers for `asker`, shown to `audience`: 'asker' when only they see it (ephemeral, DM), 'channel' when it is
 * posted where everyone in `asker.channelId` reads it (Share in channel, a reply to an @-mention in a channel).
 */
export async function answerQuestion(
  deps: AnswerDeps,
  question: MetricQuestion,
  asker: { userId: string; channelId?: string },
  client: WebClient,
  log: Logger,
  audience: Audience = 'asker',
): Promise<AnswerOutcome> {
  const refused = await admit(deps, question, asker, client, log, audience);
  if (refused) return { ok: false, message: refused };
  try {
    return { ok: true, answer: await deps.metrics.answer(question, asker) };
  } catch (error) {
    return { ok: false, message: warehouseFailureMessage(error, question, log, deps.clock()) };
  }
}

/** What every question passes before the warehouse: the per-person rate limit, then the access rules. */
export async function admit(
  deps: Pick<HandlerDeps, 'questionLimiter' | 'telemetry' | 'clock' | 'access'>,
  question: MetricQuestion,
  asker: { userId: string; channelId?: string },
  client: WebClient,
  log: Logger,
  audience: Audience = 'asker',
): Promise<Message | null> {
  const limited = deps.questionLimiter.take(asker.userId, deps.clock().getTime());
  if (!limited.ok) {
    deps.telemetry.refusals.inc({ reason: 'rate_limited' });
    log.info({ user: asker.userId, retryAfterMs: limited.retryAfterMs }, 'question rate limit reached');
    return slowDownMessage(limited.retryAfterMs, limited.perMinute);
  }
  return refusalFor(question, asker, client, log, audience, deps);
}

/** The access rules for `audience`: null when the metric may be shown there, else the message saying why not. */
async function refusalFor(
  question: MetricQuestion,
  asker: { userId: string; channelId?: string },
  client: WebClient,
  log: Logger,
  audience: Audience = 'asker',
  deps: Pick<HandlerDeps, 'telemetry' | 'access'>,
): Promise<Message | null> {
  if (await deps.access.canSeeMetric(question.metric, asker, client, log, audience)) return null;
  // Privately allowed but not here: say so, rather than "restricted", so the person knows where to ask.
  const privately =
    audience === 'channel' &&
    (await deps.access.canSeeMetric(question.metric, { userId: asker.userId }, client, log, 'asker'));
  deps.telemetry.refusals.inc({ reason: privately ? 'restricted_destination' : 'restricted_metric' });
  log.info(
    { metric: question.metric.name, user: asker.userId, channel: asker.channelId, audience },
    'restricted metric refused',
  );
  return privately
    ? restrictedHereMessage(question.metric)
    : answerFailureMessage({ kind: 'restricted', metric: question.metric });
}

/** The user's message for a failed warehouse query: budgets, timeout and bytes cap are said plainly, the rest logged. */
export function warehouseFailureMessage(error: unknown, question: MetricQuestion, log: Logger, now: Date): Message {
  if (error instanceof BudgetExceededError) return budgetReachedMessage(error, now);
  if (error instanceof WarehouseTimeoutError) {
    return answerFailureMessage({ kind: 'timeout', seconds: Math.round(error.timeoutMs / 1000) });
  }
  if (error instanceof BytesLimitExceededError) {
    return answerFailureMessage({ kind: 'bytes_limit', limitBytes: error.limitBytes, metric: question.metric });
  }
  log.error({ err: error, metric: question.metric.name }, 'warehouse query failed');
  return answerFailureMessage({ kind: 'warehouse_error' });
}

/** Where and to whom an answer is shown, and what was typed to get it (when something was typed). */
export interface ShownTo {
  userId: string;
  channelId?: string;
  asked?: string;
}

/**
 * Renders an answer with its 👍/👎, recording it first: the buttons carry only the record's id, so feedback is
 * stored against our own copy of the question and interpretation.
 */
export function shownAnswer(
  deps: Pick<HandlerDeps, 'feedback' | 'clock'>,
  answer: MetricAnswer,
  to: ShownTo,
  opts: AnswerViewOptions = {},
): Message {
  const { interpretation, reading } = summarizeQuestion(answer.question);
  const feedbackId = deps.feedback.recordAnswer(
    {
      question: clip(to.asked?.trim() || reading, 3000),
      interpretation: JSON.stringify(interpretation),
      reading,
      userId: to.userId,
      channelId: to.channelId ?? null,
      visible: Boolean(opts.sharedBy || opts.visible),
    },
    deps.clock().getTime(),
  );
  return metricAnswerMessage(answer, { asked: to.asked, ...opts, feedbackId });
}

/** The request-scoped logger Bolt's context carries (set by the instrumentation point). */
export function requestLog(
  deps: Pick<HandlerDeps, 'logger'>,
  context: Record<string, unknown>,
  extra: object = {},
): Logger {
  return deps.logger.child({ requestId: context.requestId, ...extra });
}

export type ButtonArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/**
 * The shared part of every button that answers a question (share, show SQL, did-you-mean): ack, read the question
 * from the untrusted button value, answer it for the clicker in the button's channel. Null when the value is stale.
 */
export async function answerButton(
  deps: AnswerDeps & Pick<HandlerDeps, 'logger'>,
  args: ButtonArgs,
  surface: string,
  read: (value: string) => MetricQuestion | null,
  audience: Audience = 'asker',
): Promise<{ outcome: AnswerOutcome; channelId?: string; log: Logger } | null> {
  const { ack, action, body, respond, client, context } = args;
  await ack();
  const channelId = body.channel?.id ?? body.container?.channel_id;
  const log = requestLog(deps, context, { user: body.user.id, channel: channelId, surface });
  const question = read(action.value ?? '');
  if (!question) {
    await respond(staleButtonMessage);
    return null;
  }
  const outcome = await answerQuestion(deps, question, { userId: body.user.id, channelId }, client, log, audience);
  return { outcome, channelId, log };
}
