/**
 * The board port: what the bot needs from GitHub for data requests and the triage digest.
 * Adapters: Octokit (REST + Projects v2 GraphQL), and the embedded local board when no GitHub credentials are set.
 */
import type { DataRequest } from '../requests/data-request.js';

/** The tracker key of the embedded local board (GitHub issues carry `owner/repo`). */
export const LOCAL_TRACKER = 'local';

/** The issue as it would be, or was, filed. */
export interface IssueDraft {
  title: string;
  body: string;
  labels: string[];
}

/** An issue the tracker holds (or, in preview, would hold). */
export interface IssueRef {
  /**
   * Which tracker holds the issue: `owner/repo` on GitHub, 'local' on the embedded board. Issue numbers are only
   * unique within one tracker, so requests are found again by (tracker, number).
   */
  tracker: string;
  number: number;
  url: string;
  nodeId: string;
  /** Local preview: nothing was sent to GitHub. */
  preview?: boolean;
}

/** Where the issue landed on the board. */
export interface BoardPlacement {
  itemId: string;
  /** Board fields that were set, and those that do not exist on the board. */
  fieldsSet: string[];
  fieldsMissing: string[];
  boardUrl?: string;
}

/** The issue and its board placement, as the requester's message shows it. */
export interface FiledIssue extends IssueRef {
  /** True when an earlier attempt had already created it (found by its marker). */
  existing?: boolean;
  /** The project item, when added to the board. */
  projectItemId?: string;
  fieldsSet: string[];
  fieldsMissing: string[];
  boardUrl?: string;
}

export interface RelatedIssue {
  number: number;
  title: string;
  url: string;
}

/**
 * The board port, one method per recorded step of filing: the filer stores each step's outcome before the next, so
 * a crash or a failure never repeats a step that is done.
 */
export interface IssueTracker {
  readonly kind: 'github' | 'preview' | 'local';
  /**
   * The issue already filed for `request.key`, found by the idempotency marker in its body (never by a label, which
   * GitHub drops silently for tokens without triage access). Must see an issue created a moment ago.
   */
  findFiled(request: DataRequest): Promise<IssueRef | undefined>;
  /**
   * Creates the issue. Not idempotent and never retried inside the adapter: after an attempt whose outcome is unknown
   * (`TrackerError.ambiguous`), the filer calls findFiled before trying again.
   */
  createIssue(request: DataRequest, draft: IssueDraft): Promise<IssueRef>;
  /** Puts the issue on the board and sets its fields; safe to repeat. Undefined when no board is configured. */
  placeOnBoard(request: DataRequest, issue: IssueRef): Promise<BoardPlacement | undefined>;
  /** Open data requests whose titles resemble `title` (best effort: [] on failure). */
  findRelated(title: string, excludeNumber?: number): Promise<RelatedIssue[]>;
}

/**
 * GitHub refused or failed. `retryable` is false for problems a retry cannot fix (bad token, no such repo);
 * `ambiguous` means the call may have taken effect anyway (5xx or timeout on a write); `retryAfterMs` is how long
 * GitHub asked us to wait (Retry-After on a rate limit).
 */
export class TrackerError extends Error {
  override readonly name = 'TrackerError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly extra: { ambiguous?: boolean; retryAfterMs?: number } = {},
  ) {
    super(message);
  }
  get ambiguous(): boolean {
    return this.extra.ambiguous ?? false;
  }
  get retryAfterMs(): number | undefined {
    return this.extra.retryAfterMs;
  }
}
