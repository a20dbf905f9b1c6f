/**
 * "Request data from the team": until the request modal lands (#4), explains the process and the four questions
 * the team needs answered, so the button is never a dead end.
 */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Deps } from '../deps.js';
import { requestProcessMessage } from '../views/request-process.js';

export const openDataRequest =
  (deps: Deps) =>
  async ({ ack, respond }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>) => {
    await ack();
    await respond({ ...requestProcessMessage(deps.config.github.projectUrl), replace_original: false });
  };
