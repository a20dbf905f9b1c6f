/**
 * What a metric question was read as, for the record kept with each answer (👍/👎 feedback): the machine-readable
 * interpretation (the field names of the shared interpretation shape) and the one line people read.
 */
import { interpretationLine, type MetricInterpretation, metricInterpretation } from './interpretation.js';
import type { MetricQuestion } from './question.js';

export interface QuestionSummary {
  interpretation: MetricInterpretation;
  reading: string;
}

export function summarizeQuestion(question: MetricQuestion): QuestionSummary {
  return { interpretation: metricInterpretation(question), reading: interpretationLine(question) };
}
