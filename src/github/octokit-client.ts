/**
 * The one Octokit factory (tracker, board reader, item lookup): retry and throttling plugins, a token or
 * GitHub App auth, the configured base URL (GHES), a per-request timeout, and Octokit's logging kept away from the
 * request options (which carry the token).
 */
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

export interface GithubOctokitOptions {
  github: Config['github'];
  /** Already a child logger for the caller's component. */
  log: Logger;
  /** Retries of failed calls (5xx, network) and, capped at 2, of rate-limited ones. Default 3; tests pass 0. */
  retries?: number;
  /** The throttling plugin spaces requests as GitHub asks of integrations. Default true; tests turn it off. */
  throttle?: boolean;
}

const DEFAULT_RETRIES = 3;
const MAX_RATE_LIMIT_RETRIES = 2;
/** Native fetch has no timeout; a hung connection would otherwise hold the caller forever. */
const REQUEST_TIMEOUT_MS = 30_000;

const GithubOctokit = Octokit.plugin(retry, throttling);
export type GithubOctokit = InstanceType<typeof GithubOctokit>;

/** True when there is something to authenticate with (a token or the three GitHub App values). */
export function hasGithubCredentials(github: Config['github']): boolean {
  return Boolean(github.app || github.token);
}

export function createGithubOctokit(opts: GithubOctokitOptions): GithubOctokit {
  const { github, log } = opts;
  const retries = opts.retries ?? DEFAULT_RETRIES;
  const rateLimitRetries = Math.min(MAX_RATE_LIMIT_RETRIES, retries);

  const onLimit =
    (which: string) =>
    (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const retrying = retryCount < rateLimitRetries;
      log.warn(
        { method: options.method, route: options.url, retryAfter, retryCount, retrying },
        `GitHub ${which} rate limit hit; ${retrying ? `retrying in ${retryAfter}s` : 'giving up'}`,
      );
      return retrying;
    };

  return new GithubOctokit({
    baseUrl: github.apiUrl,
    userAgent: 'analytics-bot',
    ...(github.app
      ? {
          authStrategy: createAppAuth,
          auth: {
            appId: github.app.appId,
            privateKey: github.app.privateKey,
            installationId: github.app.installationId,
          },
        }
      : github.token
        ? { auth: github.token }
        : {}),
    retry: { retries },
    throttle: {
      enabled: opts.throttle ?? true,
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
    },
    request: {
      // Looked up per call (not captured) so test interceptors that replace global fetch still apply.
      fetch: (input: string | URL | Request, init?: RequestInit) =>
        globalThis.fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) }),
    },
    // Octokit's own debug line carries the request options, headers and token included: never pass objects on.
    log: {
      debug: () => {},
      info: (message: string) => log.debug(String(message)),
      warn: (message: string) => log.warn(String(message)),
      error: (message: string) => log.debug(String(message)),
    },
  });
}
