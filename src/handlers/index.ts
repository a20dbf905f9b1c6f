/**
 * Every Slack listener, in one flat list grouped by surface. Each surface is one Bolt listener that dispatches by id
 * (see router.ts for why); each handler still lives in its own file.
 */
import type {
  AllMiddlewareArgs,
  App,
  SlackActionMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackShortcutMiddlewareArgs,
} from '@slack/bolt';
import type { Deps } from '../deps.js';
import { ASK_TOPIC_ACTION } from '../views/ask.js';
import { DATA_REQUEST_MODAL } from '../views/data-request-modal.js';
import {
  FEEDBACK_DOWN_ACTION,
  FEEDBACK_MODAL,
  FEEDBACK_REQUEST_ACTION,
  FEEDBACK_UP_ACTION,
} from '../views/feedback.js';
import {
  ASK_CHOICE_ACTION,
  ASK_SUGGESTION_ACTION,
  OPEN_DATA_REQUEST_ACTION,
  OPEN_LOOKER_ACTION,
  SHARE_ANSWER_ACTION,
  SHOW_SQL_ACTION,
} from '../views/metric-answer.js';
import { BROWSE_METRICS_ACTION } from '../views/my-requests.js';
import { WATCH_ACTION_PATTERN } from '../views/watches.js';
import { WHAT_CHANGED_ACTION } from '../views/what-changed.js';
import { analyticsCommand } from './analytics-command.js';
import { feedbackDown, feedbackRequest, feedbackSubmission, feedbackUp } from './answer-feedback.js';
import { appHomeOpened, browseMetrics } from './app-home.js';
import { askBot } from './ask-bot.js';
import { askChoice } from './ask-choice.js';
import { askSuggestion } from './ask-suggestion.js';
import { askTopic } from './ask-topic.js';
import { dataRequestSubmission } from './data-request-submission.js';
import { requestDataButton, requestDataShortcut, requestFromMessage } from './request-modal.js';
import { anyOf, dispatch, type Route } from './router.js';
import { shareAnswer } from './share-answer.js';
import { showSql } from './show-sql.js';
import { watchAction } from './watch-actions.js';
import { whatChanged } from './what-changed.js';

export const ANALYTICS_COMMAND = '/analytics';
/** Callback IDs declared in manifest.yml. */
export const DATA_REQUEST_SHORTCUT = 'data_request_shortcut';
export const DATA_REQUEST_FROM_MESSAGE = 'data_request_from_message';

type ActionArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs;
type ShortcutArgs = AllMiddlewareArgs & SlackShortcutMiddlewareArgs;
type EventArgs = AllMiddlewareArgs & SlackEventMiddlewareArgs;

/** Handlers are typed for their own payloads; the router hands each the args Bolt built for that payload. */
const as = <A>(handler: (args: never) => Promise<unknown>) => handler as (args: A) => Promise<unknown>;
const ackOnly = async ({ ack }: ActionArgs) => ack();

export function registerHandlers(app: App, deps: Deps): void {
  // Slash commands
  app.command(ANALYTICS_COMMAND, analyticsCommand(deps));

  // Block actions
  const actions: Array<Route<ActionArgs>> = [
    [SHARE_ANSWER_ACTION, as(shareAnswer(deps))],
    [SHOW_SQL_ACTION, as(showSql(deps))],
    [WHAT_CHANGED_ACTION, as(whatChanged(deps))],
    [FEEDBACK_UP_ACTION, as(feedbackUp(deps))],
    [FEEDBACK_DOWN_ACTION, as(feedbackDown(deps))],
    [FEEDBACK_REQUEST_ACTION, as(feedbackRequest(deps))],
    [new RegExp(`^${ASK_SUGGESTION_ACTION}_\\d+$`), as(askSuggestion(deps))],
    [new RegExp(`^${ASK_CHOICE_ACTION}_\\d+$`), as(askChoice(deps))],
    [new RegExp(`^${ASK_TOPIC_ACTION}_\\d+$`), as(askTopic(deps))],
    [OPEN_DATA_REQUEST_ACTION, as(requestDataButton())],
    [BROWSE_METRICS_ACTION, as(browseMetrics(deps))],
    [WATCH_ACTION_PATTERN, as(watchAction(deps))],
    // Link buttons still send an interaction; ack it so Slack shows no error.
    [OPEN_LOOKER_ACTION, ackOnly],
    [/^open_(link_\d+|board)$/, ackOnly],
  ];
  app.action(
    anyOf(actions),
    dispatch(actions, (a) => (a.action as { action_id?: string }).action_id),
  );

  // Events: mentions in channels, direct messages (message.im; other message events are ignored inside), App Home
  const events: Array<Route<EventArgs>> = [
    ['app_mention', as(askBot(deps))],
    ['message', as(askBot(deps))],
    ['app_home_opened', as(appHomeOpened(deps))],
  ];
  app.event(
    anyOf(events),
    dispatch(events, (a) => a.event.type),
  );

  // Shortcuts
  const shortcuts: Array<Route<ShortcutArgs>> = [
    [DATA_REQUEST_SHORTCUT, as(requestDataShortcut())],
    [DATA_REQUEST_FROM_MESSAGE, as(requestFromMessage())],
  ];
  app.shortcut(
    anyOf(shortcuts),
    dispatch(shortcuts, (a) => a.shortcut.callback_id),
  );

  // Modals
  app.view(DATA_REQUEST_MODAL, dataRequestSubmission(deps));
  app.view(FEEDBACK_MODAL, feedbackSubmission(deps));
}
