/**
 * Files stored data requests, one recorded step at a time: the issue, its board item, the requester's DM and the
 * #analytics announcement (plus a "saved" notice while GitHub is down). Each step is claimed atomically, done once,
 * retried with its own backoff up to its own cap, and never repeated because a later step failed.
 *
 * Where an attempt may have had its effect without us hearing back (a crash, a timeout, a 5xx), the next attempt
 * looks first: for the issue by the marker in issue bodies, for Slack messages by the metadata the bot puts on them.
 */
import type { WebClient } from '@slack/web-api';
import { buildIssueDraft } from '../github/issue-body.js';
import {
  type BoardPlacement,
  type FiledIssue,
  type IssueRef,
  type IssueTracker,
  TrackerError,
} from '../github/tracker.js';
import type { Logger } from '../logger.js';
import type { InstanceRegistry } from '../store/instances.js';
import {
  CLAIM_LEASE_MS,
  type OutboxRow,
  type RequestOutbox,
  type StepFailure,
  type StepName,
  type StepRow,
} from '../store/request-outbox.js';
import { TaskTracker } from '../tasks.js';
import type { Telemetry } from '../telemetry.js';
import type { Message } from '../views/blocks.js';
import { requestAnnouncement, requestFiledMessage, requestSavedMessage } from '../views/data-request-messages.js';
import type { DataRequest } from './data-request.js';

