/**
 * Watches and alerts through the real app: signed commands and button clicks, Slack at the wire (nock), the
 * demo warehouse, and a pinned clock moved by hand between scheduler ticks.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadCatalogFile } from '../../src/queries/catalog.js';
import { createMetricService } from '../../src/queries/metric-service.js';
import { QuestionParser } from '../../src/queries/question.js';
import { BytesLedger } from '../../src/store/bytes-ledger.js';
import { WatchStore } from '../../src/store/watch-store.js';
import { createWatchService } from '../../src/watches/watch-service.js';
import { tempDir } from '../helpers/config.js';
import { type RecordingWarehouse, recording } from '../helpers/fake-warehouse.js';
import { blockNetwork, demoWarehouse, startTestBot, TEST_DEMO, TEST_NOW, type TestBot } from '../helpers/harness.js';
import { buttonClick, eventEnvelope, slashCommand } from '../helpers/slack.js';

type Json = Record<string, unknown>;

let t: TestBot;
let warehouse: RecordingWarehouse;
let now = TEST_NOW;
const at = (iso: string) => {
  now = new Date(iso);
  return now;
};

const ZONES: Record<string, string> = { U0BERLIN: 'Europe/Berlin' };

beforeAll(async () => {
  blockNetwork();
  warehouse = recording(await demoWarehouse());
  // No answer cache: identical watches must share one query per tick on their own.
  t = await startTestBot({ warehouse, env: { METRICS_CACHE_TTL_SECONDS: '0' }, deps: { clock: () => now } });
  t.onSlackMethod('users.info', (b) => ({
    body: {
      ok: true,
      user: {
        id: b.user,
        name: 'someone',
        tz: ZONES[String(b.user)] ?? 'America/New_York',
        is_admin: b.user === 'U0ADMIN',
      },
    },
  }));
});

afterAll(async () => {
  await t.stop();
});

afterEach(() => {
  expect(t.violations).toEqual([]);
});

function textsOf(v: unknown): string {
  const out: string[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (x && typeof x === 'object') {
      for (const [k, val] of Object.entries(x as Json)) {
        if (k === 'text' && typeof val === 'string') out.push(val);
        else if (typeof val === 'object') walk(val);
      }
    }
  };
  walk(v);
  return out.join('\n');
}

function buttons(blocks: unknown): Array<{ action_id: string; value: string; block: string }> {
  const out: Array<{ action_id: string; value: string; block: string }> = [];
  for (const b of (blocks ?? []) as Json[]) {
    if (b.type !== 'actions') continue;
    for (const e of b.elements as Json[]) {
      out.push({ action_id: String(e.action_id), value: String(e.value), block: String(b.block_id) });
    }
  }
  return out;
}

async function command(text: string, user = 'U0ASKER', channel = 'C0ANALYTICS') {
  const cmd = slashCommand({ text, user_id: user, channel_id: channel });
  const res = await t.post(cmd);
  expect(res.status).toBe(200);
  await t.settle();
  const pathOf = new URL(cmd.responseUrl).pathname;
  const replies = t.responses.filter((r) => r.path === pathOf);
  return { ack: (await res.text()) || '', reply: replies[replies.length - 1]?.body };
}

async function click(
  actionId: string,
  value: string,
  user = 'U0ASKER',
  blockId = 'watch_post',
  channel = 'C0ANALYTICS',
) {
  const req = buttonClick({ actionId, value, userId: user, blockId, channelId: channel });
  expect((await t.post(req)).status).toBe(200);
  await t.settle();
  const pathOf = new URL(req.responseUrl).pathname;
  const replies = t.responses.filter((r) => r.path === pathOf);
  return replies[replies.length - 1]?.body;
}

/** Creates a watch or alert through the command and its Save button; returns its id. */
async function create(text: string, user = 'U0ASKER', channel = 'C0ANALYTICS'): Promise<string> {
  const { reply } = await command(text, user, channel);
  const save = buttons(reply?.blocks).find((b) => b.action_id === 'watch_save');
  if (!save) throw new Error(`no confirmation for "${text}": ${textsOf(reply)}`);
  const saved = await click('watch_save', save.value, user, 'watch_confirm', channel);
  expect(textsOf(saved)).toContain('Saved.');
  return save.value;
}

