/**
 * Budgets through the real app: a per-person question rate limit (a clear "slow down"), and daily BigQuery bytes
 * budgets per person and for the whole bot, read from what BigQuery billed (REST intercepted), kept in SQLite across
 * restarts, reset at 00:00 UTC; 0 turns a limit off. Every refusal is counted by reason in /metrics.
 */
import {
  interceptBigQueryQuery,
  isolateGoogleAuth,
  METRIC_QUERY_SCHEMA,
  testBigQueryWarehouse,
} from '../helpers/bigquery.js';
import { blockNetwork, type StartOptions, startTestBot, TEST_NOW, type TestBot } from '../helpers/harness.js';
import { slashCommand } from '../helpers/slack.js';

type Json = Record<string, unknown>;

const GB = 1_000_000_000;
const SCHEMA = METRIC_QUERY_SCHEMA;
const ROWS = [
  ['total', 'current', null, null, '155', '2026-11-21 18:00:00+00'],
  ['total', 'previous', null, null, '115', '2026-11-08 18:00:00+00'],
];

const textOf = (body: Json | undefined) => JSON.stringify([body?.text, body?.blocks]);

describe('question rate limit (QUESTIONS_PER_MINUTE_PER_USER)', () => {
  let t: TestBot;
  beforeAll(() => blockNetwork());
  afterEach(async () => {
    expect(t.violations).toEqual([]);
    await t.stop();
  });

  async function ask(text: string, user = 'U0ASKER'): Promise<Json> {
    expect((await t.post(slashCommand({ text, user_id: user }))).status).toBe(200);
    await t.settle();
    return t.responses.at(-1)!.body;
  }

  it('answers a person’s first questions, then says to slow down; others are unaffected', async () => {
    t = await startTestBot({ env: { QUESTIONS_PER_MINUTE_PER_USER: '2' } });
    expect(textOf(await ask('signups last week'))).toContain('New sign-ups');
    expect(textOf(await ask('signups last month'))).toContain('New sign-ups');
    const third = await ask('signups last quarter');
    expect(textOf(third)).toContain('Slow down');
    expect(textOf(third)).toMatch(/Try again in \d+ s/);
    expect(third.response_type).toBe('ephemeral');
    expect(textOf(await ask('signups last week', 'U0OTHER'))).toContain('New sign-ups');
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/analytics_bot_refusals_total\{reason="rate_limited"\} 1/);
  });

  it('0 turns the limit off', async () => {
    t = await startTestBot({ env: { QUESTIONS_PER_MINUTE_PER_USER: '0' } });
    for (let i = 0; i < 5; i++) expect(textOf(await ask('signups last week'))).toContain('New sign-ups');
  });
});

