/**
 * Native chart and table blocks in answers, through the real app: the blocks Slack gets (checked against its limits
 * by the harness), the fallback when Slack rejects them (`invalid_blocks`), PNG uploads only where the answer is
 * visible to everyone, and CHART_MODE.
 */
import nock from 'nock';
import { blockNetwork, startTestBot, type TestBot } from '../helpers/harness.js';
import { buttonClick, eventEnvelope, slashCommand } from '../helpers/slack.js';

type Json = Record<string, unknown>;
type Block = Json & { type: string };

const FILES_ORIGIN = 'http://files.slack.test';
const blocksOf = (body: Json | undefined) => (body?.blocks ?? []) as Block[];
const typesOf = (body: Json | undefined) => blocksOf(body).map((b) => b.type);
const charts = (body: Json | undefined) => blocksOf(body).filter((b) => b.type === 'data_visualization');
const buttonValue = (body: Json, actionId: string) =>
  blocksOf(body)
    .flatMap((b) => (b.type === 'actions' ? (b.elements as Json[]) : []))
    .find((e) => e.action_id === actionId)?.value as string | undefined;

describe('charts and tables in answers', () => {
  let t: TestBot;
  beforeAll(() => blockNetwork());
  afterEach(async () => {
    expect(t.violations).toEqual([]);
    await t.stop();
  });

  /** Slack's upload flow (files.uploadV2): an upload URL, the bytes, then completion into the conversation. */
  function acceptUploads() {
    const uploads: Buffer[] = [];
    let n = 0;
    t.onSlackMethod('files.getUploadURLExternal', () => {
      n++;
      return { body: { ok: true, upload_url: `${FILES_ORIGIN}/upload/${n}`, file_id: `F0CHART${n}` } };
    });
    t.onSlackMethod('files.completeUploadExternal', (b) => ({ body: { ok: true, files: [{ id: 'F0CHART1', b }] } }));
    nock(FILES_ORIGIN)
      .persist()
      .post(/\/upload\/\d+/)
      .reply((_uri, body) => {
        // nock hands binary bodies over hex-encoded.
        uploads.push(Buffer.from(String(body), /^[0-9a-f]+$/.test(String(body)) ? 'hex' : 'binary'));
        return [200, 'OK'];
      });
    return uploads;
  }

  async function ask(text: string) {
    const req = slashCommand({ text });
    expect((await t.post(req)).status).toBe(200);
    await t.settle();
    return t.responses.at(-1)!.body;
  }

  it('a series answer carries a line chart (two series when comparing) and the same numbers as text', async () => {
    t = await startTestBot();
    const answer = await ask('searches last 14 days vs previous period');
    const [chart] = charts(answer);
    expect(chart).toMatchObject({
      type: 'data_visualization',
      title: 'Searches, last 14 days',
      chart: { type: 'line', axis_config: { x_label: 'Day', y_label: 'Searches (searches)' } },
    });
    const series = (chart!.chart as { series: Array<{ name: string; data: Array<{ value: number }> }> }).series;
    expect(series.map((s) => s.name)).toEqual(['This period', 'Previous period']);
    expect(series[0]!.data).toHaveLength(14);
    // The message text and the sparkline section carry the numbers the chart draws.
    const first = series[0]!.data[0]!.value.toLocaleString('en-US');
    const last = series[0]!.data.at(-1)!.value.toLocaleString('en-US');
    expect(String(answer.text)).toContain(`${first} on`);
    expect(String(answer.text)).toContain(`→ ${last} on`);
    expect(JSON.stringify(blocksOf(answer))).toContain(`latest ${last}`);
  });

  it('a breakdown carries a bar chart, the breakdown over time as layered areas, and a right-aligned table', async () => {
    t = await startTestBot();
    const answer = await ask('signups last 4 weeks by country');
    const [bar, area] = charts(answer);
    expect(bar).toMatchObject({ chart: { type: 'bar', axis_config: { x_label: 'Country' } } });
    expect(area).toMatchObject({ chart: { type: 'area' } });
    const areaSeries = (area!.chart as { series: Array<{ name: string }> }).series.map((s) => s.name);
    expect(areaSeries).toHaveLength(6); // top five countries plus "Other": sign-ups add up
    expect(areaSeries.at(-1)).toBe('Other');
    const table = blocksOf(answer).find((b) => b.type === 'table') as unknown as {
      rows: Array<Array<{ text: string }>>;
      column_settings: Array<{ align: string }>;
    };
    expect(table.rows[0]!.map((c) => c.text)).toEqual(['Country', 'New sign-ups', 'Share']);
    expect(table.column_settings.map((c) => c.align)).toEqual(['left', 'right', 'right']);
    expect(table.rows.slice(1).map((r) => r[0]!.text)).toContain('US');
    // The text version keeps every number of the table.
    const text = JSON.stringify(blocksOf(answer).filter((b) => b.type === 'section'));
    for (const row of table.rows.slice(1)) expect(text).toContain(row[1]!.text);
  });

  it('a two-way breakdown is a pivot table block (no chart) carrying the same numbers as the text table', async () => {
    t = await startTestBot();
    const answer = await ask('signups last 4 weeks by source and plan');
    expect(charts(answer)).toEqual([]);
    const table = blocksOf(answer).find((b) => b.type === 'table') as unknown as {
      rows: Array<Array<{ text: string }>>;
      column_settings: Array<{ align: string }>;
    };
    const header = table.rows[0]!.map((c) => c.text);
    expect(header[0]).toBe('Sign-up source × Plan');
    expect(header.slice(1).sort()).toEqual(['enterprise', 'free', 'pro']);
    expect(table.column_settings.slice(1).every((c) => c.align === 'right')).toBe(true);
    expect(table.rows.length).toBeGreaterThan(2);
    for (const row of table.rows) expect(row).toHaveLength(header.length);
    // The text table's pairs (the top ones; the tail is folded into "Other") sit at their cells of the pivot.
    const section = blocksOf(answer).find((b) => JSON.stringify(b).includes('By sign-up source × plan'));
    const pairs = [...String((section!.text as Json).text).matchAll(/^(\S+) · (\S+)\s+([\d,]+)/gm)];
    expect(pairs.length).toBeGreaterThan(3);
    for (const [, source, plan, value] of pairs) {
      const row = table.rows.find((r) => r[0]!.text === source)!;
      expect(row[header.indexOf(plan!)]!.text).toBe(value);
    }
  });

  it('distinct counts never fold a tail into "Other"', async () => {
    t = await startTestBot();
    const answer = await ask('weekly active users last 4 weeks by country');
    const [, area] = charts(answer);
    const names = (area!.chart as { series: Array<{ name: string }> }).series.map((s) => s.name);
    expect(names).not.toContain('Other');
    expect(names.length).toBeLessThanOrEqual(6);
  });

  it('a private answer that Slack rejects is sent again as text only, never as an upload', async () => {
    t = await startTestBot();
    const uploads = acceptUploads();
    // response_url refuses a payload with blocks Slack does not accept: HTTP 400 `invalid_blocks`.
    t.onResponseUrl((b) =>
      typesOf(b).some((x) => x === 'data_visualization' || x === 'table')
        ? { status: 400, body: 'invalid_blocks' }
        : { status: 200, body: 'ok' },
    );
    const req = slashCommand({ text: 'signups last 4 weeks by plan' });
    expect((await t.post(req)).status).toBe(200);
    await t.settle();
    const bodies = t.responses.map((r) => r.body);
    expect(bodies).toHaveLength(2);
    expect(typesOf(bodies[0])).toContain('data_visualization');
    expect(typesOf(bodies[1])).not.toContain('data_visualization');
    expect(typesOf(bodies[1])).not.toContain('table');
    expect(JSON.stringify(bodies[1])).toMatch(/```[\s\S]*free/); // the text table is still there
    expect(t.callsTo('files.getUploadURLExternal')).toHaveLength(0);
    expect(uploads).toHaveLength(0);
  });

  it('a shared answer that Slack rejects is posted as text plus a PNG chart in the channel, with alt text', async () => {
    t = await startTestBot();
    const answer = await ask('searches last 14 days');
    const uploads = acceptUploads();
    t.onSlackMethod('chat.postMessage', (b) => {
      const rejected = String(b.blocks ?? '').includes('data_visualization');
      return { body: rejected ? { ok: false, error: 'invalid_blocks' } : { ok: true, channel: b.channel, ts: '1.2' } };
    });
    await t.post(buttonClick({ actionId: 'share_answer', value: buttonValue(answer, 'share_answer')! }));
    await t.settle();
    const posts = t.callsTo('chat.postMessage');
    expect(posts).toHaveLength(2);
    expect(JSON.stringify(posts[1]!.body.blocks)).not.toContain('data_visualization');
    const [getUrl] = t.callsTo('files.getUploadURLExternal');
    expect(String(getUrl!.body.filename)).toMatch(/\.png$/);
    expect(String(getUrl!.body.alt_text)).toMatch(
      /^Line chart: Searches, last 14 days from \w+ \d+ to \w+ \d+\. Searches (rose|fell|stayed flat) from [\d,]+ to [\d,]+/,
    );
    const [complete] = t.callsTo('files.completeUploadExternal');
    expect(complete!.body.channel_id).toBe('C0ANALYTICS');
    expect(uploads).toHaveLength(1);
    // A multipart body carrying a PNG image (signature and header chunk).
    expect(uploads[0]!.toString('latin1')).toMatch(/PNG[\s\S]*IHDR/);
    expect(t.responses.at(-1)!.body).toEqual({ delete_original: true });
  });

  it('a thread answer that Slack rejects gets its PNG in the same thread', async () => {
    t = await startTestBot();
    const uploads = acceptUploads();
    t.onSlackMethod('chat.update', (b) =>
      String(b.blocks ?? '').includes('data_visualization')
        ? { body: { ok: false, error: 'invalid_blocks' } }
        : { body: { ok: true, channel: b.channel, ts: b.ts } },
    );
    const ts = '1764410000.000777';
    await t.post(
      eventEnvelope({
        type: 'app_mention',
        user: 'U0ASKER',
        text: '<@U0BOT> searches last 14 days',
        ts,
        channel: 'C0ANALYTICS',
      }),
    );
    await t.settle();
    expect(t.callsTo('chat.update')).toHaveLength(2);
    const [complete] = t.callsTo('files.completeUploadExternal');
    expect(complete!.body).toMatchObject({ channel_id: 'C0ANALYTICS', thread_ts: ts });
    expect(uploads).toHaveLength(1);
  });

  it('CHART_MODE=image sends no chart blocks: a shared answer gets the PNG, a private one only its text', async () => {
    t = await startTestBot({ env: { CHART_MODE: 'image' } });
    const uploads = acceptUploads();
    const answer = await ask('searches last 14 days');
    expect(charts(answer)).toHaveLength(0);
    expect(t.callsTo('files.getUploadURLExternal')).toHaveLength(0);
    await t.post(buttonClick({ actionId: 'share_answer', value: buttonValue(answer, 'share_answer')! }));
    await t.settle();
    const [post] = t.callsTo('chat.postMessage');
    expect(JSON.stringify(post!.body.blocks)).not.toContain('data_visualization');
    expect(uploads).toHaveLength(1);
  });

  it('CHART_MODE=off sends no chart blocks and no pictures, even when Slack rejects a block', async () => {
    t = await startTestBot({ env: { CHART_MODE: 'off' } });
    const uploads = acceptUploads();
    const answer = await ask('signups last 4 weeks by plan');
    expect(charts(answer)).toHaveLength(0);
    expect(typesOf(answer)).toContain('table');
    t.onSlackMethod('chat.postMessage', (b) => ({
      body: String(b.blocks ?? '').includes('"table"')
        ? { ok: false, error: 'invalid_blocks' }
        : { ok: true, ts: '1.3' },
    }));
    await t.post(buttonClick({ actionId: 'share_answer', value: buttonValue(answer, 'share_answer')! }));
    await t.settle();
    expect(t.callsTo('chat.postMessage')).toHaveLength(2);
    expect(uploads).toHaveLength(0);
  });
});
