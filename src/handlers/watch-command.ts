/**
 * `/analytics watch …`, `/analytics alert when …` and `/analytics watches|alerts`. A new watch is read by the
 * same question pipeline as answers, checked against the destination's access rules, and shown back for
 * confirmation; it is saved only when its creator presses Save.
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import { WatchStore } from '../store/watch-store.js';
import { questionErrorMessage } from '../views/metric-answer.js';
import { watchConfirmMessage, watchListMessage, watchNoticeMessage } from '../views/watches.js';
import { type Frequency, parseAlert, parseWatch } from '../watches/grammar.js';
import { nextOccurrence } from '../watches/schedule.js';
import { type HandlerDeps, readQuestion } from './handler-deps.js';

export type WatchCommandDeps = Pick<HandlerDeps, 'watches' | 'parser' | 'catalog' | 'clock' | 'timezone'>;

type CommandArgs = AllMiddlewareArgs & SlackCommandMiddlewareArgs;

/** The person's IANA zone from users.info; null when Slack does not say. */
async function userTimezone(client: WebClient, user: string, log: Logger): Promise<string | null> {
  try {
    const res = await client.users.info({ user });
    return res.user?.tz ?? null;
  } catch (error) {
    log.warn({ err: error, user }, 'users.info failed; using the catalog time zone');
    return null;
  }
}

export async function watchCommand(
  deps: WatchCommandDeps,
  kind: 'watch' | 'alert',
  text: string,
  { ack, command, respond, client }: CommandArgs,
  log: Logger,
): Promise<void> {
  await ack({ response_type: 'ephemeral', text: `:hourglass_flowing_sand: Reading your ${kind}…` });
  const grammar = kind === 'watch' ? parseWatch(text) : parseAlert(text);
  if (!grammar.ok) return void (await respond(watchNoticeMessage(grammar.error)));
  const spec = grammar.spec;
  const now = deps.clock();
  const parsed = readQuestion(deps, spec.question, now);
  if (!parsed.ok) return void (await respond(questionErrorMessage(parsed.error, spec.question, deps.catalog)));
  // A watch repeats without anyone reading the question again, so every word must have been used.
  if (parsed.question.unused.length > 0) {
    const words = parsed.question.unused.map((w) => `“${w}”`).join(', ');
    return void (await respond(
      watchNoticeMessage(
        `I didn't understand ${words} in “${spec.question}”, so I won't save a ${kind} that would ignore it. ` +
          'Rephrase the question (try it first as `/analytics <question>`).',
      ),
    ));
  }
  const { metric } = parsed.question;
  const notes: string[] = [];
  let every: Frequency = spec.schedule.every;
  if (kind === 'alert') {
    const [breakdown] = parsed.question.breakdowns;
    if (breakdown) {
      return void (await respond(
        watchNoticeMessage(
          `An alert watches one number, so it can't be broken down by ${breakdown.label.toLowerCase()}. Drop “by …”, or use a filter.`,
        ),
      ));
    }
    const c = spec.condition!;
    if (c.type === 'threshold' && c.percent && metric.format.style !== 'percent') {
      return void (await respond(
        watchNoticeMessage(
          `${metric.label} is not a percentage; give the threshold in ${metric.format.unit ?? 'its units'}.`,
        ),
      ));
    }
    const grain = deps.watches.alertGrain(metric, every);
    const coarser = { week: 'weekly', month: 'monthly', quarter: 'monthly' } as const;
    if (grain !== 'day' && coarser[grain] !== every) {
      every = coarser[grain];
      notes.push(`${metric.label} is defined per ${grain}, so it is checked ${every}.`);
    }
  }
  // A DM conversation the command was typed in is only reachable as the person's DM with the bot.
  const inDm = command.channel_id.startsWith('D');
  const destinationKind = spec.destination === 'dm' || inDm ? 'dm' : 'here';
  const destination = destinationKind === 'dm' ? command.user_id : command.channel_id;
  const timezone = spec.schedule.timezone ?? (await userTimezone(client, command.user_id, log)) ?? deps.timezone;
  const row = {
    creator: command.user_id,
    destination,
    spec: {
      text: text.trim().slice(0, 500),
      question: spec.question,
      schedule: { ...spec.schedule, every, timezone },
      destination: destinationKind,
      ...(spec.condition ? { condition: spec.condition } : {}),
      ...(spec.floor !== undefined ? { floor: spec.floor } : {}),
    },
  } as const;
  const problem = await deps.watches.destinationProblem(metric, row);
  if (problem) {
    log.info({ metric: metric.name, destination, problem }, 'watch refused at creation');
    return void (await respond(watchNoticeMessage(`I can't set that up: ${problem}.`)));
  }
  const draft = deps.watches.book.createDraft({
    id: WatchStore.newId(),
    kind,
    createdIn: command.channel_id,
    activeSince: now.getTime(),
    createdAt: now.getTime(),
    ...row,
    spec: { ...row.spec, schedule: { ...row.spec.schedule } },
  });
  if (kind === 'alert') {
    // The same evaluation a run makes, on today's data, so the person sees what the alert means before saving it.
    const preview = await deps.watches.preview(draft, now);
    if (preview.kind === 'post') notes.push(`Checked on today's data, it would fire now: ${preview.message.text}.`);
    else if (preview.kind === 'quiet') notes.push(`Checked on today's data, it would stay quiet: ${preview.detail}.`);
  }
  await respond(
    watchConfirmMessage(draft, parsed.question, {
      next: nextOccurrence(draft.spec.schedule, now),
      note: notes.join(' ') || undefined,
    }),
  );
}

export async function watchesCommand(
  deps: Pick<HandlerDeps, 'watches' | 'clock'>,
  { ack, command, respond }: CommandArgs,
): Promise<void> {
  // Acked before the store is read, like every other subcommand that does work.
  await ack();
  const rows = deps.watches.book.visibleTo(command.user_id, command.channel_id);
  await respond(watchListMessage(rows, deps.clock(), (r) => deps.watches.next(r)));
}
