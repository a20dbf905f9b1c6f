/** App Home (#7): the person's requests, a request button, a metric browser, and how the team works. */
import type {
  AllMiddlewareArgs,
  BlockButtonAction,
  SlackActionMiddlewareArgs,
  SlackEventMiddlewareArgs,
} from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Deps } from '../deps.js';
import { askableMetrics } from '../slack/access.js';
import { plain } from '../views/blocks.js';
import { metricListMessage } from '../views/metric-answer.js';
import { homeView } from '../views/my-requests.js';
import { homeWatchBlocks } from '../views/watches.js';

export async function publishHome(deps: Deps, client: WebClient, user: string): Promise<void> {
  const now = deps.clock();
  const rows = deps.requests.outbox.byRequester(user, 100);
  const watches = homeWatchBlocks(deps.watches.store.byCreator(user), now, (r) => deps.watches.next(r, now));
  await client.views.publish({ user_id: user, view: homeView(rows, now, watches) });
}

export const appHomeOpened =
  (deps: Deps) =>
  async ({ event, client }: AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_home_opened'>) => {
    if (event.tab !== 'home') return;
    await publishHome(deps, client, event.user);
  };

export const browseMetrics =
  (deps: Deps) =>
  async ({ ack, body, client }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>) => {
    await ack();
    const who = { userId: body.user.id };
    const askable = await askableMetrics(deps.catalog.metrics, who, client, deps.logger);
    const list = metricListMessage(deps.catalog, askable);
    const view: ModalView = {
      type: 'modal',
      callback_id: 'metric_browser',
      title: plain('Metrics', 24),
      close: plain('Close', 24),
      blocks: list.blocks.slice(0, 100) as ModalView['blocks'],
    };
    await client.views.open({ trigger_id: body.trigger_id, view });
  };