const postsTo = (channel: string) => t.callsTo('chat.postMessage').filter((c) => c.body.channel === channel);

async function tick(iso: string) {
  return t.deps.watches.tick(at(iso));
}

/** A second process on the same DATA_DIR (a restart), optionally with another catalog. */
function restarted(catalogFile?: string) {
  const catalog = catalogFile ? loadCatalogFile(catalogFile) : t.deps.catalog;
  return createWatchService({
    ...t.deps,
    store: new WatchStore(t.db),
    parser: new QuestionParser(catalog),
    clock: () => now,
  });
}

describe('/analytics watch', () => {
  it('shows the interpretation for confirmation, saves only on Save, and refuses words it cannot read', async () => {
    at(TEST_NOW.toISOString());
    const { reply } = await command('watch signups by source weekly at 9:30 here');
    const text = textsOf(reply);
    expect(text).toContain('Save this watch?');
    expect(text).toContain('New sign-ups');
    expect(text).toContain('by sign-up source');
    expect(text).toContain('every Monday at 09:30 (America/New_York)');
    expect(buttons(reply?.blocks).map((b) => b.action_id)).toEqual(['watch_save', 'watch_cancel']);
    // Not saved until confirmed.
    expect(t.deps.watches.store.visibleTo('U0ASKER', 'C0ANALYTICS')).toHaveLength(0);
    const id = buttons(reply?.blocks)[0]!.value;
    expect(textsOf(await click('watch_save', id, 'U0OTHER', 'watch_confirm'))).toContain('Only <@U0ASKER>');
    await click('watch_cancel', id, 'U0ASKER', 'watch_confirm');
    expect(t.deps.watches.store.get(id)?.status).toBe('deleted');

    // An earlier daily|weekly|monthly word is the question's grain; the last one is the schedule.
    const grain = textsOf((await command('watch signups weekly by source daily at 8:15 dm')).reply);
    expect(grain).toContain('· weekly');
    expect(grain).toContain('every day at 08:15 (America/New_York), to you in a DM');

    expect(textsOf((await command('watch signups by source')).reply)).toContain('Say how often');
    expect(textsOf((await command('watch blorps weekly')).reply)).toContain('blorps');
    const unused = textsOf((await command('watch signups from the moon weekly')).reply);
    expect(unused).toContain('I didn');
    expect(unused).toContain('moon');
    expect(unused).not.toContain('Save this watch?');
    const hostile = (await command('alert when signups are <!channel> <http://evil|nice>')).reply!;
    expect(String(hostile.text)).not.toMatch(/<!channel>|<http/);
    expect(JSON.stringify(hostile.blocks)).not.toMatch(/<!channel>|<http/);
  });

  it('posts on schedule in each creator’s time zone, once per period, also after a restart', async () => {
    at(TEST_NOW.toISOString()); // Sunday 2026-11-29 10:00Z
    const ny = await create('watch signups weekly at 9:30 here', 'U0ASKER', 'C0WEEKLY');
    const berlin = await create('watch searches daily at 9:00', 'U0BERLIN', 'C0GROWTH');
    expect(t.deps.watches.store.get(berlin)!.spec.schedule.timezone).toBe('Europe/Berlin');

    await tick('2026-11-30T07:59:00Z');
    expect(postsTo('C0GROWTH')).toHaveLength(0);
    await tick('2026-11-30T08:01:00Z'); // 09:01 in Berlin
    expect(postsTo('C0GROWTH')).toHaveLength(1);
    expect(textsOf(postsTo('C0GROWTH')[0]!.body.blocks)).toContain('Searches');
    expect(postsTo('C0WEEKLY')).toHaveLength(0);

    await tick('2026-11-30T14:29:00Z'); // 09:29 in New York
    expect(postsTo('C0WEEKLY')).toHaveLength(0);
    await tick('2026-11-30T14:31:00Z');
    expect(postsTo('C0WEEKLY')).toHaveLength(1);
    expect(postsTo('C0WEEKLY')[0]!.body.text).toContain('New sign-ups');
    expect((postsTo('C0WEEKLY')[0]!.body.blocks as Json[]).some((b) => b.type === 'data_visualization')).toBe(true);
    // Like every answer, the post carries 👍/👎.
    expect((postsTo('C0WEEKLY')[0]!.body.blocks as Json[]).some((b) => b.block_id === 'answer_feedback')).toBe(true);

    await tick('2026-11-30T14:36:00Z');
    expect(await restarted().tick(now)).toEqual([]);
    expect(postsTo('C0WEEKLY')).toHaveLength(1);
    expect(postsTo('C0GROWTH')).toHaveLength(1);
    expect(t.deps.watches.store.runs(ny).map((r) => [r.period, r.status])).toEqual([['2026-W49', 'posted']]);
  });

  it('catches up a run missed while the bot was down once, not once per missed period', async () => {
    const id = await create('watch searches daily at 9:00 here', 'U0ASKER', 'C0MISSED');
    // Down from Monday to Thursday afternoon: three scheduled times passed.
    // The restarted bot's scheduler catches up at start, then ticks keep finding nothing due.
    at('2026-12-03T18:00:00Z');
    const service = restarted();
    await service.start();
    service.stop();
    expect(postsTo('C0MISSED')).toHaveLength(1);
    await tick('2026-12-03T18:05:00Z');
    await restarted().tick(at('2026-12-03T18:10:00Z'));
    expect(postsTo('C0MISSED')).toHaveLength(1);
    expect(t.deps.watches.store.runs(id).map((r) => r.period)).toEqual(['2026-12-03']);
  });

  it('keeps 9:00 local time across a DST change', async () => {
    at('2027-03-12T15:00:00Z'); // after that day's 09:00 EST
    await create('watch signups daily at 9:00', 'U0ASKER', 'C0DST');
    await tick('2027-03-13T13:30:00Z');
    expect(postsTo('C0DST')).toHaveLength(0);
    await tick('2027-03-13T14:01:00Z'); // 09:01 EST
    expect(postsTo('C0DST')).toHaveLength(1);
    await tick('2027-03-14T13:01:00Z'); // 09:01 EDT, the day clocks moved forward
    expect(postsTo('C0DST')).toHaveLength(2);
    await tick('2027-03-14T14:01:00Z');
    expect(postsTo('C0DST')).toHaveLength(2);
  });
});

