/** The board, read: every item of the Projects (v2) board with its issue and field values. */

export interface BoardItem {
  /** Project item id. */
  id: string;
  issue: {
    number: number;
    title: string;
    url: string;
    state: 'OPEN' | 'CLOSED';
    author: string | null;
    assignees: string[];
    labels: string[];
    createdAt: string;
    updatedAt: string;
    closedAt: string | null;
    /** For matching back to Slack. */
    body?: string;
  };
  /** Value of the status field (single select name), null when unset. */
  status: string | null;
  /** Needed-by date (YYYY-MM-DD), null when unset or the field does not exist. */
  neededBy: string | null;
  /** Necessity/priority option name, null when unset. */
  necessity: string | null;
}

export interface BoardSnapshot {
  title: string;
  url: string;
  items: BoardItem[];
  /** Field names the reader looked for and did not find on the board. */
  missingFields: string[];
  /** GraphQL requests it took (the bench tracks this). */
  requests: number;
}

export interface BoardReader {
  read(): Promise<BoardSnapshot>;
  /** Reads cost next to nothing (the embedded board): previews read afresh instead of reusing a recent snapshot. */
  readonly cheapReads?: boolean;
}

/** The board could not be read: not found, no access (token without the project scope), or GitHub down. */
export class BoardError extends Error {
  override readonly name = 'BoardError';
  constructor(
    message: string,
    readonly kind: 'not_found' | 'forbidden' | 'unavailable' | 'unconfigured',
  ) {
    super(message);
  }
}
