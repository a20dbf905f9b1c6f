/** Every Slack listener, registered in one flat list grouped by surface. */
import type { App } from '@slack/bolt';
import type { Deps } from '../deps.js';
import { ASK_TOPIC_ACTION } from '../views/ask.js';
import { DATA_REQUEST_MODAL } from '../views/data-request-modal.js';
import {
  ASK_SUGGESTION_ACTION,
  OPEN_DATA_REQUEST_ACTION,
  OPEN_LOOKER_ACTION,
  SHARE_ANSWER_ACTION,
  SHOW_SQL_ACTION,
} from '../views/metric-answer.js';
import { BROWSE_METRICS_ACTION } from '../views/my-requests.js';
import { analyticsCommand } from './analytics-command.js';
import { appHomeOpened, browseMetrics } from './app-home.js';
import { askBot } from './ask-bot.js';
import { askSuggestion } from './ask-suggestion.js';
import { askTopic } from './ask-topic.js';
import { dataRequestSubmission } from './data-request-submission.js';
import { requestDataButton, requestDataShortcut, requestFromMessage } from './request-modal.js';
import { shareAnswer } from './share-answer.js';
import { showSql } from './show-sql.js';

export const ANALYTICS_COMMAND = '/analytics';
/** Callback IDs declared in manifest.yml. */
export const DATA_REQUEST_SHORTCUT = 'data_request_shortcut';
export const DATA_REQUEST_FROM_MESSAGE = 'data_request_from_message';

export function registerHandlers(app: App, deps: Deps): void {
  // Slash commands
  app.command(ANALYTICS_COMMAND, analyticsCommand(deps));

  // Block actions
  app.action(SHARE_ANSWER_ACTION, shareAnswer(deps));
  app.action(SHOW_SQL_ACTION, showSql(deps));
  app.action(new RegExp(`^${ASK_SUGGESTION_ACTION}_\\d+$`), askSuggestion(deps));
  app.action(OPEN_DATA_REQUEST_ACTION, requestDataButton());
  app.action(new RegExp(`^${ASK_TOPIC_ACTION}_\\d+$`), askTopic(deps));
  // Link buttons still send an interaction; ack it so Slack shows no error.
  app.action(OPEN_LOOKER_ACTION, async ({ ack }) => ack());
  app.action(/^open_(link_\d+|board)$/, async ({ ack }) => ack());
  app.action(BROWSE_METRICS_ACTION, browseMetrics(deps));

  // Events: mentions in channels, and direct messages (message.im; other message events are ignored inside)
  app.event('app_mention', askBot(deps));
  app.event('message', askBot(deps));
  app.event('app_home_opened', appHomeOpened(deps));

  // Shortcuts
  app.shortcut(DATA_REQUEST_SHORTCUT, requestDataShortcut());
  app.shortcut(DATA_REQUEST_FROM_MESSAGE, requestFromMessage());

  // Modals
  app.view(DATA_REQUEST_MODAL, dataRequestSubmission(deps));
}
