/**
 * Files stored data requests on GitHub and tells people: the requester by DM, the channel by announcement.
 * Every step is retried from the outbox until it succeeds, so neither a GitHub nor a Slack outage loses anything.
 */
import type { WebClient } from '@slack/web-api';
import { buildIssueDraft } from '../github/issue-body.js';
import type { DataRequest, IssueTracker } from '../github/tracker.js';
import type { Logger } from '../logger.js';
import type { OutboxRow, RequestOutbox } from '../store/request-outbox.js';
import type { Telemetry } from '../telemetry.js';
import { requestAnnouncement, requestFiledMessage, requestSavedMessage } from '../views/data-request-messages.js';

export interface RequestFiler {
  readonly outbox: RequestOutbox;
  /** Stores the submission durably, before anything else; false if this key was stored already. */
  store(request: DataRequest): boolean;
  /** Files a stored request now (or leaves it for the retry loop if GitHub fails), then tells people. */
  file(key: string): Promise<void>;
  /** Files due retries and re-sends notifications that failed. */
  processDue(): Promise<void>;
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

export interface FilerOptions {
  outbox: RequestOutbox;
  tracker: IssueTracker;
  slack: WebClient;
  announceChannel?: string;
  /** The board status new requests get (GITHUB_TRIAGE_STATUS): recorded so the webhook for it is not news. */
  initialStatus?: string;
  /** The board's status field name (GITHUB_STATUS_FIELD), to know whether the status was set. */
  statusField?: string;
  logger: Logger;
  telemetry: Telemetry;
  clock: () => Date;
}

const LEASE_MS = 2 * 60_000;

export function createRequestFiler(opts: FilerOptions): RequestFiler {
  const { outbox, tracker, slack, logger, telemetry } = opts;
  const log = logger.child({ component: 'request-filer' });
  const now = () => opts.clock().getTime();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function notifySaved(row: OutboxRow): Promise<void> {
    if (row.notifiedSaved) return;
    try {
      const m = requestSavedMessage(row.request);
      await slack.chat.postMessage({ channel: row.request.requester.id, text: m.text, blocks: m.blocks });
      outbox.markNotified(row.key, 'saved', now());
    } catch (error) {
      // The answers are in the outbox either way; the next pass tries the DM again.
      log.warn({ err: error, key: row.key }, 'could not DM the requester that the request is saved');
    }
  }

  async function notifyFiled(row: OutboxRow): Promise<void> {
    const issue = row.issue;
    if (!issue || row.notifiedFiled) return;
    try {
      const draft = issue.preview ? buildIssueDraft(row.request) : undefined;
      const related = issue.preview ? [] : await tracker.findRelated(row.request.title, issue.number);
      const dm = requestFiledMessage(row.request, issue, related, draft);
      await slack.chat.postMessage({
        channel: row.request.requester.id,
        text: dm.text,
        blocks: dm.blocks,
        unfurl_links: false,
      });
      if (opts.announceChannel && !issue.preview && !issue.existing) {
        const a = requestAnnouncement(row.request, issue);
        await slack.chat.postMessage({
          channel: opts.announceChannel,
          text: a.text,
          blocks: a.blocks,
          unfurl_links: false,
        });
      }
      outbox.markNotified(row.key, 'filed', now());
    } catch (error) {
      log.warn({ err: error, key: row.key }, 'could not tell Slack the request was filed; will retry');
    }
  }

  async function attempt(key: string): Promise<void> {
    if (!outbox.claim(key, now(), LEASE_MS)) return;
    const row = outbox.get(key)!;
    try {
      const issue = await tracker.createDataRequest(row.request, buildIssueDraft(row.request));
      outbox.markFiled(key, issue, now());
      if (!issue.preview) {
        const field = (opts.statusField ?? 'Status').toLowerCase();
        const status = issue.fieldsSet.some((f) => f.toLowerCase() === field) ? opts.initialStatus : undefined;
        outbox.updateIssue(issue.number, { state: 'open', ...(status ? { boardStatus: status } : {}) }, now());
      }
      log.info(
        {
          key,
          issue: issue.number,
          existing: issue.existing,
          fieldsMissing: issue.fieldsMissing,
          attempts: row.attempts + 1,
        },
        issue.preview ? 'data request previewed' : 'data request filed',
      );
      await notifyFiled(outbox.get(key)!);
    } catch (error) {
      const failed = outbox.markFailed(key, (error as Error).message, now());
      log.warn(
        { key, attempts: failed.attempts, retryInMs: failed.nextAttemptAt - now(), error: (error as Error).message },
        'filing the data request failed; it is saved and will be retried',
      );
      await notifySaved(failed);
    }
  }

  async function processDue(): Promise<void> {
    for (const row of outbox.due(now())) {
      if (row.status === 'pending') await attempt(row.key);
      else await notifyFiled(row);
    }
  }

  return {
    outbox,
    store(request) {
      const isNew = outbox.save(request, now());
      if (isNew) telemetry.slackRequests.inc({ surface: 'data_request', outcome: 'stored' });
      return isNew;
    },
    file: attempt,
    processDue,
    start(intervalMs = 15_000) {
      const tick = () => {
        if (running) return;
        running = processDue()
          .catch((error: unknown) => log.error({ err: error }, 'retry pass failed'))
          .finally(() => {
            running = undefined;
          });
      };
      tick(); // a restart files what was left pending at once
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
