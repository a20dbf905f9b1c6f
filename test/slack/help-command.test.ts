import { escapeMrkdwn } from '../../src/views/escape.js';
import { SUBCOMMANDS } from '../../src/views/help.js';
import { type TestBot, useTestBot } from '../helpers/harness.js';
import { slashCommand } from '../helpers/slack.js';

describe('/analytics help', () => {
  let t: TestBot;
  useTestBot((bot) => {
    t = bot;
  });

  it.each(['help', '', '  HELP  '])('answers %j ephemerally with every subcommand', async (text) => {
    const res = await t.post(slashCommand({ text }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { response_type: string; text: string; blocks: unknown[] };
    expect(body.response_type).toBe('ephemeral');
    // Placeholders like <question> are escaped: raw, Slack would read them as links.
    for (const s of SUBCOMMANDS) expect(JSON.stringify(body.blocks)).toContain(escapeMrkdwn(s.usage));
    expect(body.text).toContain('/analytics help');
  });
});
