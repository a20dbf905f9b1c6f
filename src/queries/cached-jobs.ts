/**
 * Warehouse jobs shared by everyone who asks the same thing: a fresh result from a TTL cache, else the identical job
 * already in flight, else a new job, which the daily bytes budget must admit first. The person whose question started
 * a job pays for it; people who join it in flight do not. Used by answers and by "what changed?", so both keep the
 * same cost rules.
 */
import type { Telemetry } from '../telemetry.js';
import { BudgetExceededError, type QueryBudget } from './budget.js';

export interface CachedJobsOptions<T> {
  ttlMs: number;
  clock: () => Date;
  telemetry: Pick<Telemetry, 'refusals'>;
  /** What a finished job spent, for the budget. */
  bytesOf: (value: T) => number;
  budget?: QueryBudget;
  maxEntries?: number;
}

export interface CachedJobs<T> {
  /** The cached result for `key` if it is still fresh. */
  fresh(key: string): T | undefined;
  /** Joins the job in flight for `key`, or starts one (budget permitting); `shared` says which. */
  run(key: string, userId: string, start: () => Promise<T>): Promise<{ value: T; shared: boolean }>;
}

export function createCachedJobs<T>(opts: CachedJobsOptions<T>): CachedJobs<T> {
  const { ttlMs, clock, telemetry } = opts;
  const maxEntries = opts.maxEntries ?? 500;
  const cache = new Map<string, { at: number; value: T }>();
  const inFlight = new Map<string, Promise<T>>();

  return {
    fresh(key) {
      const hit = cache.get(key);
      return hit && clock().getTime() - hit.at < ttlMs ? hit.value : undefined;
    },

    async run(key, userId, start) {
      let pending = inFlight.get(key);
      const shared = Boolean(pending);
      if (!pending) {
        try {
          opts.budget?.check(userId, clock());
        } catch (error) {
          if (error instanceof BudgetExceededError) {
            telemetry.refusals.inc({ reason: error.scope === 'user' ? 'user_bytes_budget' : 'daily_bytes_budget' });
          }
          throw error;
        }
        pending = start()
          .then((value) => {
            opts.budget?.record(userId, opts.bytesOf(value), clock());
            return value;
          })
          .finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      const value = await pending;
      if (!shared) {
        cache.set(key, { at: clock().getTime(), value });
        while (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
      }
      return { value, shared };
    },
  };
}
