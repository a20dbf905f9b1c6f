/** `/analytics …`: routes the first word to a subcommand; anything else is a metric question (#3). */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Deps } from '../deps.js';
import { helpMessage } from '../views/help.js';

export const analyticsCommand =
  (_deps: Deps) =>
  async ({ ack, command }: AllMiddlewareArgs & SlackCommandMiddlewareArgs) => {
    const text = command.text.trim();
    const [first = ''] = text.split(/\s+/, 1);
    const sub = first.toLowerCase();
    if (sub === '' || sub === 'help') {
      await ack(helpMessage());
      return;
    }
    await ack(helpMessage(`I don't know \`${first.slice(0, 40)}\` yet.`));
  };
