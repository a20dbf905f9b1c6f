/** `/analytics …`: routes the first word to a subcommand; anything else is a metric question. */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { MAX_QUESTION_LENGTH } from '../queries/question.js';
import { decidedByChannel } from '../slack/access.js';
import { helpMessage } from '../views/help.js';
import { metricListMessage, questionErrorMessage, workingMessage } from '../views/metric-answer.js';
import { myRequestsMessage } from '../views/my-requests.js';
import { digestPreviewWorkingMessage } from '../views/triage-digest.js';
import { type AnswerDeps, answerQuestion, requestLog, shownAnswer } from './answer-question.js';
import { type DigestPreviewDeps, digestPreview } from './digest-preview.js';
import { deliverMessage, type HandlerDeps, readQuestion } from './handler-deps.js';
import { openRequestModal } from './request-modal.js';
import { type WatchCommandDeps, watchCommand, watchesCommand } from './watch-command.js';
import { type ExplainDeps, explainChange } from './what-changed.js';

type CommandDeps = AnswerDeps &
  ExplainDeps &
  DigestPreviewDeps &
  WatchCommandDeps &
  Pick<HandlerDeps, 'catalog' | 'parser' | 'requests' | 'feedback' | 'logger' | 'charts' | 'chartMode'>;

export const analyticsCommand = (deps: CommandDeps) => async (args: AllMiddlewareArgs & SlackCommandMiddlewareArgs) => {
  const { ack, command, respond, client, context } = args;
  const text = command.text.trim();
  const [first = ''] = text.split(/\s+/, 1);
  const sub = first.toLowerCase();
  // Built on first use: a pino child costs more than the ack itself, and most acks never log.
  let child: ReturnType<typeof requestLog> | undefined;
  const log = () =>
    (child ??= requestLog(deps, context, { user: command.user_id, channel: command.channel_id, surface: 'command' }));

  if (sub === '' || sub === 'help') return void (await ack(helpMessage()));
  if (sub === 'list') {
    const who = { userId: command.user_id, channelId: command.channel_id };
    const all = deps.catalog.metrics;
    if (decidedByChannel(all, who)) return void (await ack(metricListMessage(deps.catalog)));
    // Whether restricted metrics belong in this person's list takes a user-group lookup: after the ack.
    await ack();
    const askable = await deps.access.askableMetrics(all, who, client, log());
    return void (await respond({ ...metricListMessage(deps.catalog, askable), replace_original: false }));
  }
  if (sub === 'my') {
    return void (await ack(myRequestsMessage(deps.requests.ofRequester(command.user_id), deps.clock())));
  }
  if (sub === 'digest') {
    await ack(digestPreviewWorkingMessage);
    await respond({ ...(await digestPreview(deps, log())), response_type: 'ephemeral', replace_original: true });
    return;
  }
  if (sub === 'watch' || sub === 'alert') return watchCommand(deps, sub, text.slice(first.length), args, log());
  if (sub === 'watches' || sub === 'alerts') return watchesCommand(deps, args);
  if (sub === 'request') {
    await ack();
    const title = text.slice(first.length).trim();
    await openRequestModal(
      client,
      command.trigger_id,
      { c: command.channel_id, o: 'command' },
      { title: title || undefined },
    );
    return;
  }

  // Ack first, whatever the question; parsing and querying then wait their turn behind other requests' acks.
  await ack(workingMessage(text));
  if (text.length > MAX_QUESTION_LENGTH) {
    return void (await respond(questionErrorMessage(deps.parser.tooLong(text.length), text)));
  }
  const parsed = readQuestion(deps, text);
  // "Why did signups drop last week?": the change decomposed, rather than the number.
  if (parsed.ok && parsed.question.intent === 'why_changed') {
    const asker = { userId: command.user_id, channelId: command.channel_id };
    const message = await explainChange(deps, parsed.question, asker, client, log());
    return void (await deliverMessage(
      deps,
      { ...message, replace_original: true },
      { kind: 'respond', respond },
      log(),
    ));
  }
  if (!parsed.ok) {
    log().info({ error: parsed.error.kind }, 'question not understood');
    const who = { userId: command.user_id, channelId: command.channel_id };
    const error = await deps.access.withAskableSuggestions(parsed.error, who, client, log());
    return void (await respond(questionErrorMessage(error, text, deps.catalog)));
  }
  const outcome = await answerQuestion(
    deps,
    parsed.question,
    { userId: command.user_id, channelId: command.channel_id },
    client,
    log(),
  );
  if (!outcome.ok) return void (await respond(outcome.message));
  // Private to the asker: chart blocks Slack rejects fall back to the text version, never to an upload.
  await deliverMessage(
    deps,
    {
      ...shownAnswer(deps, outcome.answer, { userId: command.user_id, channelId: command.channel_id, asked: text }),
      replace_original: true,
    },
    { kind: 'respond', respond },
    log(),
  );
};
