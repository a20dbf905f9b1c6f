/**
 * The evaluation runner's own rules: filters compared by the set of values they let through on the demo data (not
 * by how they are written), `repeat:` entries, and the one-line summary. A comparison that let two different filters
 * pass as one would hide exactly the misses the bank exists to find, so the "must differ" cases matter most.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AskService, type Intent } from '../../src/ask/ask-service.js';
import type { KnowledgeBase } from '../../src/knowledge/knowledge.js';
import type { MetricInterpretation } from '../../src/queries/interpretation.js';
import { MAX_MESSAGE_LENGTH, type ParseContext, type ParseResult, QuestionParser } from '../../src/queries/question.js';
import { demoWarehouse, shippedCatalog, TEST_NOW } from '../helpers/harness.js';
import {
  type DomainOf,
  demoDomains,
  differences,
  type EvalReport,
  filterDifferences,
  loadBank,
  NULL_VALUE,
  offersNextSteps,
  summaryLine,
} from './runner.js';

const DOMAINS: Record<string, string[]> = {
  plan: ['free', 'pro', 'enterprise'],
  version: ['5.0.4', '5.1.2', '5.10.1', '5.2.0'],
  client: ['web', 'vscode', 'jetbrains', NULL_VALUE],
};
const domainOf: DomainOf = (_metric, dimension) => DOMAINS[dimension];
const f = (dimension: string, op: string, ...values: string[]) => ({ dimension, op, values });
const unknownValues: DomainOf = () => undefined;
const same = (a: unknown[], b: unknown[], domains: DomainOf = domainOf) =>
  filterDifferences(a, b, 'searches', domains) === null;

describe('filters are compared by the values they allow', () => {
  it('treats != , not in and in over the remaining values as one filter', () => {
    const forms = [
      [f('plan', 'neq', 'free')],
      [f('plan', 'not_in', 'free')],
      [f('plan', 'in', 'pro', 'enterprise')],
      [f('plan', 'in', 'enterprise', 'pro')],
    ];
    for (const a of forms) for (const b of forms) expect(same(a, b)).toBe(true);
    expect(same([f('plan', 'eq', 'pro')], [f('plan', 'in', 'pro')])).toBe(true);
    expect(same([f('plan', 'not_in', 'free', 'pro')], [f('plan', 'eq', 'enterprise')])).toBe(true);
  });

  it('counts different sets as a miss, and says which values each side allows', () => {
    expect(filterDifferences([f('plan', 'neq', 'free')], [f('plan', 'eq', 'pro')], 'searches', domainOf)).toBe(
      'filters: expected plan ∈ {enterprise, pro}, got plan ∈ {pro}',
    );
    expect(same([f('plan', 'neq', 'free')], [f('plan', 'eq', 'free')])).toBe(false);
    expect(same([f('plan', 'neq', 'free')], [])).toBe(false);
    expect(same([f('plan', 'eq', 'pro')], [f('plan', 'eq', 'pro'), f('client', 'eq', 'web')])).toBe(false);
  });

  it('does not mistake a filter that allows every value for no filter at all', () => {
    expect(same([], [f('plan', 'in', 'free', 'pro', 'enterprise')])).toBe(false);
  });

  it('keeps values the data does not hold apart: junk never equals other junk or nothing', () => {
    expect(same([f('plan', 'eq', "x'); DROP TABLE signups; --")], [])).toBe(false);
    expect(same([f('plan', 'eq', 'gold')], [f('plan', 'eq', 'platinum')])).toBe(false);
    expect(same([f('plan', 'neq', 'gold')], [f('plan', 'in', 'free', 'pro', 'enterprise')])).toBe(false);
    expect(same([f('version', 'prefix', '6.0')], [f('version', 'prefix', '7.0')])).toBe(false);
  });

  it('reads a version prefix as the versions it covers (5.1 is 5.1.x, not 5.10)', () => {
    expect(same([f('version', 'prefix', '5.1')], [f('version', 'eq', '5.1.2')])).toBe(true);
    expect(same([f('version', 'prefix', '5.1')], [f('version', 'in', '5.1.2', '5.10.1')])).toBe(false);
    expect(same([f('version', 'prefix', '5')], [f('version', 'neq', '5.0.4')])).toBe(false);
  });

  it('keeps rows with no value under a negative filter (as the compiled SQL does) but not under a positive one', () => {
    expect(same([f('client', 'neq', 'web')], [f('client', 'in', 'vscode', 'jetbrains')])).toBe(false);
    expect(same([f('client', 'neq', 'web')], [f('client', 'not_in', 'web')])).toBe(true);
  });

  it('applies every filter on one dimension: what passes is what all of them let through', () => {
    expect(same([f('plan', 'neq', 'free'), f('plan', 'neq', 'pro')], [f('plan', 'eq', 'enterprise')])).toBe(true);
  });

  it('falls back to the written form when the values are unknown, and then set-equal forms differ', () => {
    expect(same([f('plan', 'neq', 'free')], [f('plan', 'not_in', 'free')], unknownValues)).toBe(true);
    expect(same([f('plan', 'neq', 'free')], [f('plan', 'in', 'pro', 'enterprise')], unknownValues)).toBe(false);
  });

  it('makes a whole interpretation a miss when its filter lets through other values', () => {
    const actual: MetricInterpretation = {
      intent: 'metric',
      metric: 'searches',
      filters: [{ dimension: 'plan', op: 'in', values: ['pro', 'enterprise'] }],
      breakdown: [],
      range: { start: '2026-11-16', end: '2026-11-22', default: false },
      timezone: 'UTC',
      grain: 'day',
      rollup: 'total',
      comparison: null,
      order: null,
      unused: [],
    };
    const expected = { intent: 'metric', metric: 'searches', range: { start: '2026-11-16', end: '2026-11-22' } };
    const rollup = () => 'total';
    expect(differences({ ...expected, filters: [f('plan', 'neq', 'free')] }, actual, rollup, domainOf)).toEqual([]);
    expect(differences({ ...expected, filters: [f('plan', 'eq', 'pro')] }, actual, rollup, domainOf)).toEqual([
      'filters: expected plan ∈ {pro}, got plan ∈ {enterprise, pro}',
    ]);
  });

  it("reads each dimension's values from the metric's own table on the demo data", async () => {
    const domains = await demoDomains({ catalog: shippedCatalog(), warehouse: await demoWarehouse() });
    expect([...(domains('searches', 'plan') ?? [])].sort()).toEqual(['enterprise', 'free', 'pro']);
    // One dimension, two tables: pings and trials hold different deployment types.
    expect([...(domains('active_instances', 'deployment_type') ?? [])].sort()).toEqual([
      'docker-compose',
      'helm',
      'kubernetes',
      'single-container',
    ]);
    expect([...(domains('trial_conversion_rate', 'deployment_type') ?? [])].sort()).toEqual(['cloud', 'self-hosted']);
    expect(domains('searches', 'deployment_type')).toBeUndefined();
  });
});

describe('bank entries with repeat', () => {
  it('repeat: N asks the text N times', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bank-'));
    const file = path.join(dir, 'bank.yml');
    writeFileSync(
      file,
      '- id: hostile-001\n  category: hostile\n  q: "ab "\n  repeat: 3\n  expect: { intent: refuse, reason: too_long }\n',
    );
    expect(loadBank(file).map((e) => e.q)).toEqual(['ab ab ab ']);
  });

  it('holds a 40,000-character message, refused as too long before any matching work', () => {
    const long = loadBank().filter((e) => e.q.length >= 40_000);
    expect(long.map((e) => [e.q.length, e.expect])).toEqual([[40_000, { intent: 'refuse', reason: 'too_long' }]]);
    // Every collaborator that matches text throws: the refusal must come before any of them is asked.
    class UnreadParser extends QuestionParser {
      override parse(_input: string, _ctx: ParseContext): ParseResult {
        throw new Error('parse ran');
      }
      override closest(): never {
        throw new Error('closest ran');
      }
    }
    const untouchable = new Proxy({} as KnowledgeBase & { lastQuestion: never; rememberQuestion: never }, {
      get: (_t, name) => {
        throw new Error(`${String(name)} was read`);
      },
    });
    const ask = new AskService(new UnreadParser(shippedCatalog()), shippedCatalog(), untouchable, untouchable);
    const ctx = { channel: 'C1', threadTs: '1', inThread: true, now: TEST_NOW, timezone: 'UTC' };
    const reading = ask.interpret(long[0]!.q, ctx);
    expect(reading).toMatchObject({ intent: 'refuse', reason: 'too_long', request: true });
    expect(reading.intent === 'refuse' && reading.suggestions.length).toBeGreaterThanOrEqual(1);
    expect(MAX_MESSAGE_LENGTH).toBeLessThan(40_000);
  });
});

describe('refusals are judged as Slack shows them', () => {
  const catalog = shippedCatalog();
  it('needs a closest-metric button and the request button', () => {
    const ok: Intent = { kind: 'unknown', text: 'churn', metrics: ['signups'], topics: [] };
    expect(offersNextSteps({ catalog }, ok)).toBe(true);
    expect(offersNextSteps({ catalog }, { ...ok, metrics: [] })).toBe(false);
    expect(offersNextSteps({ catalog }, { ...ok, metrics: ['no_such_metric'] })).toBe(false);
    const tooLong = { kind: 'too_long', length: 40_000, max: 500, suggestions: catalog.metrics.slice(0, 3) } as const;
    expect(offersNextSteps({ catalog }, { kind: 'metric_problem', error: tooLong, text: 'x' })).toBe(true);
    expect(
      offersNextSteps({ catalog }, { kind: 'metric_problem', error: { ...tooLong, suggestions: [] }, text: '' }),
    ).toBe(false);
  });
});

describe('the summary line', () => {
  it('quotes exact, unflagged, refusal and truth counts on one line', () => {
    const report = {
      total: 400,
      exact: 390,
      accuracy: 390 / 400,
      unflagged: [{}],
      badRefusals: [],
      truthChecked: 170,
      truthMisses: [{}, {}],
    } as unknown as EvalReport;
    expect(summaryLine(report)).toBe(
      'Summary: 390/400 exact (97.5%) · unflagged differences 1 · refusals without closest metrics + request button 0 · truth numbers 168/170 correct',
    );
  });
});
