/** Picks the GitHub adapter from config: Octokit with a token or App credentials, else the local preview. */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
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
