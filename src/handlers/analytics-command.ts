/** `/analytics …`: routes the first word to a subcommand; anything else is a metric question (#3). */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Deps } from '../deps.js';
import { MAX_QUESTION_LENGTH } from '../queries/question.js';
import { helpMessage } from '../views/help.js';
import {
  metricAnswerMessage,
  metricListMessage,
  questionErrorMessage,
  workingMessage,
} from '../views/metric-answer.js';
import { answerQuestion, requestLog } from './answer-question.js';
import { openRequestModal } from './request-modal.js';

export const analyticsCommand =
  (deps: Deps) =>
  async ({ ack, command, respond, client, context }: AllMiddlewareArgs & SlackCommandMiddlewareArgs) => {
    const text = command.text.trim();
    const [first = ''] = text.split(/\s+/, 1);
    const sub = first.toLowerCase();
    const log = requestLog(deps, context, { user: command.user_id, channel: command.channel_id, surface: 'command' });

    if (sub === '' || sub === 'help') return void (await ack(helpMessage()));
    if (sub === 'list') return void (await ack(metricListMessage(deps.catalog)));
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

    // Parsing is pure and fast, so a question that cannot be answered is told so in the ack itself.
    if (text.length > MAX_QUESTION_LENGTH) {
      return void (await ack(
        questionErrorMessage({ kind: 'too_long', length: text.length, max: MAX_QUESTION_LENGTH }),
      ));
    }
    const parsed = deps.parser.parse(text, { now: deps.clock(), timezone: deps.config.metrics.timezone });
    if (!parsed.ok) {
      log.info({ error: parsed.error.kind }, 'question not understood');
      return void (await ack(questionErrorMessage(parsed.error, text)));
    }

    await ack(workingMessage(text));
    const outcome = await answerQuestion(
      deps,
      parsed.question,
      { userId: command.user_id, channelId: command.channel_id },
      client,
      log,
    );
    await respond(outcome.ok ? { ...metricAnswerMessage(outcome.answer), replace_original: true } : outcome.message);
  };
