/** Every Slack listener, registered in one flat list grouped by surface. */
import type { App } from '@slack/bolt';
import type { Deps } from '../deps.js';
import {
  ASK_SUGGESTION_ACTION,
  OPEN_DATA_REQUEST_ACTION,
  OPEN_LOOKER_ACTION,
  SHARE_ANSWER_ACTION,
  SHOW_SQL_ACTION,
} from '../views/metric-answer.js';
import { analyticsCommand } from './analytics-command.js';
import { askSuggestion } from './ask-suggestion.js';
import { openDataRequest } from './open-data-request.js';
import { shareAnswer } from './share-answer.js';
import { showSql } from './show-sql.js';

export const ANALYTICS_COMMAND = '/analytics';

export function registerHandlers(app: App, deps: Deps): void {
  // Slash commands
  app.command(ANALYTICS_COMMAND, analyticsCommand(deps));

  // Block actions
  app.action(SHARE_ANSWER_ACTION, shareAnswer(deps));
  app.action(SHOW_SQL_ACTION, showSql(deps));
  app.action(new RegExp(`^${ASK_SUGGESTION_ACTION}_\\d+$`), askSuggestion(deps));
  app.action(OPEN_DATA_REQUEST_ACTION, openDataRequest(deps));
  // Link buttons still send an interaction; ack it so Slack shows no error.
  app.action(OPEN_LOOKER_ACTION, async ({ ack }) => ack());
}