describe('daily bytes budgets (BYTES_BUDGET_PER_USER_DAILY, BYTES_BUDGET_DAILY)', () => {
  let t: TestBot | undefined;
  let restoreAuth: () => void;
  beforeAll(() => {
    blockNetwork();
    restoreAuth = isolateGoogleAuth();
  });
  afterAll(() => restoreAuth());
  afterEach(async () => {
    expect(t?.violations).toEqual([]);
    await t?.stop();
    t = undefined;
  });

  const start = (env: Record<string, string>, options: StartOptions = {}) =>
    startTestBot({
      env: { WAREHOUSE: 'bigquery', BIGQUERY_PROJECT_ID: 'acme-analytics', ...env },
      warehouse: testBigQueryWarehouse('US'),
      ...options,
    });

  /** Every BigQuery job fake set up so far: an unused one stays queued for the next query. */
  const fakes: Array<{ requests: unknown[] }> = [];
  const inserted = () => fakes.reduce((n, f) => n + f.requests.length, 0);

  /** Asks with one BigQuery job ready (billed `billed` bytes); returns the reply and how many jobs were started. */
  async function ask(bot: TestBot, text: string, user: string, billed = 2 * GB) {
    fakes.push(
      interceptBigQueryQuery({
        projectId: 'acme-analytics',
        schema: SCHEMA,
        rows: ROWS,
        totalBytesProcessed: billed,
        totalBytesBilled: billed,
      }),
    );
    const before = inserted();
    expect((await bot.post(slashCommand({ text, user_id: user }))).status).toBe(200);
    await bot.settle();
    return { reply: bot.responses.at(-1)!.body, jobs: inserted() - before };
  }

  const metrics = async (bot: TestBot) => (await fetch(`${bot.url}/metrics`)).text();

  it('refuses a person’s next query once their budget is spent, says when it resets, and keeps it across a restart', async () => {
    const env = { BYTES_BUDGET_PER_USER_DAILY: String(3 * GB), BYTES_BUDGET_DAILY: '0' };
    const first = await start(env);
    t = first;
    expect((await ask(first, 'signups last week', 'U0ANN')).jobs).toBe(1);
    expect((await ask(first, 'signups last month', 'U0ANN')).jobs).toBe(1); // 4 GB spent: over 3 GB now

    const refused = await ask(first, 'signups last quarter', 'U0ANN');
    expect(refused.jobs).toBe(0); // no BigQuery job was started
    expect(textOf(refused.reply)).toContain('daily warehouse budget');
    // TEST_NOW is 10:00 UTC: the budget resets at midnight UTC, 14 hours later.
    expect(textOf(refused.reply)).toContain('It resets at 00:00 UTC (in 14 h)');
    expect(refused.reply.response_type).toBe('ephemeral');

    // An answer already in the cache costs nothing and is still given; another person still has their budget.
    expect((await ask(first, 'signups last week', 'U0ANN')).reply.text).toMatch(/New sign-ups/);
    expect((await ask(first, 'signups last quarter', 'U0BOB')).jobs).toBe(1);
    expect(await metrics(first)).toMatch(/analytics_bot_refusals_total\{reason="user_bytes_budget"\} 1/);

    // A restart on the same DATA_DIR remembers today's spend.
    await first.stop();
    t = undefined;
    const restarted = await start(env, { db: first.db, config: first.deps.config });
    t = restarted;
    expect((await ask(restarted, 'signups last 2 weeks', 'U0ANN')).jobs).toBe(0);

    // The next UTC day starts afresh.
    await restarted.stop();
    t = undefined;
    const tomorrow = new Date(TEST_NOW.getTime() + 24 * 60 * 60_000);
    t = await start(env, { db: first.db, config: first.deps.config, deps: { clock: () => tomorrow } });
    expect((await ask(t, 'signups last 2 weeks', 'U0ANN')).jobs).toBe(1);
  });

  it('refuses everyone once the bot-wide budget is spent', async () => {
    t = await start({ BYTES_BUDGET_PER_USER_DAILY: '0', BYTES_BUDGET_DAILY: String(3 * GB) });
    expect((await ask(t, 'signups last week', 'U0ANN')).jobs).toBe(1);
    expect((await ask(t, 'signups last month', 'U0BOB')).jobs).toBe(1);
    const refused = await ask(t, 'signups last quarter', 'U0CAT');
    expect(refused.jobs).toBe(0);
    expect(textOf(refused.reply)).toContain("The bot's daily warehouse budget for everyone");
    expect(textOf(refused.reply)).toContain('It resets at 00:00 UTC');
    expect(await metrics(t)).toMatch(/analytics_bot_refusals_total\{reason="daily_bytes_budget"\} 1/);
  });

  it('0 turns both budgets off', async () => {
    t = await start({ BYTES_BUDGET_PER_USER_DAILY: '0', BYTES_BUDGET_DAILY: '0' });
    for (const text of ['signups last week', 'signups last month', 'signups last quarter']) {
      expect((await ask(t, text, 'U0ANN', 900 * GB)).jobs).toBe(1);
    }
  });
});