describe('manifest', () => {
  it('names the new subcommands in the usage hint', () => {
    const manifest = parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8')) as {
      features: { slash_commands: Array<{ usage_hint: string }> };
    };
    const hint = manifest.features.slash_commands[0]!.usage_hint;
    for (const word of ['watch', 'alert when', 'watches', 'alerts']) expect(hint).toContain(word);
  });
});

describe('/analytics watches', () => {
  it('lists the channel’s and the person’s watches; only the creator or an admin may pause, resume or delete', async () => {
    at(TEST_NOW.toISOString());
    const id = await create('watch searches daily at 11:00', 'U0ASKER', 'C0LIST');
    // Acked first; the list (read from SQLite) follows through response_url.
    const { ack, reply } = await command('watches', 'U0OTHER', 'C0LIST');
    expect(ack).toBe('');
    const list = reply as Json;
    expect(textsOf(list)).toContain('searches daily at 11:00');
    const pause = buttons(list.blocks).find((b) => b.value === id && b.action_id.startsWith('watch_pause'))!;
    expect(pause.block).toMatch(/^watch_list/);

    const refused = await click(pause.action_id, id, 'U0OTHER', pause.block, 'C0LIST');
    expect(textsOf(refused)).toContain('Only <@U0ASKER> or a workspace admin');
    expect(t.deps.watches.store.get(id)!.status).toBe('active');

    const paused = await click(pause.action_id, id, 'U0ADMIN', pause.block, 'C0LIST');
    expect(t.deps.watches.store.get(id)!.status).toBe('paused');
    expect(textsOf(paused)).toContain('Paused');
    await tick('2026-11-30T16:05:00Z'); // 11:05 in New York
    expect(postsTo('C0LIST')).toHaveLength(0);

    const resume = buttons(paused?.blocks).find((b) => b.value === id && b.action_id.startsWith('watch_resume'))!;
    await click(resume.action_id, id, 'U0ASKER', resume.block, 'C0LIST');
    await tick('2026-11-30T16:10:00Z'); // resumed after today's run time: today's period is not caught up
    expect(postsTo('C0LIST')).toHaveLength(0);
    await tick('2026-12-01T16:01:00Z');
    expect(postsTo('C0LIST')).toHaveLength(1);

    const { reply: again } = await command('alerts', 'U0ASKER', 'C0LIST');
    const del = buttons((again as Json).blocks).find((b) => b.action_id.startsWith('watch_delete'))!;
    const after = await click(del.action_id, id, 'U0ASKER', del.block, 'C0LIST');
    expect(textsOf(after)).not.toContain('searches daily at 11:00');
    await tick('2026-12-02T16:01:00Z');
    expect(postsTo('C0LIST')).toHaveLength(1);
  });
});

