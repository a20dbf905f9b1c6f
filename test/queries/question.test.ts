import { DateTime } from 'luxon';
import { loadCatalogFile, type MetricCatalog } from '../../src/queries/catalog.js';
import {
  MAX_QUESTION_LENGTH,
  type MetricQuestion,
  type QuestionError,
  QuestionParser,
} from '../../src/queries/question.js';
import { decodeQuestion, encodeQuestion } from '../../src/queries/question-codec.js';
import { MAX_RANGE_DAYS } from '../../src/queries/time-range.js';

/** A Sunday; 05:00 in New York. */
const NOW = new Date('2026-11-29T10:00:00Z');

let catalog: MetricCatalog;
let parser: QuestionParser;

beforeAll(() => {
  catalog = loadCatalogFile(new URL('../../metrics.yml', import.meta.url).pathname);
  parser = new QuestionParser(catalog);
});

function ask(text: string, timezone = 'UTC'): MetricQuestion {
  const result = parser.parse(text, { now: NOW, timezone });
  if (!result.ok) throw new Error(`"${text}" was not understood: ${JSON.stringify(result.error)}`);
  return result.question;
}

function rejection<K extends QuestionError['kind']>(text: string, kind: K): Extract<QuestionError, { kind: K }> {
  const result = parser.parse(text, { now: NOW, timezone: 'UTC' });
  if (result.ok) throw new Error(`"${text}" was read as ${result.question.metric.name}, expected a ${kind} error`);
  expect(result.error.kind).toBe(kind);
  return result.error as Extract<QuestionError, { kind: K }>;
}

/** The parts of a question that matter, in plain values. */
function summary(q: MetricQuestion) {
  return {
    metric: q.metric.name,
    start: q.range.start.toISODate(),
    end: q.range.end.toISODate(),
    grain: q.grain,
    breakdown: q.breakdowns[0]?.name,
    filter: q.filters[0] ? [q.filters[0].dimension.name, ...q.filters[0].values] : undefined,
    compare: Boolean(q.comparison),
    defaultRange: q.defaultRange,
  };
}

const names = (list: ReadonlyArray<{ name: string }>) => list.map((x) => x.name);

describe('QuestionParser.parse: phrasings from the issue', () => {
  it('weekly active users last 4 weeks by plan', () => {
    const q = ask('weekly active users last 4 weeks by plan');
    expect(summary(q)).toEqual({
      metric: 'weekly_active_users',
      start: '2026-10-26',
      end: '2026-11-23',
      grain: 'week',
      breakdown: 'plan',
      filter: undefined,
      compare: false,
      defaultRange: false,
    });
    expect(q.range.label).toBe('last 4 weeks');
    expect(q.grainNote).toBeUndefined();
  });

  it('how many weekly active users did we have last month, by plan?', () => {
    expect(summary(ask('how many weekly active users did we have last month, by plan?'))).toMatchObject({
      metric: 'weekly_active_users',
      start: '2026-10-01',
      end: '2026-11-01',
      grain: 'week',
      breakdown: 'plan',
      compare: false,
    });
  });

  it('signups this month vs previous', () => {
    const q = ask('signups this month vs previous');
    // Periods under way run through yesterday, the last complete day.
    expect(summary(q)).toMatchObject({ metric: 'signups', start: '2026-11-01', end: '2026-11-29', compare: true });
    expect(q.comparison).toMatchObject({ kind: 'previous_calendar', likeForLike: true });
    expect(q.comparison!.range.start.toISODate()).toBe('2026-10-01');
    expect(q.comparison!.range.end.toISODate()).toBe('2026-10-29');
    expect(q.range.label).toBe('this month so far');
    expect(q.breakdowns).toEqual([]);
  });

  it('searches per day since Oct 1 daily', () => {
    expect(summary(ask('searches per day since Oct 1 daily'))).toMatchObject({
      metric: 'searches',
      start: '2026-10-01',
      end: '2026-11-29',
      grain: 'day',
      breakdown: undefined,
    });
  });

  it('active self-hosted instances by deployment type', () => {
    expect(summary(ask('active self-hosted instances by deployment type'))).toEqual({
      metric: 'active_instances',
      start: '2026-10-26',
      end: '2026-11-23',
      grain: 'day',
      breakdown: 'deployment_type',
      filter: undefined,
      compare: false,
      defaultRange: true,
    });
  });

  it('trial to paid conversion Q3', () => {
    const q = ask('trial to paid conversion Q3');
    expect(summary(q)).toMatchObject({
      metric: 'trial_conversion_rate',
      start: '2026-07-01',
      end: '2026-10-01',
      grain: 'month',
    });
    expect(q.range.label).toBe('Q3 2026');
    expect(summary(ask('Q3 trial to paid conversion'))).toEqual(summary(q));
  });

  it('daily active users stays daily active users, not weekly', () => {
    expect(summary(ask('daily active users'))).toMatchObject({
      metric: 'daily_active_users',
      grain: 'day',
      start: '2026-11-15',
      end: '2026-11-29',
      defaultRange: true,
    });
    expect(summary(ask('daily active users last 7 days'))).toMatchObject({
      metric: 'daily_active_users',
      grain: 'day',
      start: '2026-11-22',
      end: '2026-11-29',
    });
    expect(ask('daily active users').grainNote).toBeUndefined();
  });

  it('how many signups did we have in October?', () => {
    expect(summary(ask('how many signups did we have in October?'))).toMatchObject({
      metric: 'signups',
      start: '2026-10-01',
      end: '2026-11-01',
    });
  });

  it('reads ranges in the catalog’s time zone', () => {
    const q = ask('weekly active users last 4 weeks by plan', 'America/New_York');
    expect(q.range.start.toISO()).toBe('2026-10-26T00:00:00.000-04:00');
    expect(q.range.end.toISO()).toBe('2026-11-23T00:00:00.000-05:00');
  });
});

