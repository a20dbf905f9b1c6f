/**
 * The team's "where is the data / how do I get it" notes (KNOWLEDGE_FILE, default knowledge/data-sources.yml),
 * validated with zod and indexed for free-text questions.
 *
 * Matching follows the metric parser: Fuse.js proposes candidate topics, then each candidate is checked token by
 * token with edit distance, because Fuse alone rates short words against long phrases too kindly. A confident match
 * needs every word of one of the topic's keywords in the question (small typos forgiven); suggestions are looser.
 */
import path from 'node:path';
import Fuse from 'fuse.js';
import { z } from 'zod';
import { PACKAGE_ROOT } from '../config.js';
import { bestSimilarity, similarity } from '../lib/fuzzy.js';
import { type FileProblem, type PathProblem, parseYamlWith, readYamlFile, YamlFileError } from '../lib/yaml-file.js';

export const DEFAULT_KNOWLEDGE_FILE = path.join(PACKAGE_ROOT, 'knowledge', 'data-sources.yml');

export const MAX_ANSWER_LENGTH = 1500;
export const TOPIC_KINDS = ['source', 'process', 'tool'] as const;

const ID = /^[a-z][a-z0-9_]*$/;

const isHttpUrl = (value: string) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !/\s/.test(value);
  } catch {
    return false;
  }
};

/** A missing field says so; a present but wrong one says what is expected. */
const expected = (what: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'required' : what),
});

/** A line that starts a list item, a quote or a code fence keeps its own line. */
const BLOCK_START = /^\s*(?:[•◦▪‣]|[-*]\s|\d+[.)]\s|>|```)/;

/**
 * Answers are written wrapped in the file (lines of at most 120 characters) but read like Markdown: a line break
 * inside a paragraph is a space. Blank lines, list items, quotes and code blocks keep their line breaks.
 */
export function unwrapAnswer(answer: string): string {
  const out: string[] = [];
  let inCode = false;
  for (const line of answer.split('\n')) {
    const fence = line.trimStart().startsWith('```');
    const previous = out.at(-1);
    const joins =
      !inCode &&
      !fence &&
      previous !== undefined &&
      previous.trim() !== '' &&
      line.trim() !== '' &&
      !BLOCK_START.test(line);
    if (joins) out[out.length - 1] = `${previous.trimEnd()} ${line.trim()}`;
    else out.push(line);
    if (fence) inCode = !inCode;
  }
  return out.join('\n');
}

const text = (max: number) =>
  z
    .string(expected('expected text'))
    .trim()
    .min(1, 'must not be empty')
    .max(max, `expected at most ${max.toLocaleString('en-US')} characters`);

const linkSchema = z
  .object(
    {
      // Slack button text is capped at 75 characters, button URLs at 3,000.
      label: text(75),
      url: z
        .string(expected('expected a URL'))
        .trim()
        .max(3000, 'expected at most 3,000 characters')
        .refine(isHttpUrl, 'expected an http(s) URL like https://looker.example.com'),
    },
    expected('expected { label, url }'),
  )
  .strict();

const topicSchema = z
  .object(
    {
      id: z.string(expected('expected an id')).regex(ID, 'expected snake_case, starting with a letter'),
      title: text(75),
      kind: z.enum(TOPIC_KINDS, expected(`expected one of ${TOPIC_KINDS.join(', ')}`)),
      keywords: z
        .array(text(60), expected('expected a list of words or short phrases'))
        .min(1, 'add at least one')
        .max(80),
      questions: z.array(text(200), expected('expected a list of example questions')).min(3, 'add at least 3').max(30),
      answer: text(MAX_ANSWER_LENGTH).transform(unwrapAnswer),
      links: z.array(linkSchema, expected('expected a list of { label, url }')).max(5).optional(),
      related_metrics: z
        .array(
          z.string(expected('expected a metric name')).regex(ID, 'expected a metric name from metrics.yml'),
          expected('expected a list of metric names'),
        )
        .max(10)
        .optional(),
    },
    expected('expected a topic with id, title, kind, keywords, questions and answer'),
  )
  .strict();

export type Topic = z.infer<typeof topicSchema>;
export type TopicKind = (typeof TOPIC_KINDS)[number];

const knowledgeSchema = z
  .object(
    {
      version: z.literal(1, expected('expected 1')),
      topics: z.array(topicSchema, expected('expected a list of topics')).min(1, 'add at least one topic').max(200),
    },
    { error: 'expected a mapping with version: 1 and a list of topics' },
  )
  .strict();

