/**
 * The board ports from config: with GitHub credentials, Octokit (issues) and GraphQL (the Projects v2 board);
 * without them, the embedded local board behind both ports.
 */
import type { Config } from '../config.js';
import { LocalBoard } from '../local-board/local-board.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import type { BoardReader } from './board.js';
import { type BoardReaderOptions, createBoardReader } from './board-reader.js';
import { hasGithubCredentials } from './octokit-client.js';
import { createOctokitTracker, type OctokitTrackerOptions } from './octokit-tracker.js';
import type { IssueTracker } from './tracker.js';

export interface BoardPorts {
  /** Files requests. */
  tracker: IssueTracker;
  /** Reads the board for the digest. */
  board: BoardReader;
  /** Set when requests go to the embedded board (no GitHub credentials): the console moves requests on it. */
  local?: LocalBoard;
}

export interface BoardPortOptions {
  clock: () => Date;
  tracker?: Partial<OctokitTrackerOptions>;
  board?: Partial<BoardReaderOptions>;
}

export function createBoardPorts(
  config: Config,
  logger: Logger,
  telemetry: Telemetry,
  opts: BoardPortOptions,
): BoardPorts {
  if (!hasGithubCredentials(config.github)) {
    const local = openLocalBoard(config, opts.clock);
    return { tracker: local, board: local, local };
  }
  return {
    tracker: createTracker(config, logger, telemetry, opts.tracker),
    board: createBoard(config, logger, telemetry, opts.board),
  };
}

/** The embedded board in DATA_DIR, seeded with a backlog the first time. */
export function openLocalBoard(config: Config, clock: () => Date): LocalBoard {
  const { fields } = config.github;
  return new LocalBoard({
    dataDir: config.dataDir,
    baseUrl: `http://localhost:${config.port}`,
    fields: { status: fields.status, neededBy: fields.neededBy, necessity: fields.necessity },
    triageStatus: fields.triageStatus,
    clock,
  });
}

/** The GitHub issue tracker (REST + Projects v2 GraphQL). */
export function createTracker(
  config: Config,
  logger: Logger,
  telemetry: Telemetry,
  overrides: Partial<OctokitTrackerOptions> = {},
): IssueTracker {
  const { github } = config;
  return createOctokitTracker({
    github,
    logger: logger.child({ component: 'github' }),
    telemetry,
    fields: {
      status: github.fields.status,
      triageStatus: github.fields.triageStatus,
      neededBy: [github.fields.neededBy, 'Needed by', 'Due date', 'Due', 'Deadline'],
      necessity: [github.fields.necessity, 'Necessity', 'Priority'],
    },
    ...overrides,
  });
}

/** The board reader for the digest, with the same field names as filing uses. */
export function createBoard(
  config: Config,
  logger: Logger,
  telemetry: Telemetry,
  overrides: Partial<BoardReaderOptions> = {},
): BoardReader {
  const { github } = config;
  return createBoardReader({
    github,
    logger: logger.child({ component: 'github-board' }),
    telemetry,
    fields: {
      status: github.fields.status,
      neededBy: [github.fields.neededBy, 'Needed by', 'Due date', 'Due', 'Deadline'],
      necessity: [github.fields.necessity, 'Necessity', 'Priority'],
    },
    ...overrides,
  });
}
