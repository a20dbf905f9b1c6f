/**
 * The board port: what the bot needs from GitHub for data requests (#4) and the triage digest (#5).
 * Adapters: Octokit (REST + Projects v2 GraphQL), and the embedded local board when no GitHub credentials are set.
 */

export type Necessity = 'necessity' | 'nice-to-have';

/** The tracker key of the embedded local board (GitHub issues carry `owner/repo`). */
export const LOCAL_TRACKER = 'local';

/** A complete data request, as the requester answered the four questions. */
export interface DataRequest {
  /** Idempotency key: one per modal opened; retries and redeliveries reuse it. */
  key: string;
  title: string;
  /** 1. What the deliverable is for and why it is needed. */
  purpose: string;
  /** 2. What it should look like. */
  deliverable: string;
  /** 3. When it is needed by (YYYY-MM-DD). */
  neededBy: string;
  /** 4. Nice-to-have or necessity. */
  necessity: Necessity;
  links?: string;
  stakeholders: string[];
  sources: string[];
  sketches: Array<{ name: string; url: string }>;
  requester: { id: string; name: string; teamId?: string };
  /** Where it came from in Slack, so later events find their way back. */
  origin: { channelId?: string; threadTs?: string; permalink?: string; messageText?: string };
  submittedAt: string;
}

/** The issue as it would be, or was, filed. */
export interface IssueDraft {
  title: string;
  body: string;
  labels: string[];
}

export interface FiledIssue {
  number: number;
  url: string;
  nodeId: string;
  /** True when an earlier attempt had already created it (found by its marker). */
  existing: boolean;
  /** The project item, when added to the board. */
  projectItemId?: string;
  /** Board fields that were set, and those that do not exist on the board. */
  fieldsSet: string[];
  fieldsMissing: string[];
  boardUrl?: string;
  /** Local preview: nothing was sent to GitHub. */
  preview?: boolean;
  /**
   * Which tracker holds the issue: `owner/repo` on GitHub, 'local' on the embedded board. Issue numbers are only
   * unique within one tracker, so requests are found again by (tracker, number).
   */
  tracker?: string;
}

export interface RelatedIssue {
  number: number;
  title: string;
  url: string;
}

export interface IssueTracker {
  readonly kind: 'github' | 'preview' | 'local';
  /**
   * Files the request as an issue and puts it on the board with its fields. Idempotent by `request.key`: an issue
   * already carrying the key's marker is reused, never duplicated.
   */
  createDataRequest(request: DataRequest, draft: IssueDraft): Promise<FiledIssue>;
  /** Open data requests whose titles resemble `title` (best effort: [] on failure). */
  findRelated(title: string, excludeNumber?: number): Promise<RelatedIssue[]>;
}

/** GitHub refused or failed; `retryable` is false for problems a retry cannot fix (bad token, no such repo). */
export class TrackerError extends Error {
  override readonly name = 'TrackerError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}
