/**
 * Decides what an @-mention or DM is asking: a metric (answered from the catalog, in the thread), where data
 * lives or how to get it (the team's knowledge file), how to request data (the process and the modal), or
 * something the bot cannot answer (said honestly, with the closest options). Pure apart from the thread store.
 */
import type { KnowledgeBase, Topic } from '../knowledge/knowledge.js';
import { isRequestIntent, requestTitle } from '../knowledge/knowledge.js';
import type { MetricCatalog } from '../queries/catalog.js';
import { errorInterpretation, type Interpretation, metricInterpretation } from '../queries/interpretation.js';
import {
  CC_MENTIONS,
  MAX_MESSAGE_LENGTH,
  type MetricQuestion,
  type QuestionError,
  type QuestionParser,
} from '../queries/question.js';
import { decodeQuestion, encodeQuestion } from '../queries/question-codec.js';
import { normalizeQuestion } from '../queries/question-text.js';

export type Intent =
  | { kind: 'metric'; question: MetricQuestion }
  | { kind: 'metric_problem'; error: QuestionError; text: string }
  | { kind: 'topic'; topic: Topic }
  | { kind: 'request'; text: string; topic?: Topic }
  | { kind: 'unknown'; text: string; metrics: string[]; topics: Topic[] }
  | { kind: 'empty' };

export interface ThreadMemory {
  lastQuestion(channel: string, threadTs: string, now: number): string | undefined;
  rememberQuestion(channel: string, threadTs: string, encoded: string, now: number): void;
}

export interface AskContext {
  channel: string;
  /** The thread the reply goes to (the mention's own ts when it started the thread). */
  threadTs: string;
  /** True when the message was itself a reply in an existing thread (follow-ups refine the thread's question). */
  inThread: boolean;
  now: Date;
  timezone: string;
}

/**
 * Where-and-how phrasing: knowledge first even when a metric is named ("where do I find signups data?", "how do I
 * track a new event?", "what's in the pings?").
 */
const HOW_TO = new RegExp(
  [
    String.raw`\b(?:where|how(?! (?:many|much)\b))\b.*\b(?:find|get|see|access|look|pull|export|live|lives|stored|comes? from)\b`,
    String.raw`\bwhat is (?:looker|bigquery|hubspot|apollo)\b`,
    String.raw`\bwho (?:do|should|can|could) (?:i|we) (?:talk to|ask|ping|contact|speak to)\b`,
    String.raw`\b(?:is|are) there\b.*\b(?:somewhere|anywhere)\b`,
    String.raw`\bhow (?:do|can|could|would|should|to)\b(?: (?:i|we|you|one|someone|people))?(?: \w+)? (?:track|add|instrument|log|capture|set up)\b`,
    String.raw`\bwhat(?:['’]?s| is| are)(?: \w+)? in(?:side)? (?:the|a|an|our|those|these)\b`,
    String.raw`\bwhat (?:data|fields|info|information|columns|properties)\b.*\b(?:contain|contains|include|includes|hold|holds|collect|collects)\b`,
  ].join('|'),
  'i',
);
/** Follow-ups that only change the previous question: "and by country?", "what about last quarter?". */
const FOLLOW_UP =
  /^\s*(and|what about|how about|now|same|ok(ay)?|also|but)\b|^\s*(by|for|in|over|last|this|since|from|vs|versus|daily|weekly|monthly)\b/i;

export class AskService {
  constructor(
    private readonly parser: QuestionParser,
    private readonly catalog: MetricCatalog,
    private readonly knowledge: KnowledgeBase,
    private readonly threads: ThreadMemory,
  ) {}

