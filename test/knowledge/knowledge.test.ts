import path from 'node:path';
import { stringify } from 'yaml';
import { PACKAGE_ROOT } from '../../src/config.js';
import {
  DEFAULT_KNOWLEDGE_FILE,
  isRequestIntent,
  KnowledgeError,
  loadKnowledgeFile,
  MAX_ANSWER_LENGTH,
  parseKnowledge,
  requestTitle,
  unwrapAnswer,
} from '../../src/knowledge/knowledge.js';
import { loadCatalogFile } from '../../src/queries/catalog.js';

const knowledge = loadKnowledgeFile(DEFAULT_KNOWLEDGE_FILE);

const TOPIC_IDS = [
  'looker',
  'google_analytics',
  'bigquery',
  'google_sheets',
  'hubspot',
  'apollo',
  'site_admin',
  'instance_pings',
  'event_tracking',
  'request_process',
  'small_asks',
  'metric_catalog',
];

const normalise = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

describe('the shipped knowledge file', () => {
  it('lives at knowledge/data-sources.yml in the package and loads', () => {
    expect(DEFAULT_KNOWLEDGE_FILE).toBe(path.join(PACKAGE_ROOT, 'knowledge', 'data-sources.yml'));
    expect(knowledge.topics.map((t) => t.id).sort()).toEqual([...TOPIC_IDS].sort());
  });

  it('gives every topic a kind, keywords, at least three example questions and a bounded answer', () => {
    for (const topic of knowledge.topics) {
      expect(['source', 'process', 'tool']).toContain(topic.kind);
      expect(topic.keywords.length).toBeGreaterThan(0);
      expect(topic.questions.length).toBeGreaterThanOrEqual(3);
      expect(topic.answer.length).toBeLessThanOrEqual(MAX_ANSWER_LENGTH);
      expect(topic.answer).not.toMatch(/sourcegraph/i);
    }
  });

  it('looks topics up by id', () => {
    expect(knowledge.topic('looker')?.title).toBe('Looker');
    expect(knowledge.topic('nope')).toBeUndefined();
  });

  it('names only metrics that exist in the shipped metric catalog', () => {
    const catalog = loadCatalogFile(path.join(PACKAGE_ROOT, 'metrics.yml'));
    const named = knowledge.topics.flatMap((t) => t.related_metrics ?? []);
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) expect(catalog.metric(name)?.name).toBe(name);
    expect(knowledge.topic('google_analytics')?.related_metrics).toContain('marketing_sessions');
    expect(knowledge.topic('instance_pings')?.related_metrics).toContain('active_instances');
  });

  it('states the request process facts: the board, daily triage and the four questions', () => {
    const answer = knowledge.topic('request_process')?.answer ?? '';
    expect(answer).toMatch(/board/i);
    expect(answer).toMatch(/every day/i);
    for (const fact of [/what is it for/i, /look like/i, /need it by/i, /nice-to-have or a necessity/i]) {
      expect(answer).toMatch(fact);
    }
    expect(knowledge.topic('small_asks')?.answer).toMatch(/#analytics/);
    expect(knowledge.topic('metric_catalog')?.answer).toMatch(/\/analytics list/);
  });

  it('answers each of its own example questions with its own topic (keywords cover the examples)', () => {
    for (const topic of knowledge.topics) {
      for (const question of topic.questions) {
        expect([question, knowledge.match(question)?.topic.id]).toEqual([question, topic.id]);
      }
    }
  });
});

describe('answers are written wrapped and read like Markdown', () => {
  it('joins a paragraph wrapped over several lines, keeping blank lines, list items and code', () => {
    const written = [
      'Looker is our BI tool and the first',
      'place to look.',
      '',
      '*How:*',
      '• Open an Explore, pick the',
      '  fields you need.',
      '1. First step',
      '- dash item',
      '> a quote',
      '```',
      'select 1',
      'from t',
      '```',
    ].join('\n');
    expect(unwrapAnswer(written)).toBe(
      [
        'Looker is our BI tool and the first place to look.',
        '',
        '*How:*',
        '• Open an Explore, pick the fields you need.',
        '1. First step',
        '- dash item',
        '> a quote',
        '```',
        'select 1',
        'from t',
        '```',
      ].join('\n'),
    );
  });

  it('applies to the shipped answers: no paragraph is broken mid-sentence', () => {
    const answer = knowledge.topic('request_process')!.answer;
    expect(answer).toContain('is a *project*: file it as an issue');
    expect(answer).toMatch(/\n1\. .+\n2\. .+\n3\. .+\n4\. /);
  });
});

