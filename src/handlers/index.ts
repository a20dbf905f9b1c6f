/** Every Slack listener, registered in one flat list grouped by surface. */
import type { App } from '@slack/bolt';
import type { Deps } from '../deps.js';
import { analyticsCommand } from './analytics-command.js';

export const ANALYTICS_COMMAND = '/analytics';

export function registerHandlers(app: App, deps: Deps): void {
  // Slash commands
  app.command(ANALYTICS_COMMAND, analyticsCommand(deps));
}
