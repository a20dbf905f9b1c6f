/**
 * The daily triage digest: built from the board, posted exactly once a day. Exactly once holds across restarts
 * (a ledger in DATA_DIR) and across replicas (each checks the channel for a digest carrying today's message
 * metadata before posting, and the later of two racing posts deletes itself).
 */
import type { WebClient } from '@slack/web-api';
import { Cron } from 'croner';
import { DateTime } from 'luxon';
import type { ChartRenderer } from '../charts/render-png.js';
import { BoardError, type BoardReader, type BoardSnapshot } from '../github/board.js';
import type { Logger } from '../logger.js';
import { type ChartMode, deliver } from '../slack/deliver.js';
import type { DigestLedger } from '../store/digest-ledger.js';
import type { InstanceRegistry } from '../store/instances.js';
import { TaskTracker } from '../tasks.js';
import type { Message } from '../views/blocks.js';
import { DIGEST_EVENT_TYPE, digestFailureMessage, triageDigestMessage } from '../views/triage-digest.js';
import { buildTriage, type TriageDigest } from './triage.js';

export type PostOutcome = 'posted' | 'already_posted' | 'in_progress' | 'failed' | 'no_channel';

export interface BuiltDigest {
  day: string;
  message: Message;
  digest: TriageDigest;
  snapshot: BoardSnapshot;
}

export interface DigestService {
  /** Builds today's digest without posting it (preview, dry run). Throws BoardError when the board can't be read. */
  build(now: Date, opts?: { preview?: boolean }): Promise<BuiltDigest>;
  /** Posts today's digest unless it already went out. */
  postIfDue(now: Date): Promise<PostOutcome>;
  /** Schedules DIGEST_CRON and posts a run missed earlier today. */
  start(): void;
  stop(): void;
}

export interface DigestServiceOptions {
  board: BoardReader;
  ledger: DigestLedger;
  slack: WebClient;
  channel?: string;
  cron: string;
  timezone: string;
  triageStatus: string;
  logger: Logger;
  clock: () => Date;
  /** CHART_MODE and the PNG renderer for the weekly chart (default: native blocks, no images). */
  charts?: { mode: ChartMode; renderer?: ChartRenderer };
  /** How long to wait before retrying a failed day (default 15 min). */
  retryMs?: number;
  /** This process: the day's claim carries its id, so a restart takes over a dead process's claim at once. */
  instance: InstanceRegistry;
  /** How long `/analytics digest` previews reuse a board snapshot (default 5 min). */
  snapshotTtlMs?: number;
  /** Scheduled runs, catch-ups and retries are tracked here (shutdown finishes them; tests settle on them). */
  tasks?: TaskTracker;
}