describe('QuestionParser.parse: metric names', () => {
  it.each([
    ['wau', 'weekly_active_users'],
    ['active users', 'weekly_active_users'],
    ['weekly users since Oct 1', 'weekly_active_users'],
    ['dau', 'daily_active_users'],
    ['registrations last week', 'signups'],
    ['new sign-ups yesterday', 'signups'],
    ['NEW_SIGNUPS', 'signups'],
    ['Signups!!!', 'signups'],
    ['ad spend last month', 'marketing_spend'],
    ['website sessions', 'marketing_sessions'],
    ['docs traffic last week', 'docs_sessions'],
    ['what was the bounce rate last week?', 'bounce_rate'],
    ['code intel', 'code_navigation_events'],
    ['on-prem searches', 'self_hosted_searches'],
    ['self hosted instances by install type last quarter', 'active_instances'],
  ])('reads "%s" as %s', (text, metric) => {
    expect(ask(text).metric.name).toBe(metric);
  });

  it('matches a typo in a long phrase: "weekly activ users"', () => {
    expect(ask('weekly activ users').metric.name).toBe('weekly_active_users');
    expect(ask('weekly activ users last month').range.start.toISODate()).toBe('2026-10-01');
    expect(parser.matchMetric('weekly activ users')?.name).toBe('weekly_active_users');
  });

  it('reads a typo in a short name and says so: "signpus"', () => {
    const q = ask('signpus');
    expect(q.metric.name).toBe('signups');
    expect(q.corrections).toEqual(['read “signpus” as New sign-ups']);
    expect(ask('signpus last month by plan').breakdowns.map((d) => d.name)).toEqual(['plan']);
    expect(names(parser.suggest('signpus'))).toEqual(['signups']);
  });

  it.each([
    ['revenue', 'revenue'],
    ['churn', 'churn'],
    ['nps score', 'nps score'],
    ['revenue last month', 'revenue'],
    ['churn by plan', 'churn'],
    ["what's our NPS score this quarter?", 'NPS score'],
    ['mrr last month', 'mrr'],
  ])('does not answer an unanswerable question: "%s"', (text, query) => {
    const error = rejection(text, 'unknown_metric');
    expect(error.query).toBe(query);
    // Every refusal still offers the closest metrics (here: none is close, so the first ones).
    expect(error.suggestions).toHaveLength(3);
  });

  it('suggests nothing for words no metric resembles', () => {
    expect(parser.suggest('churn')).toEqual([]);
    expect(parser.suggest('revenue')).toEqual([]);
    expect(parser.suggest('')).toEqual([]);
    expect(parser.matchMetric('churn')).toBeNull();
  });
});

describe('QuestionParser.parse: intents and vocabulary', () => {
  it.each([
    ['what is a code navigation action', ['code_navigation_events']],
    ["what's considered an active user", ['weekly_active_users']],
    ['how do we calculate marketing spend?', ['marketing_spend']],
    ['what does trial conversion actually measure', ['trial_conversion_rate']],
    ["searches vs self-hosted searches - what's the diff?", ['searches', 'self_hosted_searches']],
    ['docs sessions vs marketing sessions, how are they different', ['docs_sessions', 'marketing_sessions']],
    ['what exactly counts as a weekly active user?', ['weekly_active_users']],
  ])('reads "%s" as a definition, with no number', (text, metrics) => {
    expect(names(rejection(text, 'definition').metrics)).toEqual(metrics);
  });

  it('reads "what is a …" with a period as a metric question', () => {
    expect(ask("what's a typical week of signups in october").metric.name).toBe('signups');
    // Not its definition either: a judgement the catalog cannot make, refused with the metric first.
    expect(names(rejection('what is a good dau number for us?', 'unknown_metric').suggestions)[0]).toBe(
      'daily_active_users',
    );
  });

  it.each([
    ["what's our churn rate last quarter", 'signups last quarter'],
    ['average session duration on the marketing site last week', 'marketing sessions last week'],
    ['retention of the october signup cohort', 'signups in october'],
    ['extension installs in october', 'installs in october'],
    ['monthly active users for enterprise last month', 'weekly active users'],
  ])('refuses a measure the catalog does not define: "%s" (not %s with a word unused)', (text) => {
    const error = rejection(text, 'unknown_metric');
    expect(error.asksForNumber).toBe(true);
    expect(error.suggestions).toHaveLength(3);
  });

  it('refuses one metric per another as a derived measure', () => {
    const error = rejection('code nav actions per weekly active user last month', 'derived_measure');
    expect(error.phrase).toBe('per weekly active user');
    expect(names(error.suggestions)).toContain('code_navigation_events');
    expect(error.suggestions).toHaveLength(3);
  });

  it('answers a neutral or the metric’s own word before a one-word synonym, reporting what it did not use', () => {
    expect(ask('new installs last week').unused).toEqual(['new']);
    expect(ask('site traffic last 30 days').metric.name).toBe('marketing_sessions');
  });

  it.each([
    ['mktg spend last month', 'marketing_spend'],
    ['nav actions last week', 'code_navigation_events'],
    ['selfhosted searches last month', 'self_hosted_searches'],
    ['traffic to the docs site in october', 'docs_sessions'],
    ['sessions on the docs site last month', 'docs_sessions'],
  ])('reads the shortened or qualified name "%s" as %s, nothing unused', (text, metric) => {
    const q = ask(text);
    expect(q.metric.name).toBe(metric);
    expect(q.unused).toEqual([]);
  });

  it.each([
    ['quick q - how many signups last week?', []],
    ['morning all, could someone tell me the bounce rate for last month pls 🙏', []],
    ['hey @analytics-bot how are signups trending over the last 8 weeks? weekly pls', []],
    ['sorry if this is a dumb question but how many self-hosted instances do we have these days? for a deck', []],
    ['total code searches in september for the all-hands', []],
    // A word that carries meaning next to a conversational phrase is still reported.
    ['quick q - signups on mobile last week', ['on mobile']],
    ['morning all, signups from partners for the all-hands', ['from partners']],
    ['signups from partners last week, asking for the growth team', ['from partners']],
    ['could you send me dau for germany last week', []],
  ])('understands conversational phrases as a whole: "%s"', (text, unused) => {
    expect(ask(text).unused).toEqual(unused);
  });

  it('reads "why did … change?" as the metric question inside, compared with the period before', () => {
    const q = ask('why did docs sessions from germany drop last month?');
    expect(q.intent).toBe('why_changed');
    expect(summary(q)).toMatchObject({ metric: 'docs_sessions', start: '2026-10-01', end: '2026-11-01' });
    expect(q.filters.map((f) => [f.dimension.name, f.values])).toEqual([['country', ['DE']]]);
    expect(q.comparison?.range.start.toISODate()).toBe('2026-09-01');
    expect(q.comparison?.range.end.toISODate()).toBe('2026-10-01');
    expect(ask('docs sessions from germany last month').intent).toBeUndefined();
  });
});

