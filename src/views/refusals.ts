/** Messages for questions the bot turns down on purpose: too many too fast, a spent bytes budget, a restricted metric
 * in a place others would see it. Each says why and what to do next. Pure. */
import type { Metric } from '../queries/catalog.js';
import { type Message, section } from './blocks.js';
import { escapeMrkdwn } from './escape.js';
import { formatBytes } from './format.js';

const ephemeral = (text: string): Message => ({
  response_type: 'ephemeral',
  replace_original: true,
  text: text.replace(/\*/g, ''),
  blocks: [section(text)],
});

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** "in 3 h 20 min" / "in 12 min" until `at`. */
function until(at: Date, now: Date): string {
  const minutes = Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h > 0 ? `in ${h} h${m > 0 ? ` ${m} min` : ''}` : `in ${m} min`;
}

export function slowDownMessage(retryAfterMs: number, perMinute: number): Message {
  return ephemeral(
    `:raised_hand: Slow down: you've asked ${perMinute} questions in the last minute, which is my limit per person. ` +
      `Try again in ${seconds(retryAfterMs)} s.`,
  );
}

export function budgetReachedMessage(
  budget: { scope: 'user' | 'bot'; limitBytes: number; resetsAt: Date },
  now: Date,
): Message {
  const resets = `It resets at 00:00 UTC (${until(budget.resetsAt, now)}).`;
  return ephemeral(
    budget.scope === 'user'
      ? `:money_with_wings: You've reached your daily warehouse budget (${formatBytes(budget.limitBytes)} scanned today), ` +
          `so I won't start another query for you. ${resets} Answers already in my cache still work; ` +
          'ask the analytics team if you need more today.'
      : `:money_with_wings: The bot's daily warehouse budget for everyone (${formatBytes(budget.limitBytes)}) is used up, ` +
          `so I won't start another query today. ${resets} Answers already in my cache still work.`,
  );
}

/** A group grant is one person's: the number may be shown to them alone, never posted where others read it. */
export function restrictedHereMessage(metric: Metric): Message {
  return ephemeral(
    `*${escapeMrkdwn(metric.label)}* is restricted, and this conversation is not one of the channels allowed to see it, ` +
      "so I won't post it here. Ask me in a direct message, or with `/analytics` (only you see that answer).",
  );
}

/** A button whose value no longer reads (an older answer's encoding, or a metric that is gone). */
export const staleButtonMessage = {
  response_type: 'ephemeral' as const,
  replace_original: false,
  text: 'That button is from an older answer the bot can no longer read. Ask the question again.',
};
