import { readWhyQuestion } from '../../src/queries/why-question.js';

describe('"why" questions', () => {
  it.each([
    ['why did signups drop last week?', 'signups last week'],
    ['what drove the increase in searches?', 'searches'],
    ['what changed in bounce rate since October?', 'bounce rate since October'],
    ['Why are searches so low this week', 'searches this week'],
    ['what caused the drop in signups where plan = pro last 4 weeks', 'signups where plan = pro last 4 weeks'],
    ['why did signups drop in October?', 'signups in October'],
    ['explain the change in marketing spend last month', 'marketing spend last month'],
  ])('%s → %s', (text, metricQuestion) => {
    expect(readWhyQuestion(text)).toBe(metricQuestion);
  });

  it.each(['signups last week', 'how many searches last week?', 'why', 'what is bounce rate?'])(
    'leaves %s alone',
    (text) => {
      expect(readWhyQuestion(text)).toBeNull();
    },
  );
});