describe('QuestionParser.parse: grain', () => {
  it.each([
    ['signups daily', 'day'],
    ['signups weekly', 'week'],
    ['signups per week', 'week'],
    ['searches by day', 'day'],
    ['signups monthly last quarter', 'month'],
    ['signups in 2025 daily', 'day'],
    ['searches per day since Oct 1 daily by plan', 'day'],
  ])('"%s" is charted by %s', (text, grain) => {
    const q = ask(text);
    expect(q.grain).toBe(grain);
    expect(q.grainNote).toBeUndefined();
  });

  it('uses the default grain, made finer when the range is too short for two points', () => {
    expect(ask('signups last 4 weeks').grain).toBe('week');
    expect(ask('registrations last week').grain).toBe('day');
    expect(ask('trial to paid conversion last month').grain).toBe('week');
  });

  it('keeps the grain of an average-of-periods metric, with a note', () => {
    const wau = ask('weekly active users daily');
    expect(wau.grain).toBe('week');
    expect(wau.grainNote).toBe('Weekly active users is defined per week, so the series stays weekly.');

    const dau = ask('daily active users weekly');
    expect(dau.grain).toBe('day');
    expect(dau.grainNote).toMatch(/^Daily active users is defined per day/);

    const instances = ask('active instances monthly');
    expect(instances.grain).toBe('day');
    expect(instances.grainNote).toMatch(/^Active self-hosted instances is defined per day/);

    expect(ask('weekly active users weekly').grainNote).toBeUndefined();
  });

  it('says "daily", not "dayly", in the grain note', () => {
    expect(ask('daily active users weekly').grainNote).toBe(
      'Daily active users is defined per day, so the series stays daily.',
    );
  });

  it('refuses a chart with too many points', () => {
    expect(rejection('searches daily last 3 years', 'bad_range').message).toMatch(/too many days/);
  });
});

describe('QuestionParser.parse: shapes', () => {
  it('reads "which 3 countries had the fewest" as the 3 smallest', () => {
    const q = ask('which 3 countries had the fewest signups in october?');
    expect(names(q.breakdowns)).toEqual(['country']);
    expect(q.order).toEqual({ direction: 'asc', limit: 3 });
    expect(q.unused).toEqual([]);
    expect(ask('which 5 countries had the most docs sessions in september').order).toEqual({
      direction: 'desc',
      limit: 5,
    });
    expect(ask('which 2 clients ran the most searches').order).toEqual({ direction: 'desc', limit: 2 });
  });

  it('uses every word of a multi-word dimension, and reads "x" as a second breakdown', () => {
    const q = ask('instances by deployment type and version yesterday');
    expect(names(q.breakdowns)).toEqual(['deployment_type', 'version']);
    expect(q.unused).toEqual([]);
    const x = ask('docs sessions by country x channel in october');
    expect(names(x.breakdowns)).toEqual(['country', 'channel']);
    expect(x.unused).toEqual([]);
  });
});