describe('access rules for the destination', () => {
  it('refuses a restricted metric in a channel its rule does not allow, at creation', async () => {
    at(TEST_NOW.toISOString());
    const { reply } = await command('watch trial conversion weekly', 'U0ASKER', 'C0RANDOM');
    expect(textsOf(reply)).toContain('restricted');
    expect(buttons(reply?.blocks)).toHaveLength(0);
  });

  it('pauses a watch whose channel was archived and tells its creator once', async () => {
    at(TEST_NOW.toISOString());
    const id = await create('watch trial conversion daily at 12:00', 'U0ASKER', 'C0ANALYTICS');
    t.onSlackMethod('conversations.info', (b) => ({
      body: { ok: true, channel: { id: b.channel, is_archived: b.channel === 'C0ANALYTICS', is_member: true } },
    }));
    try {
      await tick('2026-11-30T17:01:00Z');
      expect(t.deps.watches.store.get(id)!.status).toBe('paused');
      expect(t.deps.watches.store.get(id)!.pauseReason).toContain('archived');
      const dms = postsTo('U0ASKER').filter((c) => String(c.body.text).includes('trial conversion daily'));
      expect(dms).toHaveLength(1);
      expect(String(dms[0]!.body.text)).toContain('archived');
      await tick('2026-12-01T17:01:00Z');
      expect(postsTo('U0ASKER').filter((c) => String(c.body.text).includes('trial conversion daily'))).toHaveLength(1);
    } finally {
      t.onSlackMethod('conversations.info', () => ({ body: { ok: true } }));
    }
  });

  it('pauses when the access rule changed, and when the bot was removed from the channel', async () => {
    at(TEST_NOW.toISOString());
    const rule = await create('watch trial conversion daily at 13:00', 'U0ASKER', 'C0ANALYTICS');
    const dir = tempDir();
    const file = path.join(dir, 'metrics.yml');
    const shipped = readFileSync(new URL('../../metrics.yml', import.meta.url), 'utf8');
    writeFileSync(file, shipped.replace('channels: [C0ANALYTICS, C0LOCAL]', 'channels: [C0LOCAL]'));
    await restarted(file).tick(at('2026-11-30T18:01:00Z'));
    expect(t.deps.watches.store.get(rule)!.status).toBe('paused');
    expect(postsTo('C0ANALYTICS').filter((c) => String(c.body.text).includes('Trial'))).toHaveLength(0);

    const gone = await create('watch signups daily at 14:00', 'U0ASKER', 'C0GONE');
    t.onSlackMethod('chat.postMessage', (b) =>
      b.channel === 'C0GONE'
        ? { body: { ok: false, error: 'not_in_channel' } }
        : { body: { ok: true, channel: b.channel, ts: '1.0' } },
    );
    await tick('2026-11-30T19:01:00Z');
    expect(t.deps.watches.store.get(gone)!.status).toBe('paused');
    expect(t.deps.watches.store.get(gone)!.pauseReason).toContain('removed');
    expect(postsTo('U0ASKER').filter((c) => String(c.body.text).includes('signups daily at 14:00'))).toHaveLength(1);
  });
});

