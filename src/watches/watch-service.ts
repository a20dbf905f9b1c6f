/**
 * Runs watches and alerts. One scheduler tick (WATCH_CRON) runs every watch whose latest scheduled time has no
 * run yet; the run ledger makes that at most once per period across restarts and processes. Each run re-reads the
 * question with the same pipeline as answers, re-checks the destination's access rules and state, shares one query
 * between identical questions, then posts (or stays quiet, for an alert that did not fire).
 */
import { Cron } from 'croner';
import { DateTime } from 'luxon';
import type { Deps } from '../deps.js';
import { shownAnswer } from '../handlers/answer-question.js';
import { BudgetExceededError } from '../queries/budget.js';
import type { Grain, Metric } from '../queries/catalog.js';
import { cacheKey, type MetricAnswer } from '../queries/metric-service.js';
import type { MetricQuestion } from '../queries/question.js';
import { deliver } from '../slack/deliver.js';
import { MAX_RUN_ATTEMPTS, type WatchRow, type WatchStore } from '../store/watch-store.js';
import type { Message } from '../views/blocks.js';
import { metricAnswerMessage } from '../views/metric-answer.js';
import { alertMessage, watchPausedNotice, watchPostMessage, watchSkippedNotice } from '../views/watches.js';
import { ANOMALY_WEEKS, type Evaluation, evaluate } from './detect.js';
import { latestOccurrence, nextOccurrence, periodKey } from './schedule.js';

export type RunOutcome =
  | { kind: 'post'; message: Message }
  /** Refused for this period (a spent bytes budget): not retried, the creator is told. */
  | { kind: 'skip'; reason: string }
  | { kind: 'quiet'; detail: string }
  | { kind: 'pause'; reason: string }
  | { kind: 'failed'; detail: string };

export interface TickResult {
  watchId: string;
  period: string;
  outcome: 'posted' | 'quiet' | 'paused' | 'failed' | 'unknown' | 'would_post';
  detail?: string;
  message?: Message;
  destination: string;
}

/** Built from the rest of the dependencies (questions are read in config.metrics.timezone, as for answers). */
export type WatchServiceOptions = Pick<
  Deps,
  'metrics' | 'parser' | 'slack' | 'logger' | 'clock' | 'config' | 'charts' | 'feedback' | 'access' | 'tasks'
> & {
  store: WatchStore;
};

/** What people do with their watches (create, confirm, list, pause, snooze, delete), without the run ledger. */
export type WatchBook = Pick<
  WatchStore,
  'get' | 'createDraft' | 'activate' | 'pause' | 'resume' | 'snooze' | 'delete' | 'visibleTo' | 'byCreator'
>;

export interface WatchService {
  /** The watches and their run ledger (the CLI and tests read runs); handlers use `book`. */
  readonly store: WatchStore;
  readonly book: WatchBook;
  /** Reads a watch's question as of `now` (dates move with each run). */
  understand(
    row: Pick<WatchRow, 'spec'>,
    now: Date,
  ): { ok: true; question: MetricQuestion } | { ok: false; reason: string };
  /**
   * Why the destination may not get this metric now, or null: access rules (channel rules for a channel, the
   * creator's own grants for a DM), then whether the bot can still post there.
   */
  destinationProblem(metric: Metric, row: Pick<WatchRow, 'creator' | 'destination' | 'spec'>): Promise<string | null>;
  /** The coarsest grain an alert can be checked at for this metric and schedule. */
  alertGrain(metric: Metric, every: WatchRow['spec']['schedule']['every']): Grain;
  next(row: WatchRow, now?: Date): DateTime;
  /** Runs what is due now; with dryRun, evaluates every active watch and records and posts nothing. */
  tick(now: Date, opts?: { dryRun?: boolean }): Promise<TickResult[]>;
  /** What the watch would do if it ran at `now` (shown with the confirmation); records and posts nothing. */
  preview(row: WatchRow, now: Date): Promise<RunOutcome>;
  /** Schedules WATCH_CRON and runs a catch-up tick at once (resolved when that tick is done). */
  start(): Promise<void>;
  stop(): void;
}

const PAUSING_ERRORS: Record<string, string> = {
  not_in_channel: 'I was removed from the channel',
  channel_not_found: 'the channel no longer exists or I cannot see it',
  is_archived: 'the channel was archived',
  channel_is_archived: 'the channel was archived',
  restricted_action: 'posting there is restricted',
  cannot_dm_bot: 'I cannot send you a DM',
  user_not_found: 'the person no longer exists',
  account_inactive: 'the account was deactivated',
  user_disabled: 'the account was deactivated',
};