describe('QuestionParser.parse: breakdowns and filters', () => {
  it.each([
    ['signups by tier', 'plan'],
    ['new users by tier', 'plan'],
    ['signups by pricing plan', 'plan'],
    ['signups by tier last month', 'plan'],
    ['signups by plan in Q3', 'plan'],
    ['signups by plan, last month', 'plan'],
    ['signups broken down by plan', 'plan'],
    ['signups for each country', 'country'],
    ['signups grouped by region', 'country'],
    ['website sessions by geo', 'country'],
    ['bounce rate by marketing channel', 'channel'],
    ['trial conversion by deploy type', 'deployment_type'],
    ['instances by deployment', 'deployment_type'],
    ['daily active users by tier', 'plan'],
  ])('"%s" is broken down by %s', (text, dimension) => {
    expect(ask(text).breakdowns[0]?.name).toBe(dimension);
  });

  it('keeps the range next to a breakdown', () => {
    expect(summary(ask('signups from Oct 1 to Oct 15 by plan'))).toMatchObject({
      start: '2026-10-01',
      end: '2026-10-16',
      breakdown: 'plan',
    });
  });

  it('refuses a breakdown the metric does not allow, listing the allowed ones', () => {
    const error = rejection('signups by deployment type', 'disallowed_breakdown');
    expect(error.metric.name).toBe('signups');
    expect(error.dimension.name).toBe('deployment_type');
    expect(names(error.allowed)).toEqual(catalog.metric('signups')!.dimensions);
    expect(names(error.allowed)).toEqual(['plan', 'country', 'source']);
  });

  it('refuses a breakdown no dimension matches', () => {
    const error = rejection('signups by favourite colour', 'unknown_dimension');
    expect(error.phrase).toBe('favourite colour');
    expect(error.metric.name).toBe('signups');
    expect(names(error.allowed)).toEqual(['plan', 'country', 'source']);
  });

  it('reads a filter and keeps the range after it', () => {
    expect(summary(ask('signups where plan = enterprise yesterday'))).toEqual({
      metric: 'signups',
      start: '2026-11-28',
      end: '2026-11-29',
      grain: 'day',
      breakdown: undefined,
      filter: ['plan', 'enterprise'],
      compare: false,
      defaultRange: false,
    });
  });

  it('reads quoted filter values and dimension synonyms', () => {
    expect(summary(ask('signups where tier is "Enterprise" last week'))).toMatchObject({
      filter: ['plan', 'enterprise'],
      start: '2026-11-16',
      end: '2026-11-23',
    });
  });

  it('reports a written-out value that is no value of the dimension instead of filtering on it', () => {
    const q = ask('signups where tier is "Enterprise Plus" last week');
    expect(q.filters).toEqual([]);
    expect(q.unused).toEqual(['Enterprise Plus']);
    expect(q.corrections?.join(' ')).toContain('free, pro, enterprise');
    // A typo of a known value is that value, and says so.
    const typo = ask('signups where plan = entreprise last week');
    expect(typo.filters.map((f) => [f.dimension.name, f.op, f.values])).toEqual([['plan', 'eq', ['enterprise']]]);
    expect(typo.corrections).toContain('read “entreprise” as plan enterprise');
  });

  it('combines a breakdown and a filter', () => {
    expect(summary(ask('weekly active users by plan where country = US last month'))).toMatchObject({
      metric: 'weekly_active_users',
      breakdown: 'plan',
      filter: ['country', 'US'],
      start: '2026-10-01',
    });
  });

  it('refuses a filter on a dimension that is unknown or not allowed', () => {
    expect(rejection('signups where colour = red', 'unknown_dimension').phrase).toBe('colour');
    expect(rejection('signups where deployment type = docker', 'disallowed_breakdown').dimension.name).toBe(
      'deployment_type',
    );
  });
});

describe('QuestionParser.parse: values', () => {
  const filtersOf = (q: MetricQuestion) => q.filters.map((f) => [f.dimension.name, f.op, [...f.values].sort()]);

  it('reads a country code by its case and position, never the pronoun or the preposition', () => {
    expect(filtersOf(ask('us signups last week'))).toEqual([['country', 'eq', ['US']]]);
    expect(filtersOf(ask('searches from IN last week'))).toEqual([['country', 'eq', ['IN']]]);
    expect(ask('searches from IN last week').range.label).toBe('last week');
    expect(filtersOf(ask('signups from de last week'))).toEqual([['country', 'eq', ['DE']]]);
    expect(filtersOf(ask('can you get us the signups for last week'))).toEqual([]);
    expect(filtersOf(ask('tell us the bounce rate for organic last month'))).toEqual([['channel', 'eq', ['organic']]]);
    expect(filtersOf(ask('in signups, what happened last week'))).toEqual([]);
    // Listed with, or set against, another country.
    expect(filtersOf(ask('us and canada signups last week'))).toEqual([['country', 'in', ['CA', 'US']]]);
    expect(filtersOf(ask('india vs us signups last month'))).toEqual([['country', 'in', ['IN', 'US']]]);
    expect(filtersOf(ask('tell you and us the signups'))).toEqual([]);
    // Shouting is not a code.
    expect(filtersOf(ask('SIGNUPS IN GERMANY LAST WEEK'))).toEqual([['country', 'eq', ['DE']]]);
  });

  it('reads two values set against each other as a breakdown over those values', () => {
    for (const [text, dimension, values] of [
      ['paid signups vs organic signups last week', 'source', ['organic', 'paid']],
      ['signups from india vs the US for october', 'country', ['IN', 'US']],
      ['how many searches on jetbrains vs vscode last week', 'client', ['jetbrains', 'vscode']],
      ['instances on helm versus docker compose yesterday', 'deployment_type', ['docker-compose', 'helm']],
    ] as const) {
      const q = ask(text);
      expect([text, filtersOf(q), names(q.breakdowns)]).toEqual([text, [[dimension, 'in', values]], [dimension]]);
      expect(q.unused).toEqual([]);
    }
  });
});

