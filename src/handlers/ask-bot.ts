/**
 * @-mentions and DMs: the reply goes in the thread of the question. Redelivered events (same event_id) are
 * answered once; the bot's own and other bots' messages are ignored.
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { AskContext } from '../ask/ask-service.js';
import { cannotAnswerMessage, lookingMessage, requestProcessReply, topicMessage } from '../views/ask.js';
import type { Message } from '../views/blocks.js';
import { helpMessage } from '../views/help.js';
import { questionErrorMessage } from '../views/metric-answer.js';
import { type AnswerDeps, answerQuestion, requestLog, shownAnswer } from './answer-question.js';
import { deliverMessage, type HandlerDeps } from './handler-deps.js';
import { type ExplainDeps, explainChange } from './what-changed.js';

interface IncomingMessage {
  type: string;
  channel: string;
  user?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  bot_id?: string;
  subtype?: string;
  channel_type?: string;
}

export const askBot =
  (
    deps: AnswerDeps &
      ExplainDeps &
      Pick<
        HandlerDeps,
        'ask' | 'catalog' | 'slackEvents' | 'feedback' | 'logger' | 'charts' | 'chartMode' | 'timezone'
      >,
  ) =>
  async ({ event, body, client, context }: AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_mention' | 'message'>) => {
    const e = event as unknown as IncomingMessage;
    // Bots (ourselves included), edits, joins and other subtypes are not questions.
    if (e.bot_id || e.subtype || !e.user) return;
    if (e.type === 'message' && e.channel_type !== 'im') return;
    const log = requestLog(deps, context, { user: e.user, channel: e.channel, surface: `event:${e.type}` });
    const now = deps.clock();
    const eventId = (body as { event_id?: string }).event_id ?? `${e.channel}:${e.ts}`;
    if (!deps.slackEvents.firstSighting(eventId, now.getTime())) {
      log.info({ eventId }, 'redelivered event ignored');
      return;
    }

    const isDm = e.channel_type === 'im' || e.channel.startsWith('D');
    // In a DM the conversation itself is the thread; in channels, the mention's thread.
    const threadTs = e.thread_ts ?? (isDm ? 'dm' : e.ts);
    const ctx: AskContext = {
      channel: e.channel,
      threadTs,
      inThread: isDm || Boolean(e.thread_ts),
      now,
      timezone: deps.timezone,
    };
    const replyTs = isDm ? e.thread_ts : threadTs;
    const post = (m: Message) =>
      client.chat.postMessage({
        channel: e.channel,
        thread_ts: replyTs,
        text: m.text,
        blocks: m.blocks,
        unfurl_links: false,
      });

    // A thread reply in a channel is read by everyone there; a DM only by the asker.
    const audience = isDm ? 'asker' : 'channel';
    const who = { userId: e.user, channelId: e.channel };
    /** Metric names this reply may mention: restricted ones only where their numbers could be shown. */
    const askable = async (names: readonly string[]) =>
      (
        await deps.access.askableMetrics(
          names.flatMap((n) => deps.catalog.metric(n) ?? []),
          who,
          client,
          log,
          audience,
        )
      ).map((m) => m.name);
    const intent = deps.ask.understand(e.text ?? '', ctx);
    log.info({ intent: intent.kind }, 'question understood');
    switch (intent.kind) {
      case 'empty':
        await post(helpMessage('Ask me about a metric, or where to find data. For example:'));
        return;
      case 'topic':
        await post(
          topicMessage(
            { ...intent.topic, related_metrics: await askable(intent.topic.related_metrics ?? []) },
            deps.catalog,
          ),
        );
        return;
      case 'request':
        await post(requestProcessReply(intent.text, intent.topic));
        return;
      case 'unknown':
        await post(cannotAnswerMessage(intent.text, await askable(intent.metrics), intent.topics, deps.catalog));
        return;
      case 'metric_problem':
        await post(
          questionErrorMessage(
            await deps.access.withAskableSuggestions(intent.error, who, client, log, audience),
            intent.text,
            deps.catalog,
          ),
        );
        return;
      case 'metric': {
        // A visible sign of work while the warehouse runs, replaced by the answer.
        const looking = await post(lookingMessage());
        const dest = { kind: 'update' as const, client, channel: e.channel, ts: looking.ts!, threadTs: replyTs };
        // "Why did signups drop last week?": the change decomposed, in the thread, for whoever may see it there.
        if (intent.question.intent === 'why_changed') {
          const explained = await explainChange(deps, intent.question, who, client, log, audience);
          return void (await deliverMessage(deps, { ...explained, response_type: undefined }, dest, log));
        }
        const outcome = await answerQuestion(deps, intent.question, who, client, log, audience);
        const asked = (e.text ?? '').replace(/<@[A-Z0-9]+>/g, '').trim();
        const message = outcome.ok
          ? shownAnswer(deps, outcome.answer, { ...who, asked }, { visible: true })
          : outcome.message;
        if (outcome.ok) deps.ask.remember(ctx, intent.question);
        // A thread reply or DM is visible to everyone there, so a rejected chart may follow as a PNG in the thread.
        await deliverMessage(deps, message, dest, log);
        return;
      }
    }
  };
