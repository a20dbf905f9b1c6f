/**
 * Ids a view gives its interactive parts, typed with the payload Slack sends back when that part is used. The type
 * is a phantom (at run time an id is a plain string or RegExp); the handlers' registrar reads it, so a handler for
 * one payload cannot be registered under an id whose element sends another.
 */
import type { BlockButtonAction, SlackShortcut, SlackViewAction } from '@slack/bolt';

declare const payload: unique symbol;

/** One exact id whose element sends `P`. */
export type ListenerId<P> = string & { readonly [payload]?: P };
/** A family of ids (an index or a verb in the id) whose elements all send `P`. */
export type ListenerPattern<P> = RegExp & { readonly [payload]?: P };

export const buttonId = (id: string) => id as ListenerId<BlockButtonAction>;
export const buttonPattern = (pattern: RegExp) => pattern as ListenerPattern<BlockButtonAction>;
export const shortcutId = <S extends SlackShortcut>(id: string) => id as ListenerId<S>;
export const modalId = <V extends SlackViewAction>(id: string) => id as ListenerId<V>;

/** The ids `${base}_0`, `${base}_1`, …: one per button in a row of like buttons. */
export const indexedButtons = (base: string) => buttonPattern(new RegExp(`^${base}_\\d+$`));
