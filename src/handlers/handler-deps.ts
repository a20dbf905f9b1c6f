/**
 * What the handlers are built from: the composition root's services, plus the few configured values handlers need,
 * read from the configuration once here instead of from `config` on every request.
 */
import type { Deps } from '../deps.js';
import type { Logger } from '../logger.js';
import type { ParseResult } from '../queries/question.js';
import type { RequestFiler } from '../requests/filer.js';
import { type ChartMode, type Destination, deliver } from '../slack/deliver.js';
import type { Message } from '../views/blocks.js';
import type { WatchService } from '../watches/watch-service.js';

interface HandlerSettings {
  /** METRICS_TIMEZONE: the zone a question's relative dates are read in. */
  readonly timezone: string;
  /** CHART_MODE: whether answers carry chart blocks, images, or neither. */
  readonly chartMode: ChartMode;
}

/**
 * Handlers see services, not their stores or lifecycles: requests of a person rather than the outbox, the watches
 * people manage rather than the run ledger, and nothing that starts or stops background work.
 */
export type HandlerDeps = Omit<Deps, 'config' | 'requests' | 'watches'> &
  HandlerSettings & {
    readonly requests: Pick<RequestFiler, 'ofRequester' | 'store' | 'file'>;
    readonly watches: Omit<WatchService, 'store' | 'tick' | 'start' | 'stop'>;
  };

export function handlerDeps({ config, ...services }: Deps): HandlerDeps {
  return { ...services, timezone: config.metrics.timezone, chartMode: config.charts.mode };
}

/** A question as typed, read at `now` in the metrics time zone. */
export function readQuestion(
  deps: Pick<HandlerDeps, 'parser' | 'clock' | 'timezone'>,
  text: string,
  now: Date = deps.clock(),
): ParseResult {
  return deps.parser.parse(text, { now, timezone: deps.timezone });
}

/** Sends with CHART_MODE's rules: a chart Slack rejects falls back to text, plus a PNG where everyone sees it. */
export function deliverMessage(
  deps: Pick<HandlerDeps, 'chartMode' | 'charts'>,
  message: Message,
  dest: Destination,
  log: Logger,
) {
  return deliver(message, dest, { mode: deps.chartMode, renderer: deps.charts, logger: log });
}
