/**
 * Compile-time checks, run by `npm run typecheck`: handlers are built from values and services, never from the
 * configuration, the request outbox or the watches' run ledger. Each `@ts-expect-error` fails the typecheck if the
 * line below it starts compiling.
 */
import type { HandlerDeps } from '../../src/handlers/handler-deps.js';

declare const deps: HandlerDeps;

export function typeChecks() {
  const settings: [string, string] = [deps.timezone, deps.chartMode];
  deps.requests.ofRequester('U1');
  deps.watches.book.visibleTo('U1', 'C1');
  // @ts-expect-error configuration is turned into values once (handlerDeps), not passed to handlers
  deps.config;
  // @ts-expect-error a person's requests come from the filer, not from its outbox
  deps.requests.outbox;
  // @ts-expect-error handlers manage watches through the book; the run ledger is the service's
  deps.watches.store;
  // @ts-expect-error starting and stopping background work is the composition root's
  deps.watches.start();
  return settings;
}
