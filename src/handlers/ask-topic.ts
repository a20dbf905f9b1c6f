/** A "closest things I know" topic button: shows that topic from the knowledge file. */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { topicMessage } from '../views/ask.js';
import { staleButtonMessage } from '../views/refusals.js';
import type { HandlerDeps } from './handler-deps.js';

export const askTopic =
  (deps: Pick<HandlerDeps, 'ask' | 'catalog'>) =>
  async ({ ack, action, respond }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>) => {
    await ack();
    const topic = deps.ask.topic(action.value ?? '');
    if (!topic) return void (await respond(staleButtonMessage));
    await respond({ ...topicMessage(topic, deps.catalog), response_type: 'ephemeral', replace_original: false });
  };
