/**
 * Every Slack listener, in one flat list grouped by surface. Each surface is one Bolt listener that dispatches by id
 * (see registrar.ts for why); each handler still lives in its own file.
 */
import type { App, GlobalShortcut, MessageShortcut } from '@slack/bolt';
import type { Deps } from '../deps.js';
import { ASK_TOPIC_ACTIONS, OPEN_LINK_ACTIONS } from '../views/ask.js';
import { DATA_REQUEST_MODAL } from '../views/data-request-modal.js';
import {
  FEEDBACK_DOWN_ACTION,
  FEEDBACK_MODAL,
  FEEDBACK_REQUEST_ACTION,
  FEEDBACK_UP_ACTION,
} from '../views/feedback.js';
import { shortcutId } from '../views/ids.js';
import {
  ASK_CHOICE_ACTIONS,
  ASK_SUGGESTION_ACTIONS,
  OPEN_DATA_REQUEST_ACTION,
  OPEN_LOOKER_ACTION,
  SHARE_ANSWER_ACTION,
  SHOW_SQL_ACTION,
} from '../views/metric-answer.js';
import { BROWSE_METRICS_ACTION } from '../views/my-requests.js';
import { OPEN_BOARD_ACTION } from '../views/triage-digest.js';
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
import { handlerDeps } from './handler-deps.js';
import { type ActionArgs, actionRegistrar, eventRegistrar, shortcutRegistrar, viewRegistrar } from './registrar.js';
import { requestDataButton, requestDataShortcut, requestFromMessage } from './request-modal.js';
import { shareAnswer } from './share-answer.js';
import { showSql } from './show-sql.js';
import { watchAction } from './watch-actions.js';
import { whatChanged } from './what-changed.js';

export const ANALYTICS_COMMAND = '/analytics';
/** Callback IDs declared in manifest.yml. */
export const DATA_REQUEST_SHORTCUT = shortcutId<GlobalShortcut>('data_request_shortcut');
export const DATA_REQUEST_FROM_MESSAGE = shortcutId<MessageShortcut>('data_request_from_message');

const ackOnly = async ({ ack }: ActionArgs) => ack();

export function registerHandlers(app: App, services: Deps): void {
  const deps = handlerDeps(services);
  // Slash commands
  app.command(ANALYTICS_COMMAND, analyticsCommand(deps));

  // Block actions
  const actions = actionRegistrar(app);
  actions.on(SHARE_ANSWER_ACTION, shareAnswer(deps));
  actions.on(SHOW_SQL_ACTION, showSql(deps));
  actions.on(WHAT_CHANGED_ACTION, whatChanged(deps));
  actions.on(FEEDBACK_UP_ACTION, feedbackUp(deps));
  actions.on(FEEDBACK_DOWN_ACTION, feedbackDown(deps));
  actions.on(FEEDBACK_REQUEST_ACTION, feedbackRequest(deps));
  actions.on(ASK_SUGGESTION_ACTIONS, askSuggestion(deps));
  actions.on(ASK_CHOICE_ACTIONS, askChoice(deps));
  actions.on(ASK_TOPIC_ACTIONS, askTopic(deps));
  actions.on(OPEN_DATA_REQUEST_ACTION, requestDataButton());
  actions.on(BROWSE_METRICS_ACTION, browseMetrics(deps));
  actions.on(WATCH_ACTION_PATTERN, watchAction(deps));
  // Link buttons still send an interaction; ack it so Slack shows no error.
  actions.on(OPEN_LOOKER_ACTION, ackOnly);
  actions.on(OPEN_LINK_ACTIONS, ackOnly);
  actions.on(OPEN_BOARD_ACTION, ackOnly);

  // Events: mentions in channels, direct messages (message.im; other message events are ignored inside), App Home
  const events = eventRegistrar(app);
  events.on('app_mention', askBot(deps));
  events.on('message', askBot(deps));
  events.on('app_home_opened', appHomeOpened(deps));

  // Shortcuts
  const shortcuts = shortcutRegistrar(app);
  shortcuts.on(DATA_REQUEST_SHORTCUT, requestDataShortcut());
  shortcuts.on(DATA_REQUEST_FROM_MESSAGE, requestFromMessage());

  // Modals
  const views = viewRegistrar(app);
  views.on(DATA_REQUEST_MODAL, dataRequestSubmission(deps));
  views.on(FEEDBACK_MODAL, feedbackSubmission(deps));
}
