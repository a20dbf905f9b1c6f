/**
 * Restricted metrics through the real app: a user-group grant is one person's, so it allows an answer only they see
 * (ephemeral, DM); anything posted where others read it (Share in channel, a reply to an @-mention in a channel)
 * needs the channel's own grant. Listings, suggestions and /metrics labels do not name restricted metrics to people
 * who cannot ask for them.
 */
import { blockNetwork, startTestBot, type TestBot } from '../helpers/harness.js';
import { buttonClick, eventEnvelope, slashCommand } from '../helpers/slack.js';

type Json = Record<string, unknown>;

const RESTRICTED = 'trial_conversion_rate';
const ALLOWED_CHANNEL = 'C0ANALYTICS';
const OTHER_CHANNEL = 'C0GENERAL';
const MEMBER = 'U0REVOPS';
const STRANGER = 'U0STRANGER';

const textOf = (body: Json | undefined) => JSON.stringify([body?.text, body?.blocks]);
const shareValue = (body: Json) =>
  ((body.blocks ?? []) as Array<{ type: string; elements?: Json[] }>)
    .flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []))
    .find((e) => e.action_id === 'share_answer')?.value as string | undefined;

describe('restricted metrics: who sees the number depends on where it is shown', () => {
  let t: TestBot;
  let seq = 0;
  beforeAll(() => blockNetwork());
  beforeEach(async () => {
    t = await startTestBot();
    // MEMBER belongs to the metric's user group (S0REVOPS); nobody else does.
    t.onSlackMethod('usergroups.users.list', (b) => ({
      body: { ok: true, users: b.usergroup === 'S0REVOPS' ? [MEMBER] : [] },
    }));
  });
  afterEach(async () => {
    expect(t.violations).toEqual([]);
    await t.stop();
  });

  async function ask(text: string, user: string, channel: string): Promise<Json> {
    const res = await t.post(slashCommand({ text, user_id: user, channel_id: channel }));
    expect(res.status).toBe(200);
    await t.settle();
    return t.responses.at(-1)!.body;
  }

  async function mention(text: string, user: string, channel: string) {
    const ts = `1764420000.${String(++seq).padStart(6, '0')}`;
    const event = channel.startsWith('D')
      ? { type: 'message', channel_type: 'im', channel, user, text, ts }
      : { type: 'app_mention', channel, user, text: `<@U0BOT> ${text}`, ts, event_ts: ts };
    expect((await t.post(eventEnvelope(event))).status).toBe(200);
    await t.settle();
  }

  const metrics = async () => (await fetch(`${t.url}/metrics`)).text();
  /** The number itself: a percentage with one decimal, as the metric is formatted. */
  const NUMBER = /\d+\.\d%/;

  it('a group member gets the number privately (slash command) in a channel without a grant', async () => {
    const answer = await ask('trial conversion last quarter', MEMBER, OTHER_CHANNEL);
    expect(answer.response_type).toBe('ephemeral');
    expect(textOf(answer)).toMatch(NUMBER);
  });

  it('"Share in channel" by a group member in a channel without a grant posts nothing', async () => {
    const answer = await ask('trial conversion last quarter', MEMBER, OTHER_CHANNEL);
    const value = shareValue(answer);
    expect(value).toBeDefined();
    t.calls.length = 0;
    await t.post(buttonClick({ actionId: 'share_answer', value, userId: MEMBER, channelId: OTHER_CHANNEL }));
    await t.settle();
    expect(t.callsTo('chat.postMessage')).toEqual([]);
    const reply = t.responses.at(-1)!.body;
    expect(textOf(reply)).toContain("won't post it here");
    expect(textOf(reply)).not.toMatch(NUMBER);
    expect(await metrics()).toMatch(/analytics_bot_refusals_total\{reason="restricted_destination"\} 1/);
  });

  it('"Share in channel" in a channel the rule allows is posted', async () => {
    const answer = await ask('trial conversion last quarter', STRANGER, ALLOWED_CHANNEL);
    const value = shareValue(answer);
    await t.post(buttonClick({ actionId: 'share_answer', value, userId: STRANGER, channelId: ALLOWED_CHANNEL }));
    await t.settle();
    const posted = t.callsTo('chat.postMessage');
    expect(posted).toHaveLength(1);
    expect(posted[0]!.body.channel).toBe(ALLOWED_CHANNEL);
    expect(textOf(posted[0]!.body)).toMatch(NUMBER);
  });

  it('an @-mention by a group member in a channel without a grant gets no number in the thread', async () => {
    await mention('trial conversion last quarter', MEMBER, OTHER_CHANNEL);
    const visible = [...t.callsTo('chat.postMessage'), ...t.callsTo('chat.update')];
    expect(visible.length).toBeGreaterThan(0);
    for (const c of visible) expect(textOf(c.body)).not.toMatch(NUMBER);
    expect(textOf(t.callsTo('chat.update').at(-1)!.body)).toContain("won't post it here");
  });

  it('the same group member asking in a DM gets the number', async () => {
    await mention('trial conversion last quarter', MEMBER, 'D0REVOPS');
    expect(textOf(t.callsTo('chat.update').at(-1)!.body)).toMatch(NUMBER);
  });

  it('an @-mention in a channel the rule allows is answered in the thread', async () => {
    await mention('trial conversion last quarter', STRANGER, ALLOWED_CHANNEL);
    expect(textOf(t.callsTo('chat.update').at(-1)!.body)).toMatch(NUMBER);
  });

  it('/metrics names a restricted metric "restricted", never by name', async () => {
    await ask('trial conversion last quarter', STRANGER, ALLOWED_CHANNEL);
    const text = await metrics();
    expect(text).toMatch(/analytics_bot_metric_answers_total\{metric="restricted",outcome="ok",cache="miss"\} 1/);
    expect(text).not.toContain(RESTRICTED);
  });

  it('/analytics list leaves the metric out for someone who cannot ask for it, and shows it to a member', async () => {
    await t.post(slashCommand({ text: 'list', user_id: STRANGER, channel_id: OTHER_CHANNEL }));
    await t.settle();
    const forStranger = textOf(t.responses.at(-1)!.body);
    expect(forStranger).toContain('weekly_active_users');
    expect(forStranger).not.toContain(RESTRICTED);
    expect(forStranger).not.toContain('Trial-to-paid');

    await t.post(slashCommand({ text: 'list', user_id: MEMBER, channel_id: OTHER_CHANNEL }));
    await t.settle();
    expect(textOf(t.responses.at(-1)!.body)).toContain(RESTRICTED);
  });

  it('"did you mean" suggestions leave the metric out for someone who cannot ask for it', async () => {
    const forStranger = await ask('trialz', STRANGER, OTHER_CHANNEL);
    expect(textOf(forStranger)).not.toContain('Trial-to-paid');
    const forMember = await ask('trialz', MEMBER, OTHER_CHANNEL);
    expect(textOf(forMember)).toContain('Trial-to-paid');
  });
});
