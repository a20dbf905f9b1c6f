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
}

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
  };
}