/** One number from the demo warehouse by hand-written SQL, independent of the bot's compiler. */
async function sql(text: string): Promise<number> {
  const { rows } = await t.deps.warehouse.query({ sql: text, params: {} });
  return Number(rows[0]!.value);
}
const signupsOn = (day: string) =>
  sql(
    `SELECT count(*) AS value FROM signups WHERE signed_up_at >= TIMESTAMPTZ '${day} 00:00:00+00' ` +
      `AND signed_up_at < TIMESTAMPTZ '${day} 00:00:00+00' + INTERVAL 1 DAY`,
  );

describe('/analytics alert', () => {
  it('fires a threshold alert with the value against the threshold, and stays quiet below it', async () => {
    at(TEST_NOW.toISOString());
    const saturday = await signupsOn('2026-11-28');
    const { reply } = await command(`alert when signups is above ${saturday - 1} daily at 9:00`, 'U0ASKER', 'C0THRESH');
    expect(textsOf(reply)).toContain('Save this alert?');
    expect(textsOf(reply)).toContain('it would fire now');
    const fires = buttons(reply?.blocks).find((b) => b.action_id === 'watch_save')!.value;
    await click('watch_save', fires, 'U0ASKER', 'watch_confirm', 'C0THRESH');
    const quiet = await create(`alert when signups is above ${saturday} daily at 9:00`, 'U0ASKER', 'C0THRESH2');

    await tick('2026-11-29T14:01:00Z'); // 09:01 in New York; checks Saturday 2026-11-28
    const posts = postsTo('C0THRESH');
    expect(posts).toHaveLength(1);
    const text = textsOf(posts[0]!.body.blocks);
    expect(text).toContain(`*${saturday} sign-ups* for Sat Nov 28`);
    expect(text).toContain(`the threshold is above *${saturday - 1}*`);
    expect(buttons(posts[0]!.body.blocks).map((b) => b.action_id)).toEqual([
      'watch_snooze_day',
      'watch_snooze_week',
      'watch_pause',
      'watch_delete',
    ]);
    expect(postsTo('C0THRESH2')).toHaveLength(0);
    expect(t.deps.watches.store.runs(quiet)).toMatchObject([{ period: '2026-11-29', status: 'quiet' }]);

    // Snoozed for a day from the post: the next day's check is skipped, the one after runs again.
    at('2026-11-29T14:05:00Z');
    const snoozed = await click('watch_snooze_day', fires, 'U0ASKER', 'watch_post', 'C0THRESH');
    expect(textsOf(snoozed)).toContain('Snoozed until Mon Nov 30, 09:05');
    await tick('2026-11-30T14:01:00Z');
    expect(t.deps.watches.store.runs(fires).map((r) => r.period)).toEqual(['2026-11-29']);
    await tick('2026-12-01T14:01:00Z');
    expect(t.deps.watches.store.runs(fires).map((r) => r.period)).toEqual(['2026-11-29', '2026-12-01']);
  });

  it('needs the change to clear its absolute floor, given or derived from typical volume', async () => {
    at(TEST_NOW.toISOString());
    const saturday = await signupsOn('2026-11-28');
    const before = await signupsOn('2026-11-21');
    const change = saturday - before;
    expect(change).toBeGreaterThan(2);
    const pct = Math.floor((change / before) * 100) - 1;
    const rule = `signups rise more than ${pct}% week over week`;
    const high = await create(`alert when ${rule} and by at least ${change + 1} daily`, 'U0ASKER', 'C0FLOOR1');
    await create(`alert when ${rule} and by at least ${change - 1} daily`, 'U0ASKER', 'C0FLOOR2');
    const auto = await create(`alert when ${rule} daily`, 'U0ASKER', 'C0FLOOR3');
    await tick('2026-11-29T14:01:00Z');
    expect(postsTo('C0FLOOR1')).toHaveLength(0);
    expect(t.deps.watches.store.runs(high)[0]!.detail).toContain(`below the floor of ${change + 1}`);
    expect(postsTo('C0FLOOR2')).toHaveLength(1);
    expect(textsOf(postsTo('C0FLOOR2')[0]!.body.blocks)).toContain(`vs *${before}* the week before`);
    // Counts vary by about their square root: the default floor is three times that.
    const floor = Math.ceil(3 * Math.sqrt(before));
    expect(postsTo('C0FLOOR3')).toHaveLength(change >= floor ? 1 : 0);
    if (change < floor) expect(t.deps.watches.store.runs(auto)[0]!.detail).toContain(`floor of ${floor}`);
  });

  it('refuses breakdowns and percentages on counts, with the reason', async () => {
    at(TEST_NOW.toISOString());
    expect(textsOf((await command('alert when signups by source drop more than 20% week over week')).reply)).toContain(
      'one number',
    );
    expect(textsOf((await command('alert when signups is above 60%')).reply)).toContain('not a percentage');
  });
});

