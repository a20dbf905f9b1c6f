/** `analytics-bot ask [--json]` in-process: the same pipeline and adapters as Slack (DuckDB demo data). */
import { ASK_BACK_EXIT_CODE, type AskJson, runAsk } from '../../src/ask/ask-cli.js';
import type { Deps } from '../../src/deps.js';
import { testDeps } from '../helpers/harness.js';

let deps: Deps;

beforeAll(async () => {
  ({ deps } = await testDeps());
});

afterAll(async () => {
  await deps.warehouse.close();
});

async function ask(...args: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const code = await runAsk(deps, args, { stdout: (t) => chunks.push(t) });
  return { code, out: chunks.join('') };
}

async function askJson(question: string): Promise<{ code: number; body: AskJson }> {
  const { code, out } = await ask('--json', question);
  return { code, body: JSON.parse(out) as AskJson };
}

describe('ask --json', () => {
  it('prints the interpretation, the numbers and what was not used', async () => {
    const { code, body } = await askJson('code searches from pro accounts on mobile last week by client');
    expect(code).toBe(0);
    expect(body.interpretation).toEqual({
      intent: 'metric',
      metric: 'searches',
      filters: [{ dimension: 'plan', op: 'eq', values: ['pro'] }],
      breakdown: ['client'],
      range: { start: '2026-11-16', end: '2026-11-22', default: false },
      timezone: 'UTC',
      grain: 'day',
      rollup: 'total',
      comparison: null,
      order: null,
      unused: ['on mobile'],
    });
    expect(body.unused).toEqual(['on mobile']);
    expect(body.line).toBe('Searches · plan = pro · by client · Nov 16 – Nov 22, 2026 (UTC) · daily');
    expect(body.numbers!.current).toBeGreaterThan(0);
    expect(body.numbers!.breakdown!.map((r) => r.key).sort()).toEqual(['jetbrains', 'vscode', 'web']);
    expect(body.numbers!.series).toHaveLength(7);
    expect(body.choices).toBeNull();
    expect(body.text).toContain("I didn't use: on mobile.");
  });

  it('answers definitions side by side, with no number', async () => {
    const { code, body } = await askJson('what is the difference between DAU and WAU?');
    expect(code).toBe(0);
    expect(body.interpretation).toEqual({
      intent: 'definition',
      metrics: ['daily_active_users', 'weekly_active_users'],
    });
    expect(body.numbers).toBeNull();
    expect(body.text).toContain('Definitions, side by side');
  });

  it('answers where-is questions from the knowledge base', async () => {
    const { code, body } = await askJson('where do I find the hubspot data?');
    expect(code).toBe(0);
    expect(body.interpretation).toMatchObject({ intent: 'where_is', topic: 'hubspot' });
  });

  it('reads "why did … change?" with the same parser and explains the change, not the number', async () => {
    const { code, body } = await askJson('why did searches from germany drop last week?');
    expect(code).toBe(0);
    expect(body.interpretation).toMatchObject({
      intent: 'why_changed',
      metric: 'searches',
      filters: [{ dimension: 'country', op: 'eq', values: ['DE'] }],
      range: { start: '2026-11-16', end: '2026-11-22', default: false },
      comparison: { start: '2026-11-09', end: '2026-11-15', like_for_like: false },
      unused: [],
    });
    expect(body.numbers).toBeNull();
    expect(body.text).toContain('What changed: Searches');
  });

  it('tells where-is, request and a number the catalog lacks apart', async () => {
    const how = await askJson('how do i track a new event in the product');
    expect(how.body.interpretation).toEqual({
      intent: 'where_is',
      topic: 'event_tracking',
      metric: 'weekly_active_users',
    });
    const who = await askJson('who do i talk to about getting a new event added to the tracker');
    expect(who.body.interpretation).toMatchObject({ intent: 'where_is', topic: 'event_tracking' });
    const request = await askJson('request: chart of searches by repo size, needed by end of q4, nice to have');
    expect(request.body.interpretation).toEqual({ intent: 'request' });
    // A number is asked for: refused with the closest metrics, the where-is topic offered as a suggestion only.
    const views = await askJson('how many page views did we get last week');
    expect(views.code).toBe(1);
    expect(views.body.interpretation).toMatchObject({ intent: 'refuse', reason: 'unknown_metric', request: true });
    expect(views.body.text).toContain('Google Analytics');
  });

  it('exits 3 with the choices when it would ask back', async () => {
    const { code, body } = await askJson('searches or code navigation last week?');
    expect(code).toBe(ASK_BACK_EXIT_CODE);
    expect(body.choices).toHaveLength(2);
    expect(body.choices![0]).toMatchObject({ intent: 'metric', metric: 'searches' });
  });

  it('refuses with the closest metrics and the request button, exit 1', async () => {
    const { code, body } = await askJson('searches per user last month');
    expect(code).toBe(1);
    expect(body.interpretation).toMatchObject({ intent: 'refuse', reason: 'derived_measure', request: true });
    expect((body.interpretation as { suggestions: string[] }).suggestions[0]).toBe('searches');
    expect(body.text).toContain('Request data from the team');
  });

  it('reads a version prefix, and its negation as every version the prefix covers', async () => {
    const on = (await askJson('active instances on 5.4 yesterday')).body.interpretation as { filters: unknown[] };
    expect(on.filters).toEqual([{ dimension: 'version', op: 'prefix', values: ['5.4'] }]);
    const { body } = await askJson('instances not on 5.4 yesterday');
    const not = body.interpretation as { filters: Array<{ dimension: string; op: string; values: string[] }> };
    expect(not.filters).toHaveLength(1);
    expect(not.filters[0]).toMatchObject({ dimension: 'version', op: expect.stringMatching(/^(neq|not_in)$/) });
    expect(not.filters[0]!.values.length).toBeGreaterThan(0);
    for (const v of not.filters[0]!.values) expect(v === '5.4' || v.startsWith('5.4.')).toBe(true);
    // The two together are the whole: nothing counted twice, nothing lost.
    const all = (await askJson('active instances yesterday')).body.numbers!.current!;
    const onNumber = (await askJson('active instances on 5.4 yesterday')).body.numbers!.current!;
    expect(onNumber + body.numbers!.current!).toBe(all);
  });

  it('prints the message as text without --json', async () => {
    const { code, out } = await ask('signups', 'last', 'week');
    expect(code).toBe(0);
    expect(out).toContain('🔍 New sign-ups · Nov 16 – Nov 22, 2026 (UTC) · daily');
  });
});