describe('match', () => {
  /** Fresh phrasings, deliberately not copied from the file's example questions (checked below). */
  const FRESH: Array<[string, string]> = [
    ['how do I build my own charts without SQL', 'looker'],
    ["where's the BI tool login", 'looker'],
    ['lookr dashbords', 'looker'],
    ['where can I see website traffic numbers?', 'google_analytics'],
    ['which tool tracks visits to our docs pages', 'google_analytics'],
    ['what does the bounce rate mean', 'google_analytics'],
    ['can I query the raw tables directly?', 'bigquery'],
    ['what is our data warehouse called', 'bigquery'],
    ['I need GCP access to write some SQL', 'bigquery'],
    ['where do the marketing spend numbers live', 'google_sheets'],
    ['can I upload a CSV file so Looker sees it', 'google_sheets'],
    ['is the spreadsheet folder shared somewhere', 'google_sheets'],
    ['where are our sales leads kept', 'hubspot'],
    ['who owns the CRM', 'hubspot'],
    ['hubspt deals', 'hubspot'],
    ['how did the last newsletter perform', 'apollo'],
    ['which tool sends our outbound email sequences', 'apollo'],
    ['who has the license key info', 'site_admin'],
    ["how can I check when a customer's subscription expires", 'site_admin'],
    ['where do I see expiring licences', 'site_admin'],
    ['how do we know what on-prem customers use', 'instance_pings'],
    ['is there telemetry from customer installations', 'instance_pings'],
    ['do self hosted installs send usage stats', 'instance_pings'],
    ['how do I add tracking for a new button in the app', 'event_tracking'],
    ['where do product events go after they are logged', 'event_tracking'],
    ['how does the product track user clicks', 'event_tracking'],
    ['how does the team decide which requests come first', 'request_process'],
    ['where is the board for analytics projects', 'request_process'],
    ['how often is the analytics board triaged', 'request_process'],
    ['I have a tiny question, where should I post it', 'small_asks'],
    ['is there someone on the data team I can message', 'small_asks'],
    ['where do I drop a quick question about numbers', 'small_asks'],
    ['what numbers can this bot give me', 'metric_catalog'],
    ['which KPIs do you know about', 'metric_catalog'],
    ['how do I use the slash command', 'metric_catalog'],
  ];

  it.each(FRESH)('%j → %s', (question, id) => {
    const found = knowledge.match(question);
    expect(found?.topic.id).toBe(id);
    expect(found?.score).toBeGreaterThan(0);
    expect(found?.score).toBeLessThanOrEqual(1);
  });

  it('reaches every topic with at least two fresh phrasings, none copied from its example questions', () => {
    for (const id of TOPIC_IDS) {
      const phrasings = FRESH.filter(([, topicId]) => topicId === id).map(([q]) => normalise(q));
      expect([id, phrasings.length >= 2]).toEqual([id, true]);
      const examples = knowledge.topic(id)!.questions.map(normalise);
      for (const phrasing of phrasings) expect(examples).not.toContain(phrasing);
    }
  });

  it('reads through Slack markup (mentions, channel and URL links)', () => {
    expect(knowledge.match('<@U123ABC> where is <https://analytics.google.com|Google Analytics> data?')?.topic.id).toBe(
      'google_analytics',
    );
    expect(knowledge.match('is <#C0123ABCD|analytics> the right channel for small asks?')?.topic.id).toBe('small_asks');
  });

  it.each([
    "what's the weather",
    "what's the weather like in Berlin tomorrow?",
    'revenue by region',
    'churn',
    'tell me a joke',
    'lunch menu',
    'asdf qwerty',
    'who do I ping about stuff',
    '',
    '   ',
    '?!',
  ])('returns null for unrelated text %j', (question) => {
    expect(knowledge.match(question)).toBeNull();
  });
});