describe('sharing, DMs and App Home', () => {
  it('runs identical watches on one query per tick', async () => {
    at(TEST_NOW.toISOString());
    await create('watch searches by client daily at 10:00', 'U0ASKER', 'C0SHARE1');
    await create('watch searches by client daily at 10:00', 'U0BERLIN', 'C0SHARE2'); // 10:00 in Berlin: another time
    await create('watch searches by client daily at 4:00 Europe/Berlin', 'U0ASKER', 'C0SHARE3');
    // The New York watch and the two Berlin ones are due at different times; run them all in one tick.
    const before = warehouse.queries.length;
    await tick('2026-11-30T16:00:00Z');
    expect(postsTo('C0SHARE1')).toHaveLength(1);
    expect(postsTo('C0SHARE2')).toHaveLength(1);
    expect(postsTo('C0SHARE3')).toHaveLength(1);
    // Other tests' alerts may run in this tick too; only these three break searches down by client.
    const byClient = warehouse.queries.slice(before).filter((q) => /\bclient\b/.test(q.sql));
    expect(byClient).toHaveLength(1);
  });

  it('uses the answer cache: a watch due right after the same question was answered makes no query', async () => {
    at(TEST_NOW.toISOString());
    await create('watch searches by country daily at 11:00', 'U0CACHE', 'C0CACHE');
    // The suite runs without a cache (to prove per-tick sharing on its own); this service has the usual one.
    const metrics = createMetricService({
      catalog: t.deps.catalog,
      warehouse,
      telemetry: t.deps.telemetry,
      logger: t.deps.logger,
      ttlMs: 10 * 60_000,
      clock: () => now,
    });
    const cached = createWatchService({ ...t.deps, metrics, store: new WatchStore(t.db), clock: () => now });
    at('2026-11-30T16:01:00Z'); // 11:01 in New York
    const question = t.deps.parser.parse('searches by country', { now, timezone: t.deps.config.metrics.timezone });
    if (!question.ok) throw new Error('not understood');
    await metrics.answer(question.question, { userId: 'U0CACHE', channelId: 'C0CACHE' });
    const before = warehouse.queries.length;
    await cached.tick(now);
    expect(postsTo('C0CACHE')).toHaveLength(1);
    expect(warehouse.queries.slice(before).filter((q) => /\bcountry\b/.test(q.sql))).toHaveLength(0);
  });

  it('posts a dm watch to its creator, and App Home lists the person’s watches', async () => {
    at(TEST_NOW.toISOString());
    await create('watch signups weekly on fridays at 8:00 dm', 'U0HOME', 'C0ANALYTICS');
    await tick('2026-12-04T13:01:00Z'); // Friday 08:01 in New York
    expect(postsTo('U0HOME')).toHaveLength(1);
    await t.post(eventEnvelope({ type: 'app_home_opened', user: 'U0HOME', channel: 'D0HOME', tab: 'home' }));
    await t.settle();
    const view = t
      .callsTo('views.publish')
      .filter((c) => c.body.user_id === 'U0HOME')
      .pop()!;
    const text = textsOf(view.body);
    expect(text).toContain('Your watches and alerts');
    expect(text).toContain('signups weekly on fridays at 8:00 dm');
    expect(text).toContain('every Friday at 08:00 (America/New_York), DM to <@U0HOME>');

    // Pausing from App Home refreshes App Home.
    const pause = buttons(view.body.blocks).find((b) => b.action_id.startsWith('watch_pause'))!;
    expect(pause.block).toMatch(/^watch_home/);
    const published = t.callsTo('views.publish').length;
    await click(pause.action_id, pause.value, 'U0HOME', pause.block, 'D0HOME');
    expect(t.callsTo('views.publish')).toHaveLength(published + 1);
    expect(textsOf(t.callsTo('views.publish').pop()!.body)).toContain('Paused');
  });
});

