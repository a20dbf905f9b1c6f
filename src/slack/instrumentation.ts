/**
 * The instrumentation point every Slack request passes, whatever the receiver (HTTP, Socket Mode, local console):
 * a request id, the ack latency, the outcome count, task tracking for shutdown, and the slow-lane rule.
 */
import { randomUUID } from 'node:crypto';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { SlowLane } from '../slow-lane.js';
import type { TaskTracker } from '../tasks.js';
import type { Telemetry } from '../telemetry.js';

/**
 * A Receiver that delegates to the real one and hands it, instead of Bolt's App, an App whose processEvent is
 * wrapped. Bolt passes listener arguments by copy, so wrapping the event on its way in is the one place that sees
 * every ack.
 */
export class InstrumentedReceiver implements Receiver {
  readonly #failed = new WeakSet<object>();

  constructor(
    readonly inner: Receiver,
    private readonly deps: { telemetry: Telemetry; tasks: TaskTracker; lane: SlowLane },
  ) {}

  /** Bolt's App calls this once, from its constructor. */
  init(app: App): void {
    // Receivers only call processEvent on the App; every other member reads through to the real one.
    const wrapped: App = Object.create(app, {
      processEvent: { value: (event: ReceiverEvent) => this.#process(app, event) },
    });
    this.inner.init(wrapped);
  }

  start(...args: unknown[]): Promise<unknown> {
    return this.inner.start(...args);
  }

  stop(...args: unknown[]): Promise<unknown> {
    return this.inner.stop(...args);
  }

  /** Counts the request as failed: a listener threw and app.error saw it (Bolt resolves processEvent anyway). */
  markFailed(body: object): void {
    this.#failed.add(body);
  }

  #process(app: App, event: ReceiverEvent): Promise<void> {
    const { telemetry, tasks, lane } = this.deps;
    lane.noteArrival();
    const surface = surfaceOf(event.body);
    const started = process.hrtime.bigint();
    let acked = false;
    const ack: ReceiverEvent['ack'] = async (response) => {
      if (!acked) {
        acked = true;
        telemetry.ackLatency.observe({ surface }, Number(process.hrtime.bigint() - started) / 1e9);
      }
      await event.ack(response);
      // The one place the slow-lane rule is applied: whatever a listener does after its ack (events are acked
      // by Bolt before the listener runs) waits its turn behind other requests' acks.
      await lane.enter();
    };
    const requestId = randomUUID();
    const work = app
      .processEvent({ ...event, ack, customProperties: { ...event.customProperties, requestId } })
      .then(() => {
        telemetry.slackRequests.inc({ surface, outcome: this.#failed.has(event.body) ? 'error' : 'ok' });
      })
      .catch((error: unknown) => {
        telemetry.slackRequests.inc({ surface, outcome: 'error' });
        throw error;
      });
    return tasks.track(work);
  }
}

/** Which Slack surface a request body belongs to, for metrics and logs. */
export function surfaceOf(body: Record<string, unknown>): string {
  if (typeof body.command === 'string') return 'command';
  switch (body.type) {
    case 'block_actions':
    case 'interactive_message':
      return 'action';
    case 'view_submission':
    case 'view_closed':
      return 'view';
    case 'shortcut':
    case 'message_action':
      return 'shortcut';
    case 'block_suggestion':
      return 'options';
    case 'event_callback':
      return `event:${(body.event as { type?: string } | undefined)?.type ?? 'unknown'}`;
    default:
      return 'other';
  }
}
