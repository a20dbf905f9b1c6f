/**
 * What a metric question was read as, for the record kept with each answer (👍/👎 feedback): the machine-readable
 * interpretation (the field names of the shared interpretation shape) and the one line people read.
 */
import type { MetricQuestion } from './question.js';

export interface QuestionSummary {
  interpretation: Record<string, unknown>;
  reading: string;
}

export function summarizeQuestion(question: MetricQuestion): QuestionSummary {
  const { metric, range, filter, breakdown } = question;
  const start = range.start.toISODate();
  const last = range.end.minus({ days: 1 }).toISODate();
  const zone = range.start.zoneName ?? 'UTC';
  const interpretation = {
    intent: 'metric',
    metric: metric.name,
    filters: filter ? [{ dimension: filter.dimension.name, op: 'eq', values: [filter.value] }] : [],
    breakdown: breakdown ? [breakdown.name] : [],
    range: { start, end: last, default: question.defaultRange },
    timezone: zone,
    grain: question.grain,
    rollup: metric.rollup,
    comparison: question.compare ? { kind: 'previous_period' } : null,
    order: null,
    unused: [],
  };
  const parts = [
    metric.label,
    ...(filter ? [`${filter.dimension.label.toLowerCase()} = ${filter.value}`] : []),
    ...(breakdown ? [`by ${breakdown.label.toLowerCase()}`] : []),
    `${start === last ? start : `${start} – ${last}`} (${zone})`,
    `by ${question.grain}`,
    ...(question.compare ? ['vs the previous period'] : []),
  ];
  return { interpretation, reading: parts.join(' · ') };
}
