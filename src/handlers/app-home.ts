/** App Home: the person's requests, a request button, a metric browser, and how the team works. */
import type {
  AllMiddlewareArgs,
  BlockButtonAction,
  SlackActionMiddlewareArgs,
  SlackEventMiddlewareArgs,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { metricListMessage } from '../views/metric-answer.js';
import { homeView, metricBrowserView } from '../views/my-requests.js';
import { homeWatchBlocks } from '../views/watches.js';
import type { HandlerDeps } from './handler-deps.js';

export type HomeDeps = Pick<HandlerDeps, 'requests' | 'watches' | 'clock'>;

export async function publishHome(deps: HomeDeps, client: WebClient, user: string): Promise<void> {
  const now = deps.clock();
  const rows = deps.requests.ofRequester(user);
  const watches = homeWatchBlocks(deps.watches.book.byCreator(user), now, (r) => deps.watches.next(r, now));
  await client.views.publish({ user_id: user, view: homeView(rows, now, watches) });
}

export const appHomeOpened =
  (deps: HomeDeps) =>
  async ({ event, client }: AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_home_opened'>) => {
    if (event.tab !== 'home') return;
    await publishHome(deps, client, event.user);
  };

export const browseMetrics =
  (deps: Pick<HandlerDeps, 'catalog' | 'logger' | 'access'>) =>
  async ({ ack, body, client }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>) => {
    await ack();
    // The trigger expires 3 s after the click; which restricted metrics to list may take a user-group lookup.
    const opened = await client.views.open({ trigger_id: body.trigger_id, view: metricBrowserView() });
    const askable = await deps.access.askableMetrics(
      deps.catalog.metrics,
      { userId: body.user.id },
      client,
      deps.logger,
    );
    const view = metricBrowserView(metricListMessage(deps.catalog, askable));
    if (opened.view?.id) await client.views.update({ view_id: opened.view.id, hash: opened.view.hash, view });
  };