export interface RequestFiler {
  readonly outbox: RequestOutbox;
  /** This person's requests, newest first (App Home, `/analytics my`). */
  ofRequester(userId: string): OutboxRow[];
  /** Stores the submission durably, before anything else; false if this key was stored already. */
  store(request: DataRequest): boolean;
  /** Works on a stored request now: every step that is due and not held by another worker. */
  file(key: string): Promise<void>;
  /** Works on every request with a due step. */
  processDue(): Promise<void>;
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

export interface FilerOptions {
  outbox: RequestOutbox;
  tracker: IssueTracker;
  /**
   * Posts the DMs and the announcement. It must not retry by itself (retryConfig retries 0, rejectRateLimitedCalls):
   * a blind retry after a timeout can post twice, and the outbox waits out Retry-After without holding a worker.
   */
  slack: WebClient;
  /** This process: claims carry its id. */
  instance: InstanceRegistry;
  announceChannel?: string;
  /** The board status new requests get (GITHUB_TRIAGE_STATUS): recorded so the webhook for it is not news. */
  initialStatus?: string;
  /** The board's status field name (GITHUB_STATUS_FIELD), to know whether the status was set. */
  statusField?: string;
  logger: Logger;
  telemetry: Telemetry;
  clock: () => Date;
  /** How often a running attempt renews its claim (default a third of the lease); tests shorten it. */
  renewEveryMs?: number;
  /** The retry passes are tracked here (shutdown finishes them; tests settle on them). */
  tasks?: TaskTracker;
}

/** Attempts before a step is given up (kept in SQLite with its last error; a restart gives it another round). */
export const MAX_ATTEMPTS: Record<StepName, number> = {
  issue: 25,
  board: 15,
  dm: 10,
  announce: 10,
  saved_notice: 5,
};

/** Slack message metadata that marks the bot's own messages about a request, so a retry can find them. */
export const REQUEST_EVENT_TYPES: Record<'dm' | 'announce' | 'saved_notice', string> = {
  dm: 'analytics_request_filed',
  announce: 'analytics_request_announced',
  saved_notice: 'analytics_request_saved',
};

/** How far before an uncertain attempt to look for its message (clock skew between us and Slack). */
const LOOKBACK_MS = 60_000;

/** Set by a step right before its side effect is tried; a failure before that point did nothing. */
interface AttemptContext {
  started: boolean;
}

interface SlackPosted {
  channel: string;
  ts: string;
}

interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

/** Reads what went wrong into a step failure: whether it may have happened anyway, and how long to wait. */
function failureOf(error: unknown, step: StepName): Omit<StepFailure, 'maxAttempts'> {
  if (error instanceof TrackerError) {
    return { error: error.message, ambiguous: error.ambiguous, retryAfterMs: error.retryAfterMs };
  }
  const e = error as { code?: string; retryAfter?: number; data?: { error?: string }; message?: string };
  switch (e.code) {
    case 'slack_webapi_rate_limited_error':
      return {
        error: `Slack rate limit (retry after ${e.retryAfter}s)`,
        ambiguous: false,
        retryAfterMs: (e.retryAfter ?? 1) * 1000,
      };
    case 'slack_webapi_platform_error':
      // Slack answered: the message was not posted (not_in_channel, is_archived, channel_not_found, ratelimited…).
      return { error: `Slack refused: ${e.data?.error ?? e.message}`, ambiguous: false };
    case 'slack_webapi_request_error':
    case 'slack_webapi_http_error':
      return { error: `Slack did not answer: ${e.message}`, ambiguous: step !== 'issue' && step !== 'board' };
    default:
      return { error: e.message ?? String(error), ambiguous: true };
  }
}

export function createRequestFiler(opts: FilerOptions): RequestFiler {
  const { outbox, tracker, slack, instance, logger, telemetry } = opts;
  const log = logger.child({ component: 'request-filer' });
  const now = () => opts.clock().getTime();
  const tasks = opts.tasks ?? new TaskTracker();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const issueOf = (key: string): FiledIssue | undefined => outbox.get(key)?.issue ?? undefined;

  /** The message the bot posted about `key` in `channel` since `since`, if any (found by its metadata). */
  async function findPosted(
    channel: string,
    eventType: string,
    key: string,
    since: number,
  ): Promise<SlackPosted | undefined> {
    const res = await slack.conversations.history({
      channel,
      oldest: String(Math.floor((since - LOOKBACK_MS) / 1000)),
      include_all_metadata: true,
      limit: 100,
    });
    const found = ((res.messages ?? []) as HistoryMessage[]).find(
      (m) => m.metadata?.event_type === eventType && m.metadata.event_payload?.key === key && m.ts,
    );
    return found ? { channel, ts: found.ts! } : undefined;
  }

  /** Posts once: after an attempt whose outcome is unknown, looks for the message before posting again. */
  async function postOnce(
    step: 'dm' | 'announce' | 'saved_notice',
    before: StepRow,
    ctx: AttemptContext,
    target: { channel: string; dm: boolean },
    build: () => Promise<Message>,
  ): Promise<SlackPosted> {
    const eventType = REQUEST_EVENT_TYPES[step];
    if (before.maybeDone) {
      // A DM's history lives in the IM channel, not under the user id.
      const channel = target.dm
        ? ((await slack.conversations.open({ users: target.channel })).channel?.id ?? target.channel)
        : target.channel;
      const found = await findPosted(channel, eventType, before.key, before.uncertainSince ?? now());
      if (found) {
        log.info(
          { key: before.key, step, ts: found.ts },
          'message was posted by an earlier attempt; not posting again',
        );
        return found;
      }
    }
    const message = await build();
    ctx.started = true;
    const res = await slack.chat.postMessage({
      channel: target.channel,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      metadata: { event_type: eventType, event_payload: { key: before.key } },
    });
    return { channel: res.channel ?? target.channel, ts: res.ts ?? '' };
  }

  type Outcome = { state: 'done' | 'skipped'; result?: unknown };

  const run: Record<StepName, (request: DataRequest, before: StepRow, ctx: AttemptContext) => Promise<Outcome>> = {
    async issue(request, before, ctx) {
      let issue: IssueRef | undefined;
      let existing = false;
      if (before.maybeDone) {
        issue = await tracker.findFiled(request);
        existing = issue !== undefined;
      }
      if (!issue) {
        ctx.started = true;
        try {
          issue = await tracker.createIssue(request, buildIssueDraft(request));
        } catch (error) {
          // A 5xx or timeout may have come after GitHub created it: look once now, before telling anyone it failed.
          if (!(error instanceof TrackerError && error.ambiguous)) throw error;
          issue = await tracker.findFiled(request).catch(() => undefined);
          if (!issue) throw error;
          existing = true;
        }
      }
      const filed: FiledIssue = { ...issue, existing, fieldsSet: [], fieldsMissing: [] };
      outbox.markFiled(request.key, filed, now());
      if (!issue.preview) outbox.recordIssueState(request.key, { state: 'open' }, now());
      log.info({ key: request.key, issue: issue.number, existing, attempts: before.attempts + 1 }, 'issue step done');
      return { state: 'done', result: issue };
    },

    async board(request, _before, ctx) {
      const issue = issueOf(request.key);
      if (!issue || issue.preview) return { state: 'skipped' };
      ctx.started = true;
      const placement: BoardPlacement | undefined = await tracker.placeOnBoard(request, issue);
      if (!placement) return { state: 'skipped' };
      outbox.markFiled(
        request.key,
        {
          ...issue,
          projectItemId: placement.itemId,
          fieldsSet: placement.fieldsSet,
          fieldsMissing: placement.fieldsMissing,
          boardUrl: placement.boardUrl,
        },
        now(),
      );
      const field = (opts.statusField ?? 'Status').toLowerCase();
      if (opts.initialStatus && placement.fieldsSet.some((f) => f.toLowerCase() === field)) {
        outbox.recordIssueState(request.key, { boardStatus: opts.initialStatus }, now());
      }
      log.info({ key: request.key, item: placement.itemId, fieldsMissing: placement.fieldsMissing }, 'board step done');
      return { state: 'done', result: placement };
    },

    async dm(request, before, ctx) {
      const issue = issueOf(request.key)!;
      const posted = await postOnce('dm', before, ctx, { channel: request.requester.id, dm: true }, async () => {
        const draft = issue.preview ? buildIssueDraft(request) : undefined;
        const related = issue.preview ? [] : await tracker.findRelated(request.title, issue.number);
        return requestFiledMessage(request, issue, related, draft);
      });
      outbox.markNotified(request.key, 'filed', now());
      return { state: 'done', result: posted };
    },

    async announce(request, before, ctx) {
      const issue = issueOf(request.key)!;
      if (!opts.announceChannel || issue.preview) return { state: 'skipped' };
      const posted = await postOnce('announce', before, ctx, { channel: opts.announceChannel, dm: false }, async () =>
        requestAnnouncement(request, issue),
      );
      return { state: 'done', result: posted };
    },

    async saved_notice(request, before, ctx) {
      if (outbox.get(request.key)?.status === 'filed') return { state: 'skipped' }; // filed meanwhile: no news
      const posted = await postOnce(
        'saved_notice',
        before,
        ctx,
        { channel: request.requester.id, dm: true },
        async () => requestSavedMessage(request),
      );
      outbox.markNotified(request.key, 'saved', now());
      return { state: 'done', result: posted };
    },
  };

  /** Whether a step may start, given the others: the board needs the issue; messages wait for the board's first try. */
  function ready(step: StepName, steps: Partial<Record<StepName, StepRow>>): boolean {
    const issueDone = steps.issue?.state === 'done';
    const board = steps.board;
    const boardTried = board?.state !== 'pending' || board.lastError !== null;
    switch (step) {
      case 'issue':
        return true;
      case 'board':
        return issueDone;
      case 'dm':
      case 'announce':
        return issueDone && boardTried;
      case 'saved_notice':
        return true;
    }
  }

  async function attempt(key: string, step: StepName, request: DataRequest): Promise<StepRow | undefined> {
    const before = outbox.claimStep(key, step, instance, now());
    if (!before) return undefined;
    // The claim outlives the attempt's calls: renewed until the attempt ends, so no one takes over live work.
    const renew = setInterval(
      () => {
        try {
          outbox.renewClaim(key, step, instance.id, now());
        } catch (error) {
          log.warn({ err: error, key, step }, 'could not renew the claim');
        }
      },
      opts.renewEveryMs ?? CLAIM_LEASE_MS / 3,
    );
    renew.unref();
    const ctx: AttemptContext = { started: false };
    try {
      const outcome = await run[step](request, before, ctx);
      outbox.completeStep(key, step, outcome.result, now(), outcome.state);
      telemetry.outboxSteps.inc({ step, outcome: outcome.state });
    } catch (error) {
      const read = failureOf(error, step);
      // A failure before the side effect was even tried (e.g. while looking for an earlier attempt's result) leaves
      // the step exactly as uncertain as it was.
      const ambiguous = ctx.started ? read.ambiguous : before.maybeDone;
      const failure = { ...read, ambiguous, maxAttempts: MAX_ATTEMPTS[step] };
      const failed = outbox.failStep(key, step, failure, now());
      telemetry.outboxSteps.inc({ step, outcome: failed.state === 'failed' ? 'gave_up' : 'retry' });
      const fields = { key, step, attempts: failed.attempts, error: failure.error, ambiguous: failure.ambiguous };
      if (failed.state === 'failed') log.error(fields, 'a data request step failed too often; given up until restart');
      else log.warn({ ...fields, retryInMs: failed.nextAttemptAt - now() }, 'a data request step failed; will retry');
    } finally {
      clearInterval(renew);
    }
    return outbox.steps(key)[step];
  }

  async function work(key: string): Promise<void> {
    const row = outbox.get(key);
    if (!row) return;
    for (const step of ['issue', 'board', 'dm', 'announce'] as const) {
      const steps = outbox.steps(key);
      if (steps[step]?.state !== 'pending' || !ready(step, steps)) continue;
      const after = await attempt(key, step, row.request);
      if (step === 'issue' && after && after.state !== 'done' && after.lastError !== null) {
        // GitHub is failing: tell the requester once that their answers are safe.
        outbox.addStep(key, 'saved_notice', now());
      }
    }
    const notice = outbox.steps(key).saved_notice;
    if (notice?.state === 'pending') await attempt(key, 'saved_notice', row.request);
  }

  async function processDue(): Promise<void> {
    for (const key of outbox.due(now(), instance)) {
      if (stopped) return;
      await work(key);
    }
  }

  return {
    outbox,
    ofRequester: (userId) => outbox.byRequester(userId, 100),
    store(request) {
      const isNew = outbox.save(request, now(), { announce: Boolean(opts.announceChannel) });
      if (isNew) telemetry.slackRequests.inc({ surface: 'data_request', outcome: 'stored' });
      return isNew;
    },
    file: work,
    processDue,
    start(intervalMs = 15_000) {
      const revived = outbox.reviveFailed(now());
      if (revived > 0) log.info({ steps: revived }, 'retrying data request steps that had given up');
      const tick = () => {
        if (running || stopped) return;
        running = tasks
          .run(
            () => processDue(),
            (error) => log.error({ err: error }, 'retry pass failed'),
          )
          .finally(() => {
            running = undefined;
          });
      };
      tick(); // a restart files what was left pending at once
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
