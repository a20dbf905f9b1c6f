/**
 * The GitHub layer of one process: the tracker (files requests), the board reader (the digest) and the item lookup
 * (webhooks) over ONE Octokit, so they share one throttle budget and one GitHub App installation token. Without
 * GitHub credentials the embedded local board stands behind the tracker and board ports, and the lookup finds nothing.
 */
import type { Config } from '../config.js';
import { LocalBoard } from '../local-board/local-board.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import type { BoardReader } from './board.js';
import { boardFieldNames } from './board-fields.js';
import { createItemLookup, type ItemLookup } from './item-lookup.js';
import type { GithubOctokitOptions } from './octokit-client.js';
import type { IssueTracker } from './tracker.js';

export interface GitHub {
  /** Files requests. */
  tracker: IssueTracker;
  /** Reads the board for the digest. */
  board: BoardReader;
  /** The issue behind a board item, for projects_v2_item webhooks. */
  items: ItemLookup;
  /** Set when requests go to the embedded board (no GitHub credentials): the console moves requests on it. */
  local?: LocalBoard;
}

/** What the GitHub layer reads from configuration. */
type GitHubSettings = Pick<Config, 'github' | 'dataDir' | 'port'>;

interface GitHubDeps {
  logger: Logger;
  telemetry: Telemetry;
  clock: () => Date;
}

/** Client behaviour tests tune: retries, their wait unit, and throttling. */
type GitHubClientOptions = Pick<GithubOctokitOptions, 'retries' | 'throttle' | 'retryBaseMs'>;

/** A token or a GitHub App: without either, requests go to the embedded board. */
export function hasGithubCredentials(github: Config['github']): boolean {
  return Boolean(github.app || github.token);
}

export async function createGitHub(
  settings: GitHubSettings,
  deps: GitHubDeps,
  client: GitHubClientOptions = {},
): Promise<GitHub> {
  const { github } = settings;
  const { logger, telemetry } = deps;
  // Octokit and its plugins (~15 MB of RSS) are loaded only by a process that talks to GitHub.
  if (!hasGithubCredentials(github)) {
    const local = openLocalBoard(settings, deps.clock);
    return {
      tracker: local,
      board: local,
      items: createItemLookup({ octokit: undefined, github, logger, telemetry }),
      local,
    };
  }
  // One after another: concurrent imports that share a dependency trip Jest's ESM loader ("not in cache").
  const { createGithubOctokit } = await import('./octokit-client.js');
  const { createOctokitTracker } = await import('./octokit-tracker.js');
  const { createBoardReader } = await import('./board-reader.js');
  const octokit = createGithubOctokit({ github, log: logger.child({ component: 'github' }), ...client });
  const fields = boardFieldNames(github.fields);
  return {
    tracker: createOctokitTracker({ octokit, github, logger, telemetry, fields }),
    board: createBoardReader({
      octokit,
      github,
      logger: logger.child({ component: 'github-board' }),
      telemetry,
      fields,
    }),
    items: createItemLookup({ octokit, github, logger, telemetry }),
  };
}

/** The embedded board in DATA_DIR, seeded with a backlog the first time. */
function openLocalBoard(settings: GitHubSettings, clock: () => Date): LocalBoard {
  const { fields } = settings.github;
  return new LocalBoard({
    dataDir: settings.dataDir,
    baseUrl: `http://localhost:${settings.port}`,
    fields: { status: fields.status, neededBy: fields.neededBy, necessity: fields.necessity },
    triageStatus: fields.triageStatus,
    clock,
  });
}
