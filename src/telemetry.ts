/** Prometheus metrics for /metrics: Slack traffic, ack latency, warehouse and GitHub calls, answered questions. */
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface Telemetry {
  readonly registry: Registry;
  readonly slackRequests: Counter<'surface' | 'outcome'>;
  readonly ackLatency: Histogram<'surface'>;
  readonly warehouseQueries: Counter<'warehouse' | 'outcome'>;
  readonly warehouseBytes: Counter<'warehouse' | 'metric'>;
  readonly metricAnswers: Counter<'metric' | 'outcome' | 'cache'>;
  readonly githubCalls: Counter<'kind' | 'outcome'>;
  readonly webhookDeliveries: Counter<'event' | 'outcome'>;
  /** Requests the bot turned down on purpose, by reason (see REFUSAL_REASONS). */
  readonly refusals: Counter<'reason'>;
  readonly answerFeedback: Counter<'rating'>;
  readonly outboxSteps: Counter<'step' | 'outcome'>;
}

/** Every reason a refusal is counted under; a fixed set, so the label cannot grow. */
export const REFUSAL_REASONS = [
  'rate_limited',
  'user_bytes_budget',
  'daily_bytes_budget',
  'restricted_metric',
  'restricted_destination',
  'webhook_bad_signature',
  'webhook_too_large',
  'webhook_busy',
  'webhook_unconfigured',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** A metric's name as a Prometheus label: restricted metrics are not named to whoever can scrape /metrics. */
export const metricLabel = (metric: { name: string; access?: unknown }): string =>
  metric.access ? 'restricted' : metric.name;

export function createTelemetry({ defaultMetrics = true } = {}): Telemetry {
  const registry = new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'analytics_bot_' });
  const registers = [registry];
  return {
    registry,
    slackRequests: new Counter({
      name: 'analytics_bot_slack_requests_total',
      help: 'Slack requests handled, by surface (command, action, view, shortcut, event) and outcome',
      labelNames: ['surface', 'outcome'],
      registers,
    }),
    ackLatency: new Histogram({
      name: 'analytics_bot_slack_ack_latency_seconds',
      help: 'Time from receiving a Slack request to acknowledging it',
      labelNames: ['surface'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
      registers,
    }),
    warehouseQueries: new Counter({
      name: 'analytics_bot_warehouse_queries_total',
      help: 'Warehouse queries, by warehouse and outcome (ok, cache_hit, timeout, bytes_limit, error)',
      labelNames: ['warehouse', 'outcome'],
      registers,
    }),
    warehouseBytes: new Counter({
      name: 'analytics_bot_warehouse_bytes_processed_total',
      help: 'Bytes processed by warehouse queries, by metric (cost attribution)',
      labelNames: ['warehouse', 'metric'],
      registers,
    }),
    metricAnswers: new Counter({
      name: 'analytics_bot_metric_answers_total',
      help: 'Metric questions answered, by metric, outcome and whether the bot cache answered',
      labelNames: ['metric', 'outcome', 'cache'],
      registers,
    }),
    githubCalls: new Counter({
      name: 'analytics_bot_github_calls_total',
      help: 'GitHub API calls, by kind (rest, graphql) and outcome',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    webhookDeliveries: new Counter({
      name: 'analytics_bot_github_webhook_deliveries_total',
      help: 'GitHub webhook deliveries, by event and outcome',
      labelNames: ['event', 'outcome'],
      registers,
    }),
    refusals: (() => {
      const counter = new Counter({
        name: 'analytics_bot_refusals_total',
        help: 'Requests refused on purpose, by reason (rate limit, bytes budgets, access rules, webhook limits)',
        labelNames: ['reason'],
        registers,
      });
      // Every reason shows from the start (at 0), so alerts can use rate() without waiting for a first refusal.
      for (const reason of REFUSAL_REASONS) counter.inc({ reason }, 0);
      return counter;
    })(),
    answerFeedback: (() => {
      const counter = new Counter({
        name: 'analytics_bot_answer_feedback_total',
        help: 'Feedback buttons pressed on answers, by rating (up, down)',
        labelNames: ['rating'],
        registers,
      });
      // Both ratings show from the start (at 0), so a 👎 ratio can be graphed before the first click.
      for (const rating of ['up', 'down']) counter.inc({ rating }, 0);
      return counter;
    })(),
    outboxSteps: new Counter({
      name: 'analytics_bot_request_steps_total',
      help: 'Data request steps (issue, board, dm, announce, saved_notice) by outcome (done, skipped, retry, gave_up)',
      labelNames: ['step', 'outcome'],
      registers,
    }),
  };
}
