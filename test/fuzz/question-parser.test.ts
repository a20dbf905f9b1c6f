/**
 * Property-based: the question parser's public entry point (`parse(text, { now, timezone })`) on hostile text never
 * throws; whatever it understands compiles to SQL that carries none of the person's words (they are bound
 * parameters), and every reply built from it (error, working note, answer) is free of live mentions and links.
 */
import fc from 'fast-check';
import { compileMetricQuery } from '../../src/queries/compile.js';
import { createMetricService } from '../../src/queries/metric-service.js';
import { QuestionParser } from '../../src/queries/question.js';
import type { Warehouse } from '../../src/queries/warehouse.js';
import { createTelemetry } from '../../src/telemetry.js';
import { metricAnswerMessage, questionErrorMessage, workingMessage } from '../../src/views/metric-answer.js';
import { shippedCatalog } from '../helpers/harness.js';
import { captureLogs } from '../helpers/logs.js';
import { hostileText, liveSequences } from './arbitraries.js';

const catalog = shippedCatalog();
const parser = new QuestionParser(catalog);
const ctx = { now: new Date('2026-11-29T10:00:00Z'), timezone: 'UTC' };
const RUNS = { numRuns: 200 };

/** Words people really use around metric names, so many fuzzed questions parse and reach the compiler. */
const phrase = fc.constantFrom(
  'signups last week',
  'weekly active users by plan',
  'searches where plan = ',
  'marketing spend last month by channel vs previous',
  'bounce rate since Oct 1',
  'signups where country = ',
  'daily active users from Oct 1 to ',
  'trial conversion by ',
  'signups in 2025 by ',
  '',
);
/** A token no catalog contains: if it ever shows up in SQL, user text reached the query. */
const canary = fc.stringMatching(/^zq[a-z]{6}$/);

/** An empty warehouse: enough for the answer view to render. */
const emptyWarehouse: Warehouse = {
  kind: 'duckdb',
  query: async () => ({ rows: [], bytesProcessed: null, bytesBilled: null, cacheHit: false }),
  dryRun: async () => ({ bytesProcessed: 0 }),
  close: async () => {},
} as unknown as Warehouse;

describe('property: the question parser on hostile text', () => {
  it('never throws, and user words never reach the SQL text', () => {
    let compiled = 0;
    fc.assert(
      fc.property(phrase, hostileText(200), canary, (start, noise, token) => {
        const text = `${start}${token} ${noise} ${token}`;
        const parsed = parser.parse(text, ctx);
        if (!parsed.ok) return;
        compiled++;
        for (const dialect of ['duckdb', 'bigquery'] as const) {
          const { sql } = compileMetricQuery(catalog, parsed.question, dialect);
          expect(sql).not.toContain(token);
          expect(sql).not.toMatch(/drop\s+table|or\s+1\s*=\s*1|analytics-bot:request/i);
        }
      }),
      RUNS,
    );
    // The property is only worth something if plenty of hostile questions do parse and compile.
    expect(compiled).toBeGreaterThan(RUNS.numRuns / 5);
  });

  it('error replies and the working note echo the question inert', () => {
    let refused = 0;
    fc.assert(
      fc.property(phrase, hostileText(300), (start, noise) => {
        const text = `${start}${noise}`;
        expect(liveSequences(workingMessage(text))).toEqual([]);
        const parsed = parser.parse(text, ctx);
        if (parsed.ok) return;
        refused++;
        expect(liveSequences(questionErrorMessage(parsed.error, text))).toEqual([]);
      }),
      RUNS,
    );
    expect(refused).toBeGreaterThan(0);
  });

  it('answers to whatever parses render inert', async () => {
    const metrics = createMetricService({
      catalog,
      warehouse: emptyWarehouse,
      telemetry: createTelemetry({ defaultMetrics: false }),
      logger: captureLogs().logger,
      ttlMs: 0,
      clock: () => ctx.now,
    });
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(phrase, hostileText(120), async (start, noise) => {
        const parsed = parser.parse(`${start}${noise}`, ctx);
        if (!parsed.ok) return;
        answered++;
        const answer = await metrics.answer(parsed.question, { userId: 'U0ASKER' });
        expect(liveSequences(metricAnswerMessage(answer))).toEqual([]);
        expect(liveSequences(metricAnswerMessage(answer, { sharedBy: 'U0ASKER' }), ['@U0ASKER'])).toEqual([]);
      }),
      { numRuns: 100 },
    );
    expect(answered).toBeGreaterThan(100 / 5);
  });
});