describe('suggest', () => {
  it('puts the confident match first and honours the limit', () => {
    const topics = knowledge.suggest('which tool tracks visits to our docs pages', 2);
    expect(topics[0]?.id).toBe('google_analytics');
    expect(topics.length).toBeLessThanOrEqual(2);
    expect(knowledge.suggest('where can I see website traffic numbers?').length).toBeLessThanOrEqual(3);
    expect(knowledge.suggest('looker', 0)).toEqual([]);
  });

  it('is looser than match: offers the closest topic where match declines', () => {
    expect(knowledge.match('email performance')).toBeNull();
    expect(knowledge.suggest('email performance').map((t) => t.id)).toContain('apollo');
  });

  it('offers nothing for unrelated text', () => {
    expect(knowledge.suggest("what's the weather")).toEqual([]);
    expect(knowledge.suggest('churn')).toEqual([]);
    expect(knowledge.suggest('')).toEqual([]);
  });
});

describe('isRequestIntent', () => {
  it.each([
    'how do I request data?',
    'How can I file a request with analytics?',
    'can I ask the team for a dashboard',
    'I need an analysis of churn',
    'submit a data request',
    "what's the request process",
    'where do I file a data request?',
    "I'd like to request a new dashboard",
    'could someone build me a report on trial conversion',
    'we need a deep dive into search usage',
    'can someone put together a deck on Q3 usage',
    'requst data',
    "I'd like to request a new metric for seat utilization",
    'request: chart of searches by repo size, needed by end of q4, nice to have',
    'could the analytics team pull a list of enterprise accounts that stopped pinging?',
    'can we get a new metric added for monthly active users?',
    'could someone set up a weekly report of searches by repo?',
  ])('recognises %j', (text) => {
    expect(isRequestIntent(text)).toBe(true);
  });

  it.each([
    'weekly active users last 4 weeks',
    'where can I find website traffic?',
    'what is looker',
    'how many signups last month',
    "what's the weather",
    'I need the looker url',
    'how do I request access to looker',
    'show me a chart of searches by week',
    "where's the signups dashboard",
    'who do I ask about HubSpot access',
    'I have a quick question',
    'which metrics can the bot answer?',
    'I need a list of all metrics',
    'pull signups by plan for last month',
    "what's the request for? signups last week",
    '',
  ])('does not mistake %j for a request', (text) => {
    expect(isRequestIntent(text)).toBe(false);
  });
});

describe('requestTitle', () => {
  it('prefills the form without the "request:" label', () => {
    expect(requestTitle('request: chart of searches by repo size, needed by end of q4')).toBe(
      'chart of searches by repo size, needed by end of q4',
    );
    expect(requestTitle('Data request - weekly retention')).toBe('weekly retention');
    expect(requestTitle('can someone build me a report on the trial funnel?')).toBe(
      'can someone build me a report on the trial funnel?',
    );
  });
});