export interface TopicMatch {
  topic: Topic;
  /** 0..1; only matches at or above the confidence threshold are returned. */
  score: number;
}

export interface KnowledgeBase {
  readonly topics: readonly Topic[];
  topic(id: string): Topic | undefined;
  /** The topic a question is confidently about, or null (unrelated text, a metric name, a bare word like "churn"). */
  match(question: string): TopicMatch | null;
  /** Closest topics, best first: looser than match, for "closest things I know" buttons. */
  suggest(question: string, limit?: number): Topic[];
}

/** Every problem, each naming the topic and the field: `topic "looker".answer: must not be empty`. */
export class KnowledgeError extends YamlFileError {
  override readonly name = 'KnowledgeError';
  constructor(file: string, problems: FileProblem[]) {
    super('Knowledge file', file, problems);
  }
}

const fail = (file: string, problems: FileProblem[]) => new KnowledgeError(file, problems);

export function loadKnowledgeFile(file: string = DEFAULT_KNOWLEDGE_FILE): KnowledgeBase {
  return parseKnowledge(readYamlFile(file, fail), file);
}

export function parseKnowledge(source: string, file = 'knowledge'): KnowledgeBase {
  // Duplicate ids are reported alongside shape problems, so one fix-up pass sees them all.
  const data = parseYamlWith(source, file, {
    schema: knowledgeSchema,
    describe: describePath,
    more: duplicateIds,
    fail,
  });
  return new KnowledgeIndex(data.topics);
}

function duplicateIds(raw: unknown): PathProblem[] {
  const topics = (raw as { topics?: unknown } | null)?.topics;
  if (!Array.isArray(topics)) return [];
  const seen = new Set<string>();
  const problems: PathProblem[] = [];
  (topics as Array<{ id?: unknown } | null>).forEach((topic, i) => {
    const id = topic?.id;
    if (typeof id !== 'string') return;
    if (seen.has(id)) problems.push({ path: ['topics', i, 'id'], message: 'duplicate topic id' });
    seen.add(id);
  });
  return problems;
}

/** `topic "looker".links.0.url` rather than `topics.3.links.0.url`. */
function describePath(raw: unknown, issuePath: PropertyKey[]): string {
  if (issuePath[0] === 'topics' && typeof issuePath[1] === 'number') {
    const entry = (raw as { topics?: Array<{ id?: unknown } | null> }).topics?.[issuePath[1]];
    const name = typeof entry?.id === 'string' && entry.id ? `"${entry.id}"` : `#${issuePath[1] + 1}`;
    return [`topic ${name}`, ...issuePath.slice(2).map(String)].join('.');
  }
  return issuePath.length > 0 ? issuePath.map(String).join('.') : 'knowledge file';
}

// ---------------------------------------------------------------------------------------------------------------
// Text matching, shared by topic matching and request-intent detection.

/** Questions are clipped before matching: enough for any real question, bounded work for hostile input. */
const MAX_MATCH_CHARS = 600;
const MAX_TOKENS = 40;
/** A question word counts as a keyword word at this similarity (one typo in a word of five or more letters). */
const WORD_SIMILARITY = 0.8;
const LOOSE_WORD_SIMILARITY = 0.7;
const MATCH_THRESHOLD = 0.8;
const SUGGEST_THRESHOLD = 0.5;

/** Function words that never carry the topic. Words like "data" and "need" are kept: keyword phrases use them. */
const STOP = new Set(
  (
    'a an the i me my we us our you your it its this that these those there here is are was were be been being am ' +
    'do does did doing done have has had can could would should will shall may might must to of in on at for from ' +
    'with by about into as and or but if so than then what which who whom whose where when why how get got find ' +
    'see show tell give please hi hello hey thanks thank any some all just also really very want wanted need ' +
    'needed know let like im ive anyone someone somebody go'
  ).split(' '),
);
/** Said exactly like this these are verbs ("who should I ping?"); the noun ("pings") still reaches its topic. */
const VERB_FORMS = new Set(['ping', 'pinged', 'pinging']);
/** Longer "words" are noise (pasted hashes, keyboard mashing): skipped, which also bounds edit-distance work. */
const MAX_WORD_LENGTH = 40;
const CONTENT_SKIP = new Set([...STOP, ...VERB_FORMS]);

