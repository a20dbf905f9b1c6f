/** GitHub adapters from config. Issues: Octokit with a token or App credentials, else the local preview.: Octokit with a token or App credentials, else the local preview. */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import type { BoardReader } from './board.js';
import { type BoardReaderOptions, createBoardReader } from './board-reader.js';
import { createOctokitTracker, type OctokitTrackerOptions } from './octokit-tracker.js';
import { createPreviewTracker } from './preview-tracker.js';
import type { IssueTracker } from './tracker.js';

export function createTracker(
  config: Config,
  logger: Logger,
  telemetry: Telemetry,
  overrides: Partial<OctokitTrackerOptions> = {},
): IssueTracker {
  const { github } = config;
  if (!github.token && !github.app) return createPreviewTracker(github.projectUrl);
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
