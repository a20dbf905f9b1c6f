/** Warehouse test doubles at the port: wrap a real one to observe SQL, or fail/stall on demand. */
import type { CompiledQuery, QueryResult, Warehouse } from '../../src/queries/warehouse.js';

export interface RecordingWarehouse extends Warehouse {
  readonly queries: CompiledQuery[];
}

/** Passes through to `inner`, recording every compiled query. */
export function recording(inner: Warehouse): RecordingWarehouse {
  const queries: CompiledQuery[] = [];
  return {
    kind: inner.kind,
    queries,
    query(q, o) {
      queries.push(q);
      return inner.query(q, o);
    },
    dryRun: (q) => inner.dryRun(q),
    close: () => inner.close(),
  };
}

/** Every query fails with `error`. */
export function failing(error: Error, kind: Warehouse['kind'] = 'bigquery'): RecordingWarehouse {
  const queries: CompiledQuery[] = [];
  return {
    kind,
    queries,
    async query(q) {
      queries.push(q);
      throw error;
    },
    async dryRun() {
      throw error;
    },
    async close() {},
  };
}

/** Queries wait until `release()`; lets tests prove the ack does not wait for the warehouse. */
export function gated(inner: Warehouse): RecordingWarehouse & { release(): void } {
  const queries: CompiledQuery[] = [];
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    kind: inner.kind,
    queries,
    async query(q, o): Promise<QueryResult> {
      queries.push(q);
      await gate;
      return inner.query(q, o);
    },
    dryRun: (q) => inner.dryRun(q),
    close: () => inner.close(),
    release: () => open(),
  };
}