/** Lower case, Slack markup reduced to its visible text, everything but letters and digits turned into spaces. */
function normalise(input: string): string {
  return input
    .slice(0, MAX_MATCH_CHARS * 2)
    .replace(/<[@!][^>]*>/g, ' ')
    .replace(/<[#][^|>]*\|([^>]*)>/g, ' $1 ')
    .replace(/<[^|>]*\|([^>]*)>/g, ' $1 ')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .slice(0, MAX_MATCH_CHARS);
}

/** Plural and verb endings, so "dashboards", "licenses" and "tracked" meet their keywords. */
function stem(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('ing') && word.length > 5) return word.slice(0, -3);
  if (word.endsWith('ed') && word.length > 4) return word.slice(0, -2);
  if (/(ss|us|is)$/.test(word)) return word;
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

function allTokens(input: string, skip?: ReadonlySet<string>): string[] {
  return normalise(input)
    .split(' ')
    .filter((t) => t.length > 0 && t.length <= MAX_WORD_LENGTH && !skip?.has(t))
    .map(stem);
}

/** Distinct content words, in order, capped. */
function contentTokens(input: string): string[] {
  const out = new Set<string>();
  for (const token of allTokens(input, CONTENT_SKIP)) {
    if (token.length < 2 || STOP.has(token)) continue;
    out.add(token);
    if (out.size >= MAX_TOKENS) break;
  }
  return [...out];
}

/**
 * How fully a question says a phrase: every phrase word must resemble some question word. Returns 0 when any word
 * is missing, else the mean similarity, slightly discounted for one-word phrases (a single word is weaker evidence).
 */
function phraseScore(question: readonly string[], phrase: readonly string[]): number {
  if (phrase.length === 0) return 0;
  let total = 0;
  for (const word of phrase) {
    const s = bestSimilarity(word, question, WORD_SIMILARITY);
    if (s < WORD_SIMILARITY) return 0;
    total += s;
  }
  return (total / phrase.length) * (phrase.length > 1 ? 1 : 0.95);
}

/** The looser version for suggestions: the share of the phrase that was said, weighted by how closely. */
function partialPhraseScore(question: readonly string[], phrase: readonly string[]): number {
  if (phrase.length === 0) return 0;
  let total = 0;
  for (const word of phrase) {
    const s = bestSimilarity(word, question, LOOSE_WORD_SIMILARITY);
    if (s >= LOOSE_WORD_SIMILARITY) total += s;
  }
  return (total / phrase.length) * (phrase.length > 1 ? 1 : 0.95);
}

// ---------------------------------------------------------------------------------------------------------------
// The topic index.

interface TopicEntry {
  topic: Topic;
  order: number;
  /** Id, title and keywords as content tokens (each a phrase that must be said in full for a confident match). */
  phrases: string[][];
  /** The same phrases as text, for Fuse. */
  phraseText: string[];
  questions: string[][];
  questionText: string[];
}

interface Scored {
  entry: TopicEntry;
  score: number;
  /** Characters of matched phrases: breaks ties in favour of the topic that was said more specifically. */
  weight: number;
}

class KnowledgeIndex implements KnowledgeBase {
  readonly topics: readonly Topic[];
  readonly #byId: Map<string, Topic>;
  readonly #entries: TopicEntry[];
  /** Candidate finders: keyword phrases for match, example questions as well for the looser suggest. */
  readonly #phraseFuse: Fuse<TopicEntry>;
  readonly #questionFuse: Fuse<TopicEntry>;

  constructor(topics: Topic[]) {
    this.topics = Object.freeze([...topics]);
    this.#byId = new Map(topics.map((t) => [t.id, t]));
    this.#entries = topics.map((topic, order) => {
      // Deduplicated, so a name said once (id, title and keyword "looker") counts once.
      const unique = new Map<string, string[]>();
      for (const phrase of [topic.id.replace(/_/g, ' '), topic.title, ...topic.keywords]) {
        const tokens = contentTokens(phrase);
        if (tokens.length > 0) unique.set(tokens.join(' '), tokens);
      }
      const phrases = [...unique.values()];
      const questions = topic.questions.map(contentTokens).filter((q) => q.length > 0);
      return {
        topic,
        order,
        phrases,
        phraseText: phrases.map((p) => p.join(' ')),
        questions,
        questionText: questions.map((q) => q.join(' ')),
      };
    });
    const options = { ignoreLocation: true, threshold: 0.4 };
    this.#phraseFuse = new Fuse(this.#entries, { ...options, keys: ['phraseText'] });
    this.#questionFuse = new Fuse(this.#entries, { ...options, keys: ['questionText'] });
  }

  topic(id: string): Topic | undefined {
    return this.#byId.get(id);
  }

  match(question: string): TopicMatch | null {
    const [top] = this.#confident(contentTokens(question));
    return top ? { topic: top.entry.topic, score: Math.round(top.score * 1000) / 1000 } : null;
  }

  suggest(question: string, limit = 3): Topic[] {
    const tokens = contentTokens(question);
    if (tokens.length === 0 || limit <= 0) return [];
    const confident = this.#confident(tokens);
    const scores = new Map<TopicEntry, number>(confident.map((c) => [c.entry, 1 + c.score]));
    for (const entry of this.#candidates(tokens, this.#questionFuse, this.#phraseFuse)) {
      if (scores.has(entry)) continue;
      const loose = Math.max(
        0,
        ...entry.phrases.map((p) => partialPhraseScore(tokens, p)),
        ...entry.questions.map((q) => 0.9 * questionOverlap(tokens, q)),
      );
      if (loose >= SUGGEST_THRESHOLD) scores.set(entry, loose);
    }
    return [...scores.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].order - b[0].order)
      .slice(0, limit)
      .map(([entry]) => entry.topic);
  }

  /** Candidates proposed by Fuse, then verified phrase by phrase; best first. */
  #confident(tokens: string[]): Scored[] {
    if (tokens.length === 0) return [];
    const scored: Scored[] = [];
    for (const entry of this.#candidates(tokens, this.#phraseFuse)) {
      let best = 0;
      let matched = 0;
      let weight = 0;
      for (const [i, phrase] of entry.phrases.entries()) {
        const s = phraseScore(tokens, phrase);
        if (s === 0) continue;
        matched += 1;
        weight += entry.phraseText[i]?.length ?? 0;
        best = Math.max(best, s);
      }
      // Each further keyword said adds a little confidence (and decides close calls).
      const score = Math.min(1, best + 0.03 * Math.max(0, matched - 1));
      if (best > 0 && score >= MATCH_THRESHOLD) scored.push({ entry, score, weight });
    }
    return scored.sort((a, b) => b.score - a.score || b.weight - a.weight || a.entry.order - b.entry.order);
  }

  /** Topics Fuse finds for any question word; a superset of what the edit-distance check accepts. */
  #candidates(tokens: string[], ...indexes: Fuse<TopicEntry>[]): TopicEntry[] {
    const found = new Set<TopicEntry>();
    for (const index of indexes) {
      for (const token of tokens) {
        if (found.size === this.#entries.length) break;
        for (const result of index.search(token)) found.add(result.item);
      }
    }
    return this.#entries.filter((e) => found.has(e));
  }
}