const GRAIN_ORDER: Grain[] = ['day', 'week', 'month', 'quarter'];
const EVERY_GRAIN: Record<string, Grain> = { daily: 'day', weekly: 'week', monthly: 'month' };

export function createWatchService(opts: WatchServiceOptions): WatchService {
  const { store, metrics, parser, slack, clock, config } = opts;
  const metricsTimezone = config.metrics.timezone;
  const log = opts.logger.child({ component: 'watches' });
  let cron: Cron | undefined;
  let running: Promise<TickResult[]> | undefined;

  const isDm = (row: Pick<WatchRow, 'spec' | 'destination'>) =>
    row.spec.destination === 'dm' || /^[DU]/.test(row.destination);

  function understand(row: Pick<WatchRow, 'spec'>, now: Date) {
    const parsed = parser.parse(row.spec.question, { now, timezone: metricsTimezone });
    if (!parsed.ok)
      return { ok: false as const, reason: `its question is no longer understood (${parsed.error.kind})` };
    return { ok: true as const, question: parsed.question };
  }

  async function destinationAllowed(
    metric: Metric,
    row: Pick<WatchRow, 'creator' | 'destination' | 'spec'>,
  ): Promise<string | null> {
    // A channel post is seen by everyone there, so only the channel's own grant counts; a DM needs the creator's.
    const dm = isDm(row);
    const asker = dm ? { userId: row.creator } : { userId: row.creator, channelId: row.destination };
    if (await opts.access.canSeeMetric(metric, asker, slack, log, dm ? 'asker' : 'channel')) return null;
    return dm
      ? `${metric.label} is restricted and you no longer have access to it`
      : `${metric.label} is restricted and may not be posted in that channel`;
  }

  /** The bot can still post there: not archived, still a member. Unknown (no scope, API down) counts as yes. */
  async function destinationState(row: Pick<WatchRow, 'destination' | 'spec'>): Promise<string | null> {
    if (isDm(row)) return null;
    try {
      const res = (await slack.conversations.info({ channel: row.destination })) as {
        channel?: { is_archived?: boolean; is_member?: boolean };
      };
      if (res.channel?.is_archived) return 'the channel was archived';
      if (res.channel?.is_member === false) return 'I was removed from the channel';
      return null;
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code === 'channel_not_found') return PAUSING_ERRORS.channel_not_found!;
      return null;
    }
  }

  async function destinationProblem(metric: Metric, row: Pick<WatchRow, 'creator' | 'destination' | 'spec'>) {
    return (await destinationAllowed(metric, row)) ?? (await destinationState(row));
  }

  function alertGrain(metric: Metric, every: WatchRow['spec']['schedule']['every']): Grain {
    const wanted = EVERY_GRAIN[every]!;
    // Averages of periods (weekly actives) are defined per their own grain; never check them finer.
    const own = metric.rollup === 'average' ? metric.default_grain : 'day';
    return GRAIN_ORDER[Math.max(GRAIN_ORDER.indexOf(wanted), GRAIN_ORDER.indexOf(own))]!;
  }

  /** The alert's question: one series at the check's grain, the last complete period plus 8 earlier ones. */
  function alertQuestion(question: MetricQuestion, grain: Grain, asOf: Date): MetricQuestion {
    const today = DateTime.fromJSDate(asOf, { zone: metricsTimezone }).startOf('day');
    const end = grain === 'day' ? today : today.startOf(grain);
    const span = grain === 'day' ? { days: 7 * ANOMALY_WEEKS + 1 } : { [`${grain}s`]: ANOMALY_WEEKS + 1 };
    const start = end.minus(span);
    return {
      ...question,
      range: {
        start,
        end,
        label: `the last ${grain === 'day' ? `${7 * ANOMALY_WEEKS + 1} days` : `${ANOMALY_WEEKS + 1} ${grain}s`}`,
      },
      defaultRange: false,
      grain,
      grainNote: undefined,
      breakdowns: [],
      comparison: undefined,
      order: undefined,
    };
  }

  /** What a run would do at `asOf`. `offline` (dry runs, previews) checks access rules but asks Slack nothing. */
  async function evaluateRow(
    row: WatchRow,
    asOf: Date,
    shared: Map<string, Promise<MetricAnswer>>,
    offline = false,
  ): Promise<RunOutcome> {
    const understood = understand(row, asOf);
    if (!understood.ok) return { kind: 'pause', reason: understood.reason };
    const metric = understood.question.metric;
    const denied = offline ? await destinationAllowed(metric, row) : await destinationProblem(metric, row);
    if (denied) return { kind: 'pause', reason: denied };
    const question =
      row.kind === 'alert'
        ? alertQuestion(understood.question, alertGrain(understood.question.metric, row.spec.schedule.every), asOf)
        : understood.question;
    // Identical questions in one tick share one query, whatever the answer cache's TTL.
    const key = cacheKey(question);
    let pending = shared.get(key);
    if (!pending) {
      pending = metrics.answer(question, { userId: row.creator, channelId: row.destination });
      shared.set(key, pending);
    }
    let answer: MetricAnswer;
    try {
      answer = await pending;
    } catch (error) {
      if (error instanceof BudgetExceededError) {
        const whose = error.scope === 'user' ? 'your' : 'the bot’s';
        return {
          kind: 'skip',
          reason: `${whose} daily warehouse bytes budget is spent (it resets at ${error.resetsAt.toISOString().slice(11, 16)} UTC)`,
        };
      }
      return { kind: 'failed', detail: `the warehouse failed: ${(error as Error).message}` };
    }
    if (row.kind === 'watch') {
      // A real run records the answer for 👍/👎 like any answer; dry runs and previews record nothing.
      const shown = { ...answer, question };
      const base = offline
        ? metricAnswerMessage(shown, { visible: true })
        : shownAnswer(
            opts,
            shown,
            { userId: row.creator, channelId: row.destination, asked: row.spec.question },
            { visible: true },
          );
      return { kind: 'post', message: watchPostMessage(base, row) };
    }

    const bucket = question.range.end.minus({ [`${question.grain}s`]: 1 }).toISODate()!;
    // A period whose last day has not landed yet would look like a drop; wait for it.
    const lastDay = question.range.end.minus({ days: 1 }).toISODate()!;
    const latestDay = answer.latest && DateTime.fromISO(answer.latest, { zone: metricsTimezone }).toISODate();
    if (!latestDay || latestDay < lastDay) {
      return {
        kind: 'quiet',
        detail: `data through ${lastDay} has not arrived yet (latest: ${answer.latest ?? 'none'})`,
      };
    }
    const values = new Map(answer.series.map((p) => [p.bucket, p.value]));
    const ev: Evaluation = evaluate({
      metric: question.metric,
      condition: row.spec.condition!,
      grain: question.grain,
      bucket,
      values,
      floor: row.spec.floor,
    });
    if (!ev.fired) return { kind: 'quiet', detail: ev.quiet ?? 'did not fire' };
    return { kind: 'post', message: alertMessage(row, { ...answer, question }, ev) };
  }

  async function pauseAndTell(row: WatchRow, reason: string, now: number): Promise<void> {
    if (!store.pause(row.id, reason, now)) return;
    log.info({ watch: row.id, creator: row.creator, reason }, 'watch paused');
    await tellCreator(row, watchPausedNotice(row, reason));
  }

  /** A DM to the creator (by user id, which opens the bot's DM); a failure is logged, never fatal to the tick. */
  async function tellCreator(row: WatchRow, notice: Message): Promise<void> {
    await slack.chat
      .postMessage({ channel: row.creator, text: notice.text, blocks: notice.blocks })
      .catch((error: unknown) => log.warn({ err: error, watch: row.id }, 'could not tell the creator'));
  }

  async function runOne(
    row: WatchRow,
    now: Date,
    shared: Map<string, Promise<MetricAnswer>>,
  ): Promise<TickResult | null> {
    const occurrence = latestOccurrence(row.spec.schedule, now);
    const at = occurrence.toMillis();
    if (at < row.activeSince || (row.snoozedUntil !== null && at < row.snoozedUntil)) return null;
    const period = periodKey(row.spec.schedule, occurrence);
    const result = (outcome: TickResult['outcome'], detail?: string): TickResult => ({
      watchId: row.id,
      period,
      outcome,
      detail,
      destination: row.destination,
    });
    if (store.claimRun(row.id, period, now.getTime()) !== 'claimed') return null;
    const l = log.child({ watch: row.id, period, kind: row.kind });
    let outcome: RunOutcome;
    try {
      outcome = await evaluateRow(row, occurrence.toJSDate(), shared);
    } catch (error) {
      outcome = { kind: 'failed', detail: (error as Error).message };
    }
    const finishedAt = clock().getTime();
    switch (outcome.kind) {
      case 'quiet':
        store.finishRun(row.id, period, 'quiet', finishedAt, { detail: outcome.detail });
        l.info({ detail: outcome.detail }, 'alert checked; quiet');
        return result('quiet', outcome.detail);
      case 'pause':
        store.finishRun(row.id, period, 'paused', finishedAt, { detail: outcome.reason });
        await pauseAndTell(row, outcome.reason, finishedAt);
        return result('paused', outcome.reason);
      case 'skip': {
        store.finishRun(row.id, period, 'failed', finishedAt, { detail: outcome.reason, final: true });
        l.info({ reason: outcome.reason }, 'watch run skipped');
        await tellCreator(row, watchSkippedNotice(row, outcome.reason));
        return result('failed', outcome.reason);
      }
      case 'failed':
        store.finishRun(row.id, period, 'failed', finishedAt, { detail: outcome.detail });
        l.warn({ detail: outcome.detail, maxAttempts: MAX_RUN_ATTEMPTS }, 'watch run failed; retried next tick');
        return result('failed', outcome.detail);
      case 'post': {
        store.markPosting(row.id, period);
        try {
          // Same chart rules as answers: native blocks, resent as text + PNG if Slack rejects them.
          const posted = await deliver(
            outcome.message,
            { kind: 'post', client: slack, channel: row.destination },
            { mode: config.charts.mode, renderer: opts.charts, logger: l, extra: { unfurl_media: false } },
          );
          store.finishRun(row.id, period, 'posted', clock().getTime(), { ts: posted.ts });
          l.info({ ts: posted.ts, destination: row.destination }, `${row.kind} posted`);
          return { ...result('posted'), message: outcome.message };
        } catch (error) {
          const code = (error as { code?: string; data?: { error?: string } }).data?.error;
          const platform = (error as { code?: string }).code === 'slack_webapi_platform_error';
          const at2 = clock().getTime();
          if (code && PAUSING_ERRORS[code]) {
            store.finishRun(row.id, period, 'paused', at2, { detail: code });
            await pauseAndTell(row, PAUSING_ERRORS[code]!, at2);
            return result('paused', code);
          }
          // Slack said no: nothing was posted, so the next tick may try again. Anything else may have posted.
          store.finishRun(row.id, period, platform ? 'failed' : 'unknown', at2, {
            detail: code ?? (error as Error).message,
          });
          l.warn({ err: error }, 'posting the watch failed');
          return result(platform ? 'failed' : 'unknown', code ?? (error as Error).message);
        }
      }
    }
  }

  async function dryRun(now: Date): Promise<TickResult[]> {
    const shared = new Map<string, Promise<MetricAnswer>>();
    const out: TickResult[] = [];
    for (const row of store.active()) {
      const occurrence = latestOccurrence(row.spec.schedule, now);
      const period = periodKey(row.spec.schedule, occurrence);
      const base = { watchId: row.id, period, destination: row.destination };
      const outcome = await evaluateRow(row, occurrence.toJSDate(), shared, true).catch(
        (error: Error): RunOutcome => ({ kind: 'failed', detail: error.message }),
      );
      if (outcome.kind === 'post') out.push({ ...base, outcome: 'would_post', message: outcome.message });
      else if (outcome.kind === 'pause') out.push({ ...base, outcome: 'paused', detail: outcome.reason });
      else if (outcome.kind === 'skip') out.push({ ...base, outcome: 'failed', detail: outcome.reason });
      else out.push({ ...base, outcome: outcome.kind, detail: outcome.detail });
    }
    return out;
  }

  async function tick(now: Date, tickOpts: { dryRun?: boolean } = {}): Promise<TickResult[]> {
    if (tickOpts.dryRun) return dryRun(now);
    // One tick at a time in this process; the run ledger guards against other processes.
    if (running) return running;
    running = (async () => {
      const shared = new Map<string, Promise<MetricAnswer>>();
      const results: TickResult[] = [];
      store.prune(now.getTime());
      for (const row of store.active()) {
        try {
          const r = await runOne(row, now, shared);
          if (r) results.push(r);
        } catch (error) {
          log.error({ err: error, watch: row.id }, 'watch run crashed');
        }
      }
      return results;
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    store,
    book: store,
    understand,
    destinationProblem,
    alertGrain,
    next: (row, now = clock()) => nextOccurrence(row.spec.schedule, now),
    tick,
    preview: (row, now) =>
      evaluateRow(row, now, new Map(), true).catch(
        (error: Error): RunOutcome => ({ kind: 'failed', detail: error.message }),
      ),
    async start() {
      const run = () =>
        opts.tasks.run(
          () => tick(clock()),
          (error) => log.error({ err: error }, 'watch tick failed'),
        );
      cron = new Cron(config.watches.cron, { protect: true }, () => void run());
      log.info({ cron: config.watches.cron, next: cron.nextRun()?.toISOString() }, 'watch scheduler started');
      // Catch up now on what was missed while the bot was down (once: only the latest period is ever due).
      await run();
    },
    stop() {
      cron?.stop();
    },
  };
}
