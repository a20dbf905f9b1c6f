/** The receiver the configured mode needs: Bolt's HTTPReceiver (served by our HTTP server) or Socket Mode. */
import { type Logger as BoltLogger, HTTPReceiver, type Receiver, SocketModeReceiver } from '@slack/bolt';
import type { Config } from '../config.js';

export const SLACK_EVENTS_PATH = '/slack/events';

interface ChosenReceiver {
  receiver: Receiver;
  /** Set in HTTP mode: its request listener answers SLACK_EVENTS_PATH on our one HTTP server. */
  http?: HTTPReceiver;
}

export function chooseReceiver(config: Pick<Config, 'mode' | 'slack'>, logger: BoltLogger): ChosenReceiver {
  if (config.mode === 'socket') {
    const receiver = new SocketModeReceiver({
      appToken: config.slack.appToken!,
      logger,
      // apps.connections.open must go to the same Web API as everything else (GovSlack, tests).
      installerOptions: { clientOptions: { slackApiUrl: config.slack.apiUrl } },
    });
    return { receiver };
  }
  if (config.mode === 'http') {
    const http = new HTTPReceiver({
      signingSecret: config.slack.signingSecret!,
      endpoints: SLACK_EVENTS_PATH,
      // Ack first, work after: the HTTP response goes out as soon as a listener calls ack().
      processBeforeResponse: false,
      logger,
    });
    return { receiver: http, http };
  }
  throw new Error('Local mode needs a console receiver (see src/console)');
}