describe('anomaly alerts on the demo data', () => {
  it('flags the planted anomaly with its value, expected range and how unusual, and not a normal day', async () => {
    at(TEST_NOW.toISOString());
    const { reply } = await command('alert when signups look unusual daily at 9:00', 'U0ASKER', 'C0ANOM1');
    expect(textsOf(reply)).toContain('looks unusual against the same weekday over the last 8 weeks');
    expect(textsOf(reply)).toContain('it would fire now');
    await click('watch_save', buttons(reply?.blocks)[0]!.value, 'U0ASKER', 'watch_confirm', 'C0ANOM1');
    const normal = await create('alert when searches look unusual', 'U0ASKER', 'C0ANOM2');
    await tick('2026-11-29T14:01:00Z');
    const posts = postsTo('C0ANOM1');
    expect(posts).toHaveLength(1);
    const day = TEST_DEMO.anomaly.day;
    const value = await signupsOn(day);
    const text = textsOf(posts[0]!.body.blocks);
    expect(text).toContain('New sign-ups looks unusual: higher than expected');
    expect(text).toContain(`*${value} sign-ups* for Sat Nov 28. Expected *`);
    expect(text).toMatch(/\(median \d+ on the same weekday over the last 8 weeks\)/);
    expect(text).toMatch(
      /That is \d+\.\d robust standard deviations above the median \(medium sensitivity fires beyond 3\.5\)/,
    );
    expect(String(posts[0]!.body.text)).toContain(`${value} sign-ups`);
    // The chart is a native line chart, and "What changed?" decomposes the week ending that day like answers do.
    expect((posts[0]!.body.blocks as Json[]).some((b) => b.type === 'data_visualization')).toBe(true);
    const explain = buttons(posts[0]!.body.blocks).find((b) => b.action_id === 'what_changed')!;
    const explained = await click('what_changed', explain.value, 'U0ASKER', 'watch_post', 'C0ANOM1');
    expect(textsOf(explained)).toContain('What changed: New sign-ups');
    expect(textsOf(explained)).toContain(`${value} sign-ups Sat Nov 28 vs ${await signupsOn('2026-11-21')} sign-ups`);
    expect(postsTo('C0ANOM2')).toHaveLength(0);
    expect(t.deps.watches.store.runs(normal)[0]!.detail).toContain('within the expected range');
  });
});

describe('bytes budgets', () => {
  it('counts a run against its creator: a spent budget skips the period, tells the creator once, and posts nothing', async () => {
    at(TEST_NOW.toISOString());
    // A question no other test asks, so no cached answer (which costs nothing) stands in for a new job.
    const id = await create('watch docs sessions daily at 10:30', 'U0BROKE', 'C0BUDGET');
    // U0BROKE already scanned 200 GB today (over the 100 GB personal default, under the 2 TB bot-wide one).
    new BytesLedger(t.db).add('2026-11-30', 'U0BROKE', 200_000_000_000);
    await tick('2026-11-30T15:31:00Z');
    await tick('2026-11-30T15:36:00Z');
    expect(postsTo('C0BUDGET')).toHaveLength(0);
    const told = postsTo('U0BROKE').filter((c) => String(c.body.text).includes('did not run'));
    expect(told).toHaveLength(1);
    expect(String(told[0]!.body.text)).toContain('your daily warehouse bytes budget is spent (it resets at 00:00 UTC)');
    expect(t.deps.watches.store.runs(id)).toMatchObject([{ period: '2026-11-30', status: 'failed', attempts: 3 }]);
    // The next day the budget is fresh and the watch runs again.
    await tick('2026-12-01T15:31:00Z');
    expect(postsTo('C0BUDGET')).toHaveLength(1);
  });
});
