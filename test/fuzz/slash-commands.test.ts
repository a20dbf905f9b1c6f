/**
 * Property-based, through the real app: `/analytics` with hostile text (a question, `watch …`, `alert …`,
 * `request …`) from a signed slash command. Every reply (the ack, response_url posts, Web API calls) is free of live
 * mentions and disguised links; the only live ones are the bot's own, from its records: the asker and the channel
 * the command was typed in.
 */
import fc from 'fast-check';
import { blockNetwork, startTestBot, type TestBot } from '../helpers/harness.js';
import { slashCommand } from '../helpers/slack.js';
import { hostileText, liveSequences } from './arbitraries.js';

/** Mentions the bot builds from trusted values: the asker, and the channel the command came from. */
const OURS = ['@U0ASKER', '#C0ANALYTICS'];

describe('property: /analytics with hostile text', () => {
  let t: TestBot;
  beforeAll(async () => {
    blockNetwork();
    // Many questions from one person in a few seconds: the rate limit is not under test here.
    t = await startTestBot({ env: { QUESTIONS_PER_MINUTE_PER_USER: '0' } });
  });
  afterAll(async () => {
    expect(t.violations).toEqual([]);
    await t.stop();
  });

  it('acks, answers and refuses without echoing a live mention or link', async () => {
    const prefix = fc.constantFrom(
      '',
      'signups last week ',
      'watch ',
      'watch signups ',
      'alert when ',
      'request ',
      'list ',
    );
    const suffix = fc.constantFrom('', ' daily', ' weekly dm', ' by plan');
    let replies = 0;
    await fc.assert(
      fc.asyncProperty(prefix, hostileText(200), suffix, async (p, text, s) => {
        t.calls.length = 0;
        t.responses.length = 0;
        const res = await t.post(slashCommand({ text: `${p}${text}${s}` }));
        expect(res.status).toBe(200);
        const ack = await res.text();
        await t.settle();
        expect(liveSequences(ack.startsWith('{') ? JSON.parse(ack) : ack, OURS)).toEqual([]);
        for (const r of t.responses) expect(liveSequences(r.body, OURS)).toEqual([]);
        for (const c of t.calls) expect(liveSequences(c.body, OURS)).toEqual([]);
        replies += t.responses.length + t.calls.length;
      }),
      { numRuns: 20 },
    );
    expect(replies).toBeGreaterThan(0);
  }, 90_000);
});