describe('schema errors name the topic and the field', () => {
  type Entry = Record<string, unknown>;

  /** A valid topic; each test breaks one thing. */
  const topic = (overrides: Entry = {}): Entry => ({
    id: 'looker',
    title: 'Looker',
    kind: 'tool',
    keywords: ['looker', 'dashboard'],
    questions: ['What is Looker?', 'Where are the dashboards?', 'How do I explore data?'],
    answer: '*Looker* is our BI tool.',
    links: [{ label: 'Open Looker', url: 'https://looker.example.com' }],
    ...overrides,
  });
  const file = (...topics: Entry[]) => stringify({ version: 1, topics });

  function problemsOf(text: string): string[] {
    try {
      parseKnowledge(text, 'test.yml');
    } catch (error) {
      expect(error).toBeInstanceOf(KnowledgeError);
      expect((error as KnowledgeError).file).toBe('test.yml');
      expect((error as Error).message).toContain('test.yml');
      return (error as KnowledgeError).problems;
    }
    throw new Error('expected the knowledge file to be rejected');
  }

  it('accepts a valid file', () => {
    const kb = parseKnowledge(file(topic(), topic({ id: 'hubspot', title: 'HubSpot', keywords: ['crm'] })));
    expect(kb.topics.map((t) => t.id)).toEqual(['looker', 'hubspot']);
    expect(kb.match('where do I find the CRM?')?.topic.id).toBe('hubspot');
  });

  it('rejects a duplicate id', () => {
    expect(problemsOf(file(topic(), topic()))).toEqual(['topic "looker".id: duplicate topic id']);
  });

  it('rejects an empty answer', () => {
    expect(problemsOf(file(topic({ answer: '   ' })))).toEqual(['topic "looker".answer: must not be empty']);
  });

  it('rejects an answer over 1,500 characters', () => {
    expect(problemsOf(file(topic({ answer: 'x'.repeat(1501) })))).toEqual([
      'topic "looker".answer: expected at most 1,500 characters',
    ]);
    expect(() => parseKnowledge(file(topic({ answer: 'x'.repeat(1500) })))).not.toThrow();
  });

  it('rejects an unknown kind', () => {
    expect(problemsOf(file(topic({ kind: 'database' })))).toEqual([
      'topic "looker".kind: expected one of source, process, tool',
    ]);
  });

  it.each(['not a url', 'javascript:alert(1)', 'ftp://example.com/file', 'https://exa mple.com'])(
    'rejects the link URL %j',
    (url) => {
      expect(problemsOf(file(topic({ links: [{ label: 'Open', url }] })))).toEqual([
        'topic "looker".links.0.url: expected an http(s) URL like https://looker.example.com',
      ]);
    },
  );

  it('rejects unknown fields, too few questions and bad ids, all in one pass', () => {
    const problems = problemsOf(
      file(
        topic({ answr: 'typo', questions: ['Only one?'] }),
        topic({ id: 'Bad-Id', related_metrics: ['Not A Metric'], keywords: [] }),
      ),
    );
    expect(problems).toEqual([
      'topic "looker".questions: add at least 3',
      'topic "looker".answr: unknown field',
      'topic "Bad-Id".id: expected snake_case, starting with a letter',
      'topic "Bad-Id".keywords: add at least one',
      'topic "Bad-Id".related_metrics.0: expected a metric name from metrics.yml',
    ]);
  });

  it('names a topic without an id by position, and says which fields are missing', () => {
    expect(problemsOf(file(topic(), { title: 'Untitled' }))).toEqual([
      'topic #2.id: required',
      'topic #2.kind: required',
      'topic #2.keywords: required',
      'topic #2.questions: required',
      'topic #2.answer: required',
    ]);
  });

  it('reports file-level problems', () => {
    expect(problemsOf(stringify({ version: 2, topics: 'none', extra: true }))).toEqual([
      'version: expected 1',
      'topics: expected a list of topics',
      'extra: unknown field',
    ]);
    expect(problemsOf('')).toEqual(['knowledge file: expected a mapping with version: 1 and a list of topics']);
    expect(problemsOf('topics: [a, : b')[0]).toMatch(/^not valid YAML: /);
  });

  it('reports a file it cannot read', () => {
    expect(() => loadKnowledgeFile('/nonexistent/knowledge.yml')).toThrow(/cannot read the file \(ENOENT\)/);
  });
});

describe('hostile input never throws', () => {
  const HOSTILE = [
    'x'.repeat(5000),
    `where is looker ${'a'.repeat(4000)} ${'x '.repeat(500)}`,
    Array.from({ length: 1000 }, (_, i) => `w${i}`).join(' '),
    'request '.repeat(700),
    'ask a '.repeat(900),
    '🙂'.repeat(2500),
    '📊 where are the 📈 dashboards? 🤔🤔',
    '"quoted" \'single\' `backticks` “curly” ‘quotes’',
    '((((((([[[[{{{{\\\\$^*+?.|',
    '<@U123> <#C1|> <!here> <https://x|> <> <<<>>>',
    '\u0000\u0001\u200b\u202e mixed RTL مرحبا 你好',
    'ɴᴏʀᴍᴀʟɪsᴇ ｌｏｏｋｅｒ',
  ];

  it.each(HOSTILE.map((text) => [text.slice(0, 40), text]))('handles %j', (_label, text) => {
    const started = Date.now();
    expect(() => knowledge.match(text)).not.toThrow();
    expect(() => knowledge.suggest(text)).not.toThrow();
    expect(() => isRequestIntent(text)).not.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('still matches a real question padded with noise', () => {
    expect(knowledge.match(`📊 "where are the dashboards?" ${'🙂'.repeat(1000)}`)?.topic.id).toBe('looker');
  });
});