describe('QuestionParser.parse: value groups, value nouns and values alone', () => {
  const filtersOf = (q: MetricQuestion) => q.filters.map((f) => [f.dimension.name, f.op, [...f.values].sort()]);
  const choicesOf = (text: string) => rejection(text, 'ask_back').choices.map((c) => [c.metric.name, ...filtersOf(c)]);

  it('reads a word for several values of one dimension as all of them, negated too', () => {
    expect(filtersOf(ask('weekly actives, paid only, last 4 weeks'))).toEqual([['plan', 'in', ['enterprise', 'pro']]]);
    expect(filtersOf(ask('searches from paying customers only, last week'))).toEqual([
      ['plan', 'in', ['enterprise', 'pro']],
    ]);
    expect(filtersOf(ask('weekly active users excluding paying customers'))).toEqual([
      ['plan', 'not_in', ['enterprise', 'pro']],
    ]);
    expect(filtersOf(ask('signups where plan = paid last week'))).toEqual([['plan', 'in', ['enterprise', 'pro']]]);
    // Where the metric has no plan, "paid" is the channel.
    expect(filtersOf(ask('bounce rate for paid traffic last month'))).toEqual([['channel', 'eq', ['paid']]]);
    expect(filtersOf(ask('signups from paid campaigns last week'))).toEqual([['source', 'eq', ['paid']]]);
  });

  it('asks back when the word is a value of two dimensions of the metric, with the group as one choice', () => {
    expect(choicesOf('paid signups last month')).toEqual([
      ['signups', ['plan', 'in', ['enterprise', 'pro']]],
      ['signups', ['source', 'eq', ['paid']]],
    ]);
    expect(choicesOf('how many paid users last week').slice(0, 2)).toEqual([
      ['weekly_active_users', ['plan', 'in', ['enterprise', 'pro']]],
      ['daily_active_users', ['plan', 'in', ['enterprise', 'pro']]],
    ]);
  });

  it('reads a one-word metric name after a value of another named metric as that value’s noun', () => {
    const q = ask('docs sessions, no direct traffic, last week');
    expect([q.metric.name, filtersOf(q), q.unused]).toEqual(['docs_sessions', [['channel', 'neq', ['direct']]], []]);
  });

  it('reads "everyone but …" as the exception, and who is asking as context', () => {
    const q = ask('code navigation for everyone but free users in november');
    expect([filtersOf(q), q.unused]).toEqual([[['plan', 'neq', ['free']]], []]);
    const team = ask('how many searches jetbrains folks ran yesterday? asking for the IDE team');
    expect([filtersOf(team), names(team.breakdowns), team.unused]).toEqual([[['client', 'eq', ['jetbrains']]], [], []]);
  });

  it('asks which metric a value alone means: the metrics that can be cut by it, at most four', () => {
    expect(choicesOf('how did organic do last month')).toEqual([
      ['signups', ['source', 'eq', ['organic']]],
      ['marketing_sessions', ['channel', 'eq', ['organic']]],
      ['docs_sessions', ['channel', 'eq', ['organic']]],
      ['bounce_rate', ['channel', 'eq', ['organic']]],
    ]);
    expect(choicesOf('social numbers for last week?').map((c) => c[0])).toContain('marketing_spend');
    // A value that also starts a metric's name offers that metric first.
    expect(choicesOf('docs numbers for october?')).toEqual([
      ['docs_sessions'],
      ['signups', ['source', 'eq', ['docs']]],
    ]);
  });

  it('reads two-word exceptions and a misspelt value listed after others', () => {
    const q = ask('self hosted searches this month, leaving out docker compose');
    expect([filtersOf(q), q.unused]).toEqual([[['deployment_type', 'neq', ['docker-compose']]], []]);
    expect(filtersOf(ask('dau from outside the UK and germny last week'))).toEqual([
      ['country', 'not_in', ['DE', 'GB']],
    ]);
    expect(rejection('how did organic do last month', 'ask_back').choices[0]!.range.label).toBe('last month');
  });
});