  understand(rawText: string, ctx: AskContext): Intent {
    // A pasted log is refused before any matching work: no regex, knowledge lookup or fuzzy suggestion runs over it.
    if (rawText.length > MAX_MESSAGE_LENGTH) {
      return { kind: 'metric_problem', error: this.parser.tooLong(rawText.length), text: rawText.slice(0, 150) };
    }
    const text = normalizeQuestion(rawText)
      .replace(CC_MENTIONS, ' ')
      .replace(/<@[A-Z0-9]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (!text) return { kind: 'empty' };
    const parseCtx = { now: ctx.now, timezone: ctx.timezone };

    if (isRequestIntent(text)) {
      return { kind: 'request', text: requestTitle(text), topic: this.knowledge.topic('request_process') };
    }

    const howTo = HOW_TO.test(text);
    const topic = this.knowledge.match(text);
    if (howTo && topic) return { kind: 'topic', topic: topic.topic };

    // One reading of the text, shared by the follow-up check and the answer.
    const parsed = this.parser.parse(text, parseCtx);
    // A follow-up in a thread refines that thread's last metric question.
    if (ctx.inThread) {
      const previous = decodeQuestion(
        this.threads.lastQuestion(ctx.channel, ctx.threadTs, ctx.now.getTime()),
        this.catalog,
      );
      const namesMetric =
        parsed.ok || (!parsed.ok && parsed.error.kind !== 'unknown_metric' && parsed.error.kind !== 'empty');
      if (previous && (FOLLOW_UP.test(text) || !namesMetric)) {
        const refined = this.refine(previous, text, parseCtx);
        if (refined) return refined;
      }
    }

    if (parsed.ok) return { kind: 'metric', question: parsed.question };
    if (parsed.error.kind !== 'unknown_metric' && parsed.error.kind !== 'empty' && parsed.error.kind !== 'too_long') {
      return { kind: 'metric_problem', error: parsed.error, text };
    }
    // A number the catalog does not define is refused with the closest metrics; the topic stays a suggestion.
    const unknown = parsed.error.kind === 'unknown_metric' ? parsed.error : undefined;
    if (topic && !unknown?.asksForNumber) return { kind: 'topic', topic: topic.topic };
    if (parsed.error.kind === 'too_long') return { kind: 'metric_problem', error: parsed.error, text };
    return {
      kind: 'unknown',
      text,
      metrics: (unknown?.suggestions ?? this.parser.closest(text)).map((m) => m.name),
      topics: this.knowledge.suggest(text, 2),
    };
  }

  /** Re-reads the follow-up with the previous metric, keeping what the follow-up does not change. */
  private refine(previous: MetricQuestion, text: string, ctx: { now: Date; timezone: string }): Intent | null {
    const cleaned = text.replace(/^\s*(and|what about|how about|now|same|ok(ay)?|also|but)\b[,\s]*/i, '');
    const parsed = this.parser.parse(`${previous.metric.label} ${cleaned}`, ctx);
    if (!parsed.ok) {
      return parsed.error.kind === 'unknown_metric' ? null : { kind: 'metric_problem', error: parsed.error, text };
    }
    const q = parsed.question;
    const rangeSaid = !q.defaultRange;
    const overridden = new Set(q.filters.map((f) => f.dimension.name));
    const breakdowns =
      q.breakdowns.length > 0
        ? q.breakdowns
        : /\b(total|overall|no breakdown)\b/i.test(text)
          ? []
          : previous.breakdowns.filter((d) => q.metric.dimensions.includes(d.name));
    return {
      kind: 'metric',
      question: {
        ...q,
        range: rangeSaid ? q.range : previous.range,
        defaultRange: !rangeSaid && previous.defaultRange,
        breakdowns,
        filters: [...previous.filters.filter((f) => !overridden.has(f.dimension.name)), ...q.filters],
        comparison: q.comparison ?? (rangeSaid ? undefined : previous.comparison),
        order: q.order ?? (breakdowns.length > 0 ? previous.order : undefined),
        grain: /\b(daily|weekly|monthly|quarterly|per|by (day|week|month|quarter))\b/i.test(text)
          ? q.grain
          : previous.grain,
        rollup: q.rollup !== q.metric.rollup ? q.rollup : previous.rollup,
      },
    };
  }

  /** The machine-readable reading of a question (the `ask --json` shape), for any intent. */
  interpret(rawText: string, ctx: AskContext): Interpretation {
    const intent = this.understand(rawText, ctx);
    switch (intent.kind) {
      case 'metric':
        return metricInterpretation(intent.question);
      case 'metric_problem':
        return errorInterpretation(intent.error);
      case 'topic':
        return {
          intent: 'where_is',
          topic: intent.topic.id,
          metric: intent.topic.related_metrics?.[0] ?? null,
        };
      case 'request':
        return { intent: 'request' };
      case 'unknown':
        return errorInterpretation({
          kind: 'unknown_metric',
          query: intent.text,
          suggestions: intent.metrics.flatMap((name) => this.catalog.metric(name) ?? []),
        });
      case 'empty':
        // Even an empty message gets next steps: the closest (here: the first) metrics and the request button.
        return errorInterpretation({ kind: 'empty', suggestions: this.parser.closest('') });
    }
  }

  topic(id: string): Topic | undefined {
    return this.knowledge.topic(id);
  }

  remember(ctx: AskContext, question: MetricQuestion): void {
    this.threads.rememberQuestion(ctx.channel, ctx.threadTs, encodeQuestion(question), ctx.now.getTime());
  }
}
