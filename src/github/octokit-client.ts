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
  /** The retry plugin waits n² times this between retries (default 1000 ms); tests shorten it. */
  retryBaseMs?: number;
}

/**
 * Creating an issue is not idempotent: a 5xx or a timeout can come after GitHub created it. Neither plugin may
 * repeat it; the outbox looks for the issue by its marker before it tries again.
 */
export function isIssueCreation(method: string, url: string): boolean {
  return method.toUpperCase() === 'POST' && /\/repos\/[^/]+\/[^/]+\/issues$/.test(url.replace(/\?.*$/, ''));
}

const DEFAULT_RETRIES = 3;
const MAX_RATE_LIMIT_RETRIES = 2;
/** Native fetch has no timeout; a hung connection would otherwise hold the caller forever. */
const REQUEST_TIMEOUT_MS = 30_000;

const GithubOctokit = Octokit.plugin(retry, throttling);
export type GithubOctokit = InstanceType<typeof GithubOctokit>;

export function createGithubOctokit(opts: GithubOctokitOptions): GithubOctokit {
  const { github, log } = opts;
  const retries = opts.retries ?? DEFAULT_RETRIES;
  const rateLimitRetries = Math.min(MAX_RATE_LIMIT_RETRIES, retries);

  const onLimit =
    (which: string) =>
    (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const retrying = retryCount < rateLimitRetries && !isIssueCreation(options.method, options.url);
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
    retry: { retries, ...(opts.retryBaseMs !== undefined ? { retryAfterBaseValue: opts.retryBaseMs } : {}) },
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

/** How a GitHub call failed, read from Octokit's errors. */
export type GithubOutcome =
  | 'ok'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'rate_limited'
  | 'client_error'
  | 'server_error'
  | 'network_error'
  | 'graphql_error'
  | 'error';

export interface GithubFailure {
  outcome: Exclude<GithubOutcome, 'ok'>;
  status?: number;
  graphqlTypes: string[];
  /** GitHub's own words, for the log (never carries request headers). */
  detail: string;
  /** The installation-token request of GitHub App auth, rather than the API call itself. */
  appAuth: boolean;
  /** GitHub's Retry-After (or the rate-limit reset), when it said how long to wait. */
  retryAfterMs?: number;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Reads Octokit's RequestError, GraphqlResponseError and the throttling plugin's GraphQL rate-limit error alike. */
export function classifyGithubError(err: unknown): GithubFailure {
  const detail = (err instanceof Error ? err.message : String(err)).slice(0, 300);
  const base = { detail, graphqlTypes: [] as string[], appAuth: false };
  if (!isRecord(err)) return { ...base, outcome: 'error' };
  const errors = Array.isArray(err.errors) ? err.errors : isRecord(err.data) ? err.data.errors : undefined;
  if (Array.isArray(errors) && typeof err.status !== 'number') {
    const types = errors.map((e) => (isRecord(e) && typeof e.type === 'string' ? e.type : 'UNKNOWN'));
    return {
      ...base,
      graphqlTypes: types,
      outcome: types.includes('RATE_LIMITED') ? 'rate_limited' : 'graphql_error',
    };
  }
  if (typeof err.status !== 'number') return { ...base, outcome: 'error' };
  const status = err.status;
  const request = isRecord(err.request) ? err.request : {};
  const appAuth = typeof request.url === 'string' && /\/app\/installations\/[^/]+\/access_tokens/.test(request.url);
  const response = isRecord(err.response) ? err.response : undefined;
  const headers = response && isRecord(response.headers) ? response.headers : {};
  const common = { ...base, status, appAuth };
  const rateLimited = headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(detail);
  if (status === 429 || (status === 403 && rateLimited)) {
    return { ...common, outcome: 'rate_limited', retryAfterMs: retryAfterMs(headers) };
  }
  if (status === 401) return { ...common, outcome: 'unauthorized' };
  if (status === 403) return { ...common, outcome: 'forbidden' };
  if (status === 404) return { ...common, outcome: 'not_found' };
  // @octokit/request reports fetch failures (DNS, reset, timeout) as a 500 without a response.
  if (status === 500 && !response) return { ...common, outcome: 'network_error' };
  if (status >= 500) return { ...common, outcome: 'server_error' };
  return { ...common, outcome: 'client_error' };
}

/** Retry-After in seconds, else the primary limit's reset time (epoch seconds), as milliseconds from now. */
function retryAfterMs(headers: Record<string, unknown>): number | undefined {
  const after = Number(headers['retry-after']);
  if (Number.isFinite(after) && after >= 0) return after * 1000;
  const reset = Number(headers['x-ratelimit-reset']);
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - Date.now());
  return undefined;
}
