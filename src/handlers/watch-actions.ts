/**
 * Buttons on watches: Save/Cancel on the confirmation, Pause/Resume/Delete in listings and App Home,
 * Snooze/Pause/Delete on posts. The button value names a watch; what it may do and where it posts come from our own
 * records. Only the creator, or a workspace admin or owner (users.info), may change a watch.
 */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { DateTime } from 'luxon';
import {
  WATCH_ACTION_PATTERN,
  WATCH_HOME_BLOCK,
  WATCH_LIST_BLOCK,
  watchListMessage,
  watchNoticeMessage,
  watchSavedMessage,
} from '../views/watches.js';
import { requestLog } from './answer-question.js';
import { type HomeDeps, publishHome } from './app-home.js';
import type { HandlerDeps } from './handler-deps.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

async function isWorkspaceAdmin(client: WebClient, user: string): Promise<boolean> {
  try {
    const res = await client.users.info({ user });
    return Boolean(res.user?.is_admin || res.user?.is_owner || res.user?.is_primary_owner);
  } catch {
    return false; // fail closed
  }
}

const DAY_MS = 86_400_000;

export const watchAction =
  (deps: HomeDeps & Pick<HandlerDeps, 'logger'>) =>
  async ({ ack, action, body, respond, client, context }: Args) => {
    await ack();
    const verb = WATCH_ACTION_PATTERN.exec(action.action_id)?.[1];
    const user = body.user.id;
    const channel = body.channel?.id ?? body.container?.channel_id ?? '';
    const log = requestLog(deps, context, { user, channel, surface: 'watch_button', verb });
    const store = deps.watches.book;
    const row = store.get(action.value ?? '');
    const reply = (text: string) => respond({ ...watchNoticeMessage(text, true), replace_original: false });
    if (!row || row.status === 'deleted' || !verb) return void (await reply('That watch no longer exists.'));
    const now = deps.clock();

    if (verb === 'save' || verb === 'cancel') {
      if (row.creator !== user) return void (await reply(`Only <@${row.creator}> can confirm this.`));
      if (verb === 'cancel') {
        store.delete(row.id, now.getTime());
        return void (await respond(watchNoticeMessage('Cancelled; nothing was saved.')));
      }
      // Rules may have changed since the confirmation was shown.
      const understood = deps.watches.understand(row, now);
      const problem = understood.ok
        ? await deps.watches.destinationProblem(understood.question.metric, row)
        : understood.reason;
      if (problem) return void (await respond(watchNoticeMessage(`I can't save it: ${problem}.`)));
      if (!store.activate(row.id, now.getTime())) {
        return void (await respond(watchNoticeMessage('That confirmation expired or was already used.')));
      }
      log.info({ watch: row.id, kind: row.kind, destination: row.destination }, 'watch saved');
      return void (await respond(watchSavedMessage(store.get(row.id)!, deps.watches.next(row, now))));
    }

    if (row.status === 'draft') return void (await reply('That watch was never saved.'));
    if (row.creator !== user && !(await isWorkspaceAdmin(client, user))) {
      return void (await reply(`Only <@${row.creator}> or a workspace admin can change this ${row.kind}.`));
    }
    const tz = row.spec.schedule.timezone;
    let done: string;
    switch (verb) {
      case 'pause':
        store.pause(row.id, null, now.getTime());
        done = `Paused. Resume it from \`/analytics watches\`.`;
        break;
      case 'resume':
        store.resume(row.id, now.getTime());
        done = `Resumed; next run ${deps.watches.next(row, now).toFormat('ccc LLL d, HH:mm')}.`;
        break;
      case 'delete':
        store.delete(row.id, now.getTime());
        done = `Deleted the ${row.kind}.`;
        break;
      default: {
        const until = now.getTime() + (verb === 'snooze_week' ? 7 : 1) * DAY_MS;
        store.snooze(row.id, until, now.getTime());
        done = `Snoozed until ${DateTime.fromMillis(until, { zone: tz }).toFormat('ccc LLL d, HH:mm')} (${tz}).`;
      }
    }
    log.info({ watch: row.id, by: user, creator: row.creator }, `watch ${verb}`);
    const block = (body.actions?.[0] as { block_id?: string } | undefined)?.block_id ?? '';
    if (block.startsWith(WATCH_LIST_BLOCK)) {
      await respond(watchListMessage(store.visibleTo(user, channel), now, (r) => deps.watches.next(r, now)));
    } else if (block.startsWith(WATCH_HOME_BLOCK)) {
      await publishHome(deps, client, user);
    } else {
      await reply(`${done}${user !== row.creator ? ` (the ${row.kind} of <@${row.creator}>)` : ''}`);
    }
  };
