/**
 * Compile-time checks of the handlers' registrar, run by `npm run typecheck` (not by Jest): each `@ts-expect-error`
 * fails the typecheck if the line below it stops being an error, i.e. if the registrar starts accepting a handler
 * for a payload its id never sends.
 */
import type { App, BlockButtonAction, BlockStaticSelectAction, GlobalShortcut, MessageShortcut } from '@slack/bolt';
import {
  type ActionArgs,
  actionRegistrar,
  type EventArgs,
  eventRegistrar,
  type ShortcutArgs,
  shortcutRegistrar,
  type ViewArgs,
  viewRegistrar,
} from '../../src/handlers/registrar.js';
import { DATA_REQUEST_MODAL } from '../../src/views/data-request-modal.js';
import { buttonId, buttonPattern, type ListenerId, shortcutId } from '../../src/views/ids.js';
import { SHARE_ANSWER_ACTION } from '../../src/views/metric-answer.js';

declare const app: App;
const onButton = async (_: ActionArgs<BlockButtonAction>) => {};
const onSelect = async (_: ActionArgs<BlockStaticSelectAction>) => {};
const onAnyAction = async (_: ActionArgs) => {};
const SELECT = 'pick_one' as ListenerId<BlockStaticSelectAction>;

export function typeChecks() {
  const actions = actionRegistrar(app);
  actions.on(SHARE_ANSWER_ACTION, onButton);
  actions.on(buttonPattern(/^x_\d+$/), onButton);
  actions.on(SELECT, onSelect);
  // A handler for any action fits every id.
  actions.on(SHARE_ANSWER_ACTION, onAnyAction);
  // @ts-expect-error a select menu's handler under a button's id
  actions.on(SHARE_ANSWER_ACTION, onSelect);
  // @ts-expect-error a select menu's handler under a family of button ids
  actions.on(buttonPattern(/^x_\d+$/), onSelect);
  // @ts-expect-error a button's handler under a select menu's id
  actions.on(SELECT, onButton);
  // @ts-expect-error a bare string says nothing about its payload, so a button's handler is not taken on trust
  actions.on('share_answer', onButton);

  const shortcuts = shortcutRegistrar(app);
  shortcuts.on(shortcutId<GlobalShortcut>('g'), async (_: ShortcutArgs<GlobalShortcut>) => {});
  // @ts-expect-error a message shortcut's handler (it reads the message) under a global shortcut's id
  shortcuts.on(shortcutId<GlobalShortcut>('g'), async (_: ShortcutArgs<MessageShortcut>) => {});

  const views = viewRegistrar(app);
  // @ts-expect-error a modal submission handler under a button's id
  views.on(buttonId('b'), async (_: ViewArgs) => {});
  views.on(DATA_REQUEST_MODAL, async (_: ViewArgs) => {});

  const events = eventRegistrar(app);
  events.on('app_home_opened', async (_: EventArgs<'app_home_opened'>) => {});
  // @ts-expect-error an App Home handler registered for mentions
  events.on('app_mention', async (_: EventArgs<'app_home_opened'>) => {});
}