/** Share of the question's words found in an example question. */
function questionOverlap(question: readonly string[], example: readonly string[]): number {
  if (question.length === 0 || example.length === 0) return 0;
  const hits = question.filter((word) => bestSimilarity(word, example, WORD_SIMILARITY) >= WORD_SIMILARITY).length;
  return hits / question.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Request intent: "how do I request data", "file a request", "ask the team for a dashboard", "I need an analysis".

/** Words for things the team builds on request. */
const DELIVERABLES = [
  'analysis',
  'analyses',
  'dashboard',
  'report',
  'deep dive',
  'study',
  'forecast',
  'model',
  'project',
  'deck',
  'data pull',
  'investigation',
  'audit',
  'breakdown',
];

/** Things asked for by name in a request, though on their own ("a chart of signups") they are a metric question. */
const REQUESTABLES = [
  ...DELIVERABLES,
  'metric',
  'metrics',
  'chart',
  'list',
  'export',
  'extract',
  'dataset',
  'data set',
  'spreadsheet',
];
/** Data pulls: a list of accounts, an export of events. */
const PULLS = ['list', 'lists', 'export', 'extract', 'spreadsheet', 'csv', 'dataset', 'data set'];

/**
 * Each pattern is a sequence of slots said in order; a slot is a list of alternative words or short phrases, and
 * `gap` is how many other words may come before it. Words are compared with edit distance, like topic keywords.
 */
interface IntentPattern {
  slots: Array<{ any: string[]; gap: number }>;
}

const REQUEST_PATTERNS: IntentPattern[] = [
  // "request data", "request a new dashboard", "requesting some analysis", "request a new metric"
  {
    slots: [
      { any: ['request'], gap: 0 },
      { any: ['data', ...REQUESTABLES], gap: 3 },
    ],
  },
  // "a new metric for seat utilization", "add a metric for …"
  {
    slots: [
      { any: ['new', 'add', 'another', 'define'], gap: 0 },
      { any: ['metric', 'metrics', 'kpi'], gap: 1 },
    ],
  },
  // "pull a list of enterprise accounts", "put together an export of …"
  {
    slots: [
      { any: ['pull', 'compile', 'prepare', 'put together', 'build', 'make', 'create'], gap: 0 },
      { any: ['a', 'an', 'the', 'some', 'me', 'us'], gap: 2 },
      { any: PULLS, gap: 1 },
    ],
  },
  // "data request", "analytics request", "the request process", "request form"
  {
    slots: [
      { any: ['data', 'analytics', 'analysis', 'dashboard', 'report'], gap: 0 },
      { any: ['request'], gap: 0 },
    ],
  },
  {
    slots: [
      { any: ['request'], gap: 0 },
      { any: ['process', 'form', 'template', 'board'], gap: 1 },
    ],
  },
  // "file a request", "submit a data request", "open a ticket with analytics"
  {
    slots: [
      {
        any: ['file', 'filed', 'filing', 'submit', 'open', 'raise', 'make', 'create', 'put in', 'log', 'send', 'lodge'],
        gap: 0,
      },
      { any: ['request', 'ticket'], gap: 3 },
    ],
  },
  // "ask the team for a dashboard", "I need an analysis", "can someone build a report on …"
  {
    slots: [
      {
        any: [
          'ask',
          'need',
          'want',
          'like',
          'commission',
          'build',
          'make',
          'create',
          'put together',
          'order',
          'set up',
        ],
        gap: 0,
      },
      { any: ['a', 'an', 'new', 'custom', 'another', 'some', 'one'], gap: 5 },
      { any: DELIVERABLES, gap: 2 },
    ],
  },
];

const LABELLED_REQUEST = /^\W*(?:(?:new|data|analytics|feature)\s+)?request\s*[:–—-]/i;

const compiledPatterns = REQUEST_PATTERNS.map((p) => ({
  slots: p.slots.map((slot) => ({ gap: slot.gap, any: slot.any.map((phrase) => allTokens(phrase)) })),
}));

/** The request's title as the form is prefilled with it: the text without a "request:" label. */
export function requestTitle(input: string): string {
  return input.replace(LABELLED_REQUEST, '').trim() || input.trim();
}

/** True when the text asks how to request work from the team, or asks for a deliverable to be built. */
export function isRequestIntent(input: string): boolean {
  // Labelled as one: "request: chart of searches by repo size, needed by end of q4".
  if (LABELLED_REQUEST.test(input)) return true;
  const words = allTokens(input).slice(0, 200);
  if (words.length === 0) return false;
  return compiledPatterns.some((pattern) => sequenceMatches(words, pattern.slots, 0, 0));
}

/** Whether slots[slot..] can be matched in order starting at or after `from` (the first slot anywhere). */
function sequenceMatches(
  words: readonly string[],
  slots: ReadonlyArray<{ gap: number; any: string[][] }>,
  slot: number,
  from: number,
): boolean {
  const current = slots[slot];
  if (!current) return true;
  const last = slot === 0 ? words.length - 1 : Math.min(words.length - 1, from + current.gap);
  for (let i = from; i <= last; i += 1) {
    for (const phrase of current.any) {
      if (phraseAt(words, i, phrase) && sequenceMatches(words, slots, slot + 1, i + phrase.length)) return true;
    }
  }
  return false;
}

/** A phrase said at position i; short words must be exact, longer ones forgive one typo. */
function phraseAt(words: readonly string[], i: number, phrase: readonly string[]): boolean {
  if (phrase.length === 0 || i + phrase.length > words.length) return false;
  return phrase.every((word, k) => {
    const said = words[i + k];
    return (
      said !== undefined &&
      (said === word || (word.length > 3 && similarity(said, word, WORD_SIMILARITY) >= WORD_SIMILARITY))
    );
  });
}
