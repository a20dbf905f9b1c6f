/**
 * `analytics-bot ask [--json] "<question>"`: the same pipeline as Slack (metric numbers, definitions, where-is,
 * requests, ask-backs), printed as the bot's message or as one JSON shape for scripts and tests.
 * Exit codes: 0 answered, 1 refused (with the closest metrics), 3 the bot would ask back (choices printed).
 */
import { chartFiles } from '../console/chart-files.js';
import { renderMessage } from '../console/render.js';
import type { Deps } from '../deps.js';
import {
  errorInterpretation,
  type Interpretation,
  interpretationLine,
  metricInterpretation,
} from '../queries/interpretation.js';
import type { MetricAnswer } from '../queries/metric-service.js';
import { cannotAnswerMessage, requestProcessReply, topicMessage } from '../views/ask.js';
import type { Message } from '../views/blocks.js';
import { metricAnswerMessage, questionErrorMessage } from '../views/metric-answer.js';
import { whatChangedMessage } from '../views/what-changed.js';

export const ASK_BACK_EXIT_CODE = 3;

/** The `ask --json` shape. */
export interface AskJson {
  question: string;
  interpretation: Interpretation;
  /** The interpretation line shown at the top of the Slack answer (metric answers only). */
  line: string | null;
  numbers: null | {
    current: number | null;
    previous: number | null;
    change: number | null;
    comparison: { start: string; end: string };
    series: Array<{ bucket: string; value: number | null; partial?: boolean }>;
    breakdown: Array<{ key: string; key2?: string; value: number | null }> | null;
    coverage: MetricAnswer['coverage'];
    latest: string | null;
  };
  unused: string[];
  /** When the bot would ask back: each reading it would offer. */
  choices: Interpretation[] | null;
  /** Plain text of the message the bot would send. */
  text: string;
}

export interface AskOutput {
  stdout(text: string): void;
}

function numbers(answer: MetricAnswer): AskJson['numbers'] {
  return {
    current: answer.current,
    previous: answer.previous,
    change: answer.change,
    comparison: {
      start: answer.comparisonRange.start.toISODate()!,
      end: answer.comparisonRange.end.minus({ days: 1 }).toISODate()!,
    },
    series: answer.series,
    breakdown: answer.breakdown ?? null,
    coverage: answer.coverage,
    latest: answer.latest,
  };
}

/** Answers one question through the shared pipeline; returns the exit code. */
export async function runAsk(deps: Deps, args: string[], out: AskOutput): Promise<number> {
  const json = args.includes('--json');
  const question = args
    .filter((a) => a !== '--json')
    .join(' ')
    .trim();
  const now = deps.clock();
  const ctx = { channel: 'cli', threadTs: 'cli', inThread: false, now, timezone: deps.config.metrics.timezone };
  const intent = deps.ask.understand(question, ctx);
  let message: Message;
  let interpretation: Interpretation;
  let answer: MetricAnswer | null = null;
  let code = 0;
  switch (intent.kind) {
    case 'metric': {
      interpretation = metricInterpretation(intent.question);
      if (intent.question.intent === 'why_changed') {
        // "Why did signups drop last week?": the change decomposed, as in Slack.
        message = whatChangedMessage(await deps.changes.explain(intent.question, { userId: 'cli' }));
        break;
      }
      answer = await deps.metrics.answer(intent.question, { userId: 'cli' });
      message = metricAnswerMessage(answer, { asked: question });
      break;
    }
    case 'metric_problem':
      interpretation = errorInterpretation(intent.error);
      message = questionErrorMessage(intent.error, question, deps.catalog);
      code = intent.error.kind === 'ask_back' ? ASK_BACK_EXIT_CODE : intent.error.kind === 'definition' ? 0 : 1;
      break;
    case 'topic':
      interpretation = {
        intent: 'where_is',
        topic: intent.topic.id,
        metric: intent.topic.related_metrics?.[0] ?? null,
      };
      message = topicMessage(intent.topic, deps.catalog);
      break;
    case 'request':
      interpretation = { intent: 'request' };
      message = requestProcessReply(intent.text, intent.topic);
      break;
    case 'unknown':
      interpretation = errorInterpretation({
        kind: 'unknown_metric',
        query: intent.text,
        suggestions: intent.metrics.map((n) => deps.catalog.metric(n)!).filter(Boolean),
      });
      message = cannotAnswerMessage(intent.text, intent.metrics, intent.topics, deps.catalog);
      code = 1;
      break;
    case 'empty':
      interpretation = errorInterpretation({ kind: 'empty' });
      message = questionErrorMessage({ kind: 'empty' });
      code = 1;
      break;
  }
  const text = renderMessage(message).join('\n');
  if (json) {
    const body: AskJson = {
      question,
      interpretation,
      line: intent.kind === 'metric' ? interpretationLine(intent.question) : null,
      numbers: answer ? numbers(answer) : null,
      unused: 'unused' in interpretation ? interpretation.unused : [],
      choices: interpretation.intent === 'ask_back' ? interpretation.choices : null,
      text,
    };
    out.stdout(`${JSON.stringify(body, null, 2)}\n`);
  } else {
    out.stdout(`${text}\n`);
    // Besides the text version, the charts as PNG files (as the local console does).
    const charts = chartFiles(deps.config.dataDir, deps.charts)(message.blocks);
    await charts.written;
    for (const file of charts.paths) out.stdout(`chart image: ${file}\n`);
  }
  return code;
}
