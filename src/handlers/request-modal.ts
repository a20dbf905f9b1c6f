/**
 * Every way into the data request modal: `/analytics request [title]`, the "Request data" button, the global
 * shortcut, and the "Turn into data request" message shortcut (prefilled from the message).
 */
import { randomUUID } from 'node:crypto';
import type {
  AllMiddlewareArgs,
  BlockButtonAction,
  GlobalShortcut,
  MessageShortcut,
  SlackActionMiddlewareArgs,
  SlackShortcutMiddlewareArgs,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { clip } from '../views/blocks.js';
import { dataRequestModal, type ModalContext, type ModalPrefill } from '../views/data-request-modal.js';

/** One key per opened modal: double submits and Slack redeliveries of that modal file one issue. */
export const newRequestKey = () => randomUUID();

export async function openRequestModal(
  client: WebClient,
  triggerId: string,
  context: Omit<ModalContext, 'k'>,
  prefill: ModalPrefill = {},
): Promise<void> {
  await client.views.open({
    trigger_id: triggerId,
    view: dataRequestModal({ k: newRequestKey(), ...context }, prefill),
  });
}

export const requestDataButton =
  () =>
  async ({ ack, body, action, client }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>) => {
    await ack();
    const channel = body.channel?.id ?? body.container?.channel_id;
    const title = action.value && !['home', 'help'].includes(action.value) ? clip(action.value, 150) : undefined;
    await openRequestModal(
      client,
      body.trigger_id,
      { c: channel, o: body.view?.type === 'home' ? 'home' : 'button' },
      { title },
    );
  };

export const requestDataShortcut =
  () =>
  async ({ ack, shortcut, client }: AllMiddlewareArgs & SlackShortcutMiddlewareArgs<GlobalShortcut>) => {
    await ack();
    await openRequestModal(client, shortcut.trigger_id, { o: 'shortcut' });
  };

export const requestFromMessage =
  () =>
  async ({ ack, shortcut, client }: AllMiddlewareArgs & SlackShortcutMiddlewareArgs<MessageShortcut>) => {
    await ack();
    const text = shortcut.message.text ?? '';
    const quoted = text
      ? `From ${shortcut.message.user ? `<@${shortcut.message.user}>` : 'a message'} in Slack:\n${text}`
      : undefined;
    await openRequestModal(
      client,
      shortcut.trigger_id,
      {
        o: 'message',
        c: shortcut.channel.id,
        t: shortcut.message.thread_ts ?? shortcut.message.ts,
        m: text || undefined,
      },
      { purpose: quoted, title: text ? clip(text.split('\n')[0]!, 80) : undefined },
    );
  };