describe('QuestionParser.parse: comparison and ranges', () => {
  it.each([
    // A calendar month in progress compares with the same elapsed days of the month before.
    ['signups this month vs previous', 'previous_calendar', '2026-10-01', '2026-10-28', true],
    ['signups this month vs last month', 'previous_calendar', '2026-10-01', '2026-10-28', true],
    ['signups last 4 weeks compared to previous period', 'previous_period', '2026-09-28', '2026-10-25', false],
    // The default window (the last 4 whole weeks) against the 4 weeks before it.
    ['signups vs previous', 'previous_period', '2026-09-28', '2026-10-25', false],
    // A weekday said before the range: the latest such day before it.
    ['dau last friday vs the friday before', 'same_weekday_last_week', '2026-11-20', '2026-11-20', false],
    ['sessions on 2026-11-24 compared with the previous friday', 'previous_period', '2026-11-20', '2026-11-20', false],
    // A count of units before the range, as said (here more than the range itself).
    ['searches last 7 days vs the 7 days before that', 'previous_period', '2026-11-15', '2026-11-21', false],
    ['wau last 4 weeks vs the previous 4 weeks', 'previous_period', '2026-09-28', '2026-10-25', false],
    ['signups last week against the prior two weeks', 'previous_period', '2026-11-02', '2026-11-15', false],
    // "The same point" of the previous unit is like for like while this one is under way.
    ['active instances qtd vs the same point last quarter', 'previous_calendar', '2026-07-01', '2026-08-28', true],
    ['spend this year vs the same point last year', 'previous_calendar', '2025-01-01', '2025-11-28', true],
    // "A week ago" moves the range back: a day against the same weekday, a week in progress like for like.
    ['dau yesterday compared to a week ago', 'same_weekday_last_week', '2026-11-21', '2026-11-21', false],
    ['signups this week vs a week ago', 'previous_period', '2026-11-16', '2026-11-21', true],
    ['active instances the last 30 days vs the prior 30', 'previous_period', '2026-09-30', '2026-10-29', false],
    ['docs sessions in q3 compared with q3 last year', 'previous_year', '2025-07-01', '2025-09-30', false],
    ['spend in september, up or down vs august?', 'previous_calendar', '2026-08-01', '2026-08-31', false],
    // Two periods named either side of "vs" are the comparison, whatever shorthand follows.
    ['code nav oct vs sept, mom', 'previous_calendar', '2026-09-01', '2026-09-30', false],
  ])('"%s" compares with the previous period: %s %s … %s', (text, kind, first, last, likeForLike) => {
    const c = ask(text).comparison;
    expect(
      c && {
        kind: c.kind,
        first: c.range.start.toISODate(),
        last: c.range.end.minus({ days: 1 }).toISODate(),
        likeForLike: c.likeForLike,
      },
    ).toEqual({ kind, first, last, likeForLike });
  });

  it('leaves no comparison words unused', () => {
    for (const text of [
      'dau last friday vs the friday before',
      'searches last 7 days vs the 7 days before that',
      'active instances qtd vs the same point last quarter',
      'code nav oct vs sept, mom',
    ]) {
      expect([text, ask(text).unused]).toEqual([text, []]);
    }
  });

  it('asks which day "11/10" is when both orders are past days, and not when the question settles it', () => {
    const error = rejection('signups on 11/10', 'ask_back');
    expect(error.reason).toBe('two_readings');
    expect(error.choices.map((c) => c.range.start.toISODate())).toEqual(['2026-11-10', '2026-10-11']);
    expect(summary(ask('signups 10/1 to 10/15'))).toMatchObject({ start: '2026-10-01', end: '2026-10-16' });
    expect(summary(ask('signups on 11/11'))).toMatchObject({ start: '2026-11-11' });
    expect(summary(ask('signups on 11/25'))).toMatchObject({ start: '2026-11-25' });
  });

  it('reads a one-edit typo of a comparison word, but not another word two edits away', () => {
    expect(ask('signups q2 agianst q1').comparison?.range.start.toISODate()).toBe('2026-01-01');
    expect(rejection('how is conversion rate computed exactly?', 'definition').metrics).toHaveLength(1);
  });

  it('uses the metric’s default window when no range is named', () => {
    expect(summary(ask('trial conversion'))).toMatchObject({
      start: '2026-07-01',
      end: '2026-10-01',
      defaultRange: true,
    });
    expect(summary(ask('ad spend'))).toMatchObject({ start: '2026-10-01', end: '2026-11-01', defaultRange: true });
  });

  it.each([
    ['signups from Oct 15 to Oct 1', /before it starts/],
    ['signups since blorp', /couldn't read "blorp"/],
    ['signups since 2019-01-01', /longer than/],
  ])('reports an unusable range: "%s"', (text, message) => {
    expect(rejection(text, 'bad_range').message).toMatch(message);
  });

  it('says a range in the future has no data yet, with the closest metrics', () => {
    const error = rejection('signups in 2027', 'future');
    expect(error.message).toMatch(/2027 is in the future/);
    expect(names(error.suggestions ?? [])[0]).toBe('signups');
  });
});

describe('QuestionParser.parse: hostile and empty input', () => {
  const parse = (text: string) => parser.parse(text, { now: NOW, timezone: 'UTC' });

  it('never throws', () => {
    const inputs = [
      "x'); DROP TABLE events; --",
      "signups'); DROP TABLE events; --",
      'signups by plan; DROP TABLE events',
      'x'.repeat(5000),
      '🎉🔥',
      '',
      '   \n\t ',
      '<@U123> signups',
      '<@U123>',
      '<!channel>',
      '\u0000\u202e',
      'by',
      'where',
      'where plan =',
      'since',
      'from to',
      'vs previous vs previous',
      'by by by by by',
      'signups where plan = "',
      '((((((((((',
      '.*+?^$ {}()|[]\\',
      'a'.repeat(MAX_QUESTION_LENGTH),
      `signups ${'by plan '.repeat(60)}`,
      `signups from ${'Oct 1 to '.repeat(50)}`,
    ];
    for (const input of inputs) {
      expect(() => parse(input)).not.toThrow();
    }
  });

  it('reads SQL in the text as text: no metric, no guess', () => {
    const error = rejection("x'); DROP TABLE events; --", 'unknown_metric');
    expect(error.suggestions).toHaveLength(3);
  });

  it('ignores SQL after a metric name, and reports a quoted value that is no plan instead of filtering on it', () => {
    const q = ask("signups'); DROP TABLE events; --");
    expect(summary(q)).toMatchObject({ metric: 'signups', breakdown: undefined, filter: undefined });
    const filtered = ask(`signups where plan = "x'); DROP TABLE events; --" last week`);
    expect(filtered.filters).toEqual([]);
    expect(filtered.unused).toEqual(["x'); DROP TABLE events; --"]);
    expect(filtered.range.label).toBe('last week');
  });

  it('reports a link by its host, never drops it silently', () => {
    expect(ask('searches last week <https://evil.example.com/steal?token=1>').unused).toEqual(['evil.example.com']);
    expect(ask('signups last week <https://bit.ly/abc|see this> <@U1>').unused).toEqual(['bit.ly']);
    // "cc @someone" copies people in; it is not a word of the question.
    expect(ask('searches by client for last week? cc <@U07ABC123>, <@U2>').unused).toEqual([]);
  });

  it('refuses 5,000 characters as too long', () => {
    expect(rejection('x'.repeat(5000), 'too_long')).toMatchObject({
      kind: 'too_long',
      length: 5000,
      max: MAX_QUESTION_LENGTH,
    });
    expect(rejection(`signups ${'x'.repeat(MAX_QUESTION_LENGTH)}`, 'too_long').length).toBe(MAX_QUESTION_LENGTH + 8);
  });

  it('refuses emoji only as an unknown metric', () => {
    expect(rejection('🎉🔥', 'unknown_metric').suggestions).toHaveLength(3);
  });

  it('refuses empty and whitespace-only text as empty', () => {
    expect(rejection('', 'empty')).toMatchObject({ kind: 'empty' });
    expect(rejection('   \n\t ', 'empty')).toMatchObject({ kind: 'empty' });
    expect(rejection('<@U123>', 'empty')).toMatchObject({ kind: 'empty' });
  });

  it('ignores Slack mention and link markup', () => {
    expect(ask('<@U123> signups').metric.name).toBe('signups');
    expect(summary(ask('<@U123> <#C123|general> signups last week'))).toMatchObject({
      metric: 'signups',
      start: '2026-11-16',
    });
  });

  it('reads fullwidth text, hidden zero-width characters and bidi controls as the plain words', () => {
    const plain = summary(ask('searches last week'));
    expect(summary(ask('ｓｅａｒｃｈｅｓ ｌａｓｔ ｗｅｅｋ'))).toEqual(plain);
    expect(summary(ask('sea\u200brches la\u00adst\u200d week\ufeff'))).toEqual(plain);
    expect(summary(ask('\u202esearches last week\u202c'))).toEqual(plain);
    expect(ask('sea\u200brches last week').unused).toEqual([]);
  });

  it('drops Slack emoji shortcodes without reporting them as unused', () => {
    const q = ask('dau yesterday :pray: :chart_with_upwards_trend: :+1::skin-tone-2:');
    expect(summary(q)).toMatchObject({ metric: 'daily_active_users', start: '2026-11-28', end: '2026-11-29' });
    expect(q.unused).toEqual([]);
    // A written-out filter keeps its colon.
    expect(ask('signups plan:pro last week').filters).toMatchObject([{ values: ['pro'] }]);
  });

  it('reads a typo in a month, weekday or unit as that word, and says so', () => {
    const sept = ask('marketing spend in septmber');
    expect(summary(sept)).toMatchObject({ start: '2026-09-01', end: '2026-10-01' });
    expect(sept.corrections).toContain('read “septmber” as september');
    expect(summary(ask('signups last mnth'))).toMatchObject({ start: '2026-10-01', end: '2026-11-01' });
    expect(summary(ask('dau last wendsday'))).toMatchObject({ start: '2026-11-25', end: '2026-11-26' });
    const uk = ask('registrations frm the uk last mnth');
    expect(uk.filters).toMatchObject([{ values: ['GB'] }]);
    expect(uk.unused).toEqual([]);
    // A unit word is only corrected where a length of time is said: "weak" alone stays a word.
    expect(ask('signups weak last week').unused).toEqual(['weak']);
  });

  it('asks for a metric when only a range or breakdown is given', () => {
    expect(rejection('last month', 'unknown_metric').suggestions).toHaveLength(3);
    expect(rejection('by plan', 'unknown_metric').suggestions).toHaveLength(3);
  });
});

describe('question codec', () => {
  const ROUND_TRIP = [
    'weekly active users last 4 weeks by plan',
    'signups this month vs previous',
    'signups where plan = enterprise yesterday',
    'signups where tier is "Enterprise Plus" last week',
    'weekly active users by plan where country = US last month',
    'searches per day since Oct 1 daily',
    'active self-hosted instances by deployment type',
    'trial to paid conversion Q3',
    'ad spend',
  ];

  describe.each(['UTC', 'America/New_York'])('in %s', (timezone) => {
    it.each(ROUND_TRIP)('round-trips "%s"', (text) => {
      const question = ask(text, timezone);
      const value = encodeQuestion(question);
      expect(value.length).toBeLessThanOrEqual(2000);
      const decoded = decodeQuestion(value, catalog);
      expect(decoded).not.toBeNull();
      expect(summary(decoded!)).toEqual(summary(question));
      expect(decoded!.metric).toBe(catalog.metric(question.metric.name));
      expect(decoded!.range.start.toISO()).toBe(question.range.start.toISO());
      expect(decoded!.range.end.toISO()).toBe(question.range.end.toISO());
      expect(decoded!.range.start.zoneName).toBe(timezone);
      expect(decoded!.range.label).toBe(question.range.label);
      expect(decoded!.breakdowns).toEqual(question.breakdowns);
      expect(decoded!.filters).toEqual(question.filters);
      expect(decoded!.comparison?.range.start.toISO()).toBe(question.comparison?.range.start.toISO());
    });
  });

  describe('tampered values decode to null', () => {
    let valid: Record<string, unknown>;

    beforeAll(() => {
      valid = JSON.parse(encodeQuestion(ask('signups last month by plan')));
    });

    const tampered = (changes: Record<string, unknown>) => JSON.stringify({ ...valid, ...changes });

    it('accepts the untampered value', () => {
      expect(decodeQuestion(JSON.stringify(valid), catalog)?.metric.name).toBe('signups');
    });

    it.each<[string, Record<string, unknown>]>([
      ['an unknown metric', { m: 'revenue' }],
      ['an inherited property name as metric', { m: '__proto__' }],
      ['a breakdown not allowed for the metric', { b: 'deployment_type' }],
      ['an unknown breakdown', { b: 'colour' }],
      ['a filter on a dimension not allowed for the metric', { f: ['deployment_type', 'docker'] }],
      ['an end before the start', { s: '2026-11-01T00:00:00.000Z', e: '2026-10-01T00:00:00.000Z' }],
      ['an empty range', { e: '2026-10-01T00:00:00.000Z' }],
      ['an unreadable date', { s: 'yesterday' }],
      ['an unknown time zone', { z: 'Mars/Olympus_Mons' }],
      ['an unknown grain', { g: 'year' }],
      ['a compare flag that is not a boolean', { c: 'true' }],
      ['an extra key', { sql: 'DROP TABLE events' }],
      ['an over-long label', { l: 'x'.repeat(101) }],
    ])('%s', (_what, changes) => {
      expect(decodeQuestion(tampered(changes), catalog)).toBeNull();
    });

    it('a missing key', () => {
      const { g: _g, ...rest } = valid;
      expect(decodeQuestion(JSON.stringify(rest), catalog)).toBeNull();
    });

    it.each([
      ['non-JSON', 'not json'],
      ['truncated JSON', '{"m":"signups"'],
      ['JSON null', 'null'],
      ['a JSON array', '[]'],
      ['a JSON number', '42'],
      ['an empty string', ''],
    ])('%s', (_what, value) => {
      expect(decodeQuestion(value, catalog)).toBeNull();
    });

    it('undefined', () => {
      expect(decodeQuestion(undefined, catalog)).toBeNull();
    });

    it('more than 2,000 characters, even when otherwise valid', () => {
      const padded = JSON.stringify(valid) + ' '.repeat(2001);
      expect(JSON.parse(padded)).toEqual(valid);
      expect(decodeQuestion(padded, catalog)).toBeNull();
    });

    // The same limit a typed question has: a forged value must not scan a warehouse's whole history.
    it('a range longer than MAX_RANGE_DAYS', () => {
      const start = DateTime.fromISO('2023-01-01T00:00:00.000Z', { zone: 'UTC' });
      const range = (days: number) => ({ s: start.toISO(), e: start.plus({ days }).toISO(), g: 'day' });
      expect(decodeQuestion(tampered(range(MAX_RANGE_DAYS)), catalog)).not.toBeNull();
      expect(decodeQuestion(tampered(range(MAX_RANGE_DAYS + 1)), catalog)).toBeNull();
      expect(
        decodeQuestion(tampered({ s: '1900-01-01T00:00:00.000Z', e: '2100-01-01T00:00:00.000Z' }), catalog),
      ).toBeNull();
    });
  });
});

describe('QuestionParser.parse: "active" said of people', () => {
  const choicesOf = (text: string) =>
    rejection(text, 'ask_back').choices.map((c) => ({
      metric: c.metric.name,
      filters: c.filters.map((f) => [f.dimension.name, ...f.values]),
      start: c.range.start.toISODate(),
      end: c.range.end.toISODate(),
      compare: Boolean(c.comparison),
    }));
  const both = (rest: Omit<ReturnType<typeof choicesOf>[number], 'metric'>) => [
    { metric: 'weekly_active_users', ...rest },
    { metric: 'daily_active_users', ...rest },
  ];

  it('asks back weekly or daily actives, keeping the filter and the range', () => {
    expect(choicesOf('how many free-tier people were active in october?')).toEqual(
      both({ filters: [['plan', 'free']], start: '2026-10-01', end: '2026-11-01', compare: false }),
    );
    expect(choicesOf('how many customers were active on the pro plan in september')).toEqual(
      both({ filters: [['plan', 'pro']], start: '2026-09-01', end: '2026-10-01', compare: false }),
    );
  });

  it('reads people active last week as users, never as self-hosted instances', () => {
    expect(choicesOf('how many people were active last week')).toEqual(
      both({ filters: [], start: '2026-11-16', end: '2026-11-23', compare: false }),
    );
    expect(choicesOf('were any folks active yesterday')).toEqual(
      both({ filters: [], start: '2026-11-28', end: '2026-11-29', compare: false }),
    );
  });

  it('keeps a comparison in both readings', () => {
    expect(choicesOf('how many users were active last week vs the week before')).toEqual(
      both({ filters: [], start: '2026-11-16', end: '2026-11-23', compare: true }),
    );
  });

  it('does not ask when the period or the thing counted is said', () => {
    expect(ask('active instances last week').metric.name).toBe('active_instances');
    expect(ask('active installs on 5.1').metric.name).toBe('active_instances');
    expect(ask('weekly active users').metric.name).toBe('weekly_active_users');
    expect(ask('dau').metric.name).toBe('daily_active_users');
    expect(ask('how many people were active daily last week').metric.name).toBe('daily_active_users');
    expect(ask('weekly active people last week').metric.name).toBe('weekly_active_users');
    // The catalog's own synonym stays one metric.
    expect(ask('active users last week').metric.name).toBe('weekly_active_users');
  });
});