interface HistoryMessage {
  ts?: string;
  bot_id?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

export function createDigestService(opts: DigestServiceOptions): DigestService {
  const { board, ledger, slack, logger } = opts;
  const log = logger.child({ component: 'digest' });
  const dayOf = (now: Date) => DateTime.fromJSDate(now, { zone: opts.timezone }).toISODate()!;
  const tasks = opts.tasks ?? new TaskTracker();
  let cron: Cron | undefined;
  let retry: NodeJS.Timeout | undefined;
  // A request filed a minute ago must show in the next preview; only a costly board is worth reusing.
  const snapshotTtlMs = board.cheapReads ? 0 : (opts.snapshotTtlMs ?? 5 * 60_000);
  /** The last board read, shared by previews (and by previews running at once) while it is fresh. */
  let recent: { at: number; snapshot: Promise<BoardSnapshot> } | undefined;

  /** A fresh read for posting; previews reuse a recent one instead of reading the whole board again. */
  function readBoard(reuse: boolean): Promise<BoardSnapshot> {
    const now = opts.clock().getTime();
    if (reuse && recent && now - recent.at < snapshotTtlMs) return recent.snapshot;
    const entry = { at: now, snapshot: board.read() };
    recent = entry;
    entry.snapshot.catch(() => {
      if (recent === entry) recent = undefined; // a failed read is not reused
    });
    return entry.snapshot;
  }

  async function build(now: Date, buildOpts: { preview?: boolean } = {}): Promise<BuiltDigest> {
    const day = dayOf(now);
    const snapshot = await readBoard(buildOpts.preview === true);
    const last = ledger.lastPostedBefore(day);
    const digest = buildTriage(snapshot, {
      now,
      timezone: opts.timezone,
      since: last ? new Date(last) : undefined,
      triageStatus: opts.triageStatus,
    });
    const message = triageDigestMessage(digest, {
      boardUrl: snapshot.url,
      boardTitle: snapshot.title,
      day,
      timezone: opts.timezone,
      preview: buildOpts.preview,
    });
    return { day, message, digest, snapshot };
  }

  /** Today's digests already in the channel, oldest first (metadata marks them, whoever posted). */
  async function digestsInChannel(channel: string, day: string): Promise<string[]> {
    const start = DateTime.fromISO(day, { zone: opts.timezone }).startOf('day').toSeconds();
    const res = await slack.conversations.history({
      channel,
      oldest: String(start),
      include_all_metadata: true,
      limit: 200,
    });
    return ((res.messages ?? []) as HistoryMessage[])
      .filter((m) => m.metadata?.event_type === DIGEST_EVENT_TYPE && m.metadata.event_payload?.day === day && m.ts)
      .map((m) => m.ts!)
      .sort((a, b) => Number(a) - Number(b));
  }

  async function postIfDue(now: Date): Promise<PostOutcome> {
    const channel = opts.channel;
    if (!channel) {
      log.warn('ANALYTICS_CHANNEL_ID is not set: the triage digest is not posted');
      return 'no_channel';
    }
    const day = dayOf(now);
    if (!ledger.claim(day, now.getTime(), opts.instance)) {
      if (ledger.get(day)?.status === 'posted') return 'already_posted';
      // A live process is posting it; look again later in case it fails or dies before it is done.
      scheduleRetry(day);
      return 'in_progress';
    }
    try {
      const existing = await digestsInChannel(channel, day);
      if (existing.length > 0) {
        ledger.markPosted(day, existing[0]!, now.getTime());
        log.info({ day, ts: existing[0] }, 'digest already in the channel (another instance posted it)');
        return 'already_posted';
      }
      const built = await build(now);
      // The channel sees it: a chart block Slack rejects is resent as text, with the chart as a PNG (CHART_MODE).
      const posted = await deliver(
        built.message,
        { kind: 'post', client: slack, channel },
        {
          mode: opts.charts?.mode ?? 'native',
          renderer: opts.charts?.renderer,
          logger: log,
          extra: {
            metadata: { event_type: DIGEST_EVENT_TYPE, event_payload: { day, items: built.snapshot.items.length } },
          },
        },
      );
      const ts = posted.ts!;
      // Two replicas can pass the check at the same moment; the later post removes itself.
      const after = await digestsInChannel(channel, day).catch(() => [ts]);
      const first = after[0] ?? ts;
      if (first !== ts) {
        await slack.chat
          .delete({ channel, ts })
          .catch((e: unknown) => log.warn({ err: e }, 'could not delete duplicate'));
        log.info({ day, kept: first, deleted: ts }, 'another instance posted first; removed our duplicate');
      }
      ledger.markPosted(day, first, now.getTime());
      log.info(
        { day, ts: first, items: built.snapshot.items.length, requests: built.snapshot.requests },
        'digest posted',
      );
      return 'posted';
    } catch (error) {
      const reason =
        error instanceof BoardError ? error.message : `Slack or GitHub failed (${(error as Error).message})`;
      log.error({ err: error, day }, 'triage digest failed; will retry');
      let noticeTs: string | undefined;
      if (!ledger.get(day)?.noticeTs) {
        try {
          const notice = digestFailureMessage(reason);
          noticeTs = (await slack.chat.postMessage({ channel, text: notice.text, blocks: notice.blocks })).ts;
        } catch (e) {
          log.warn({ err: e }, 'could not post the digest failure notice');
        }
      }
      ledger.markFailed(day, reason, noticeTs);
      scheduleRetry(day);
      return 'failed';
    }
  }

  /** Runs off any request: an unexpected error (the database, a bug) is logged and retried, never unhandled. */
  function runInBackground(now: Date, trigger: string) {
    void tasks.run(
      () => postIfDue(now),
      (error) => {
        log.error({ err: error, trigger }, 'triage digest run failed unexpectedly; will retry');
        scheduleRetry(dayOf(now));
      },
    );
  }

  function scheduleRetry(day: string) {
    if (!cron) return; // only the long-running service retries; the CLI reports and exits
    clearTimeout(retry);
    retry = setTimeout(
      () => {
        const now = opts.clock();
        if (dayOf(now) === day) runInBackground(now, 'retry');
      },
      opts.retryMs ?? 15 * 60_000,
    );
    retry.unref();
  }

  return {
    build,
    postIfDue,
    start() {
      cron = new Cron(opts.cron, { timezone: opts.timezone, protect: true }, () => {
        runInBackground(opts.clock(), 'schedule');
      });
      // Catch up on a run missed while the bot was down, the same day only.
      const now = opts.clock();
      const startOfDay = DateTime.fromJSDate(now, { zone: opts.timezone }).startOf('day').toJSDate();
      const firstToday = new Cron(opts.cron, { timezone: opts.timezone, paused: true }).nextRun(startOfDay);
      if (firstToday && firstToday <= now && dayOf(firstToday) === dayOf(now)) {
        log.info({ scheduledAt: firstToday.toISOString() }, 'catching up on today’s digest');
        runInBackground(now, 'catch-up');
      }
      log.info({ cron: opts.cron, timezone: opts.timezone, next: cron.nextRun()?.toISOString() }, 'digest scheduled');
    },
    stop() {
      cron?.stop();
      clearTimeout(retry);
    },
  };
}
