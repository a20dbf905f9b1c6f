/**
 * Hostile text as Slack or GitHub would deliver it: every control sequence that would ping people or disguise a link
 * if the bot echoed it unescaped. `expectInert` checks that nothing the bot sent contains one of them live.
 */

export const HOSTILE =
  '<!channel> <!here> <!everyone> <!subteam^S0EVIL|@oncall> <@UEVIL> <#CEVIL|general> <http://evil.example|Trusted docs> & co';

/** The live forms of HOSTILE's sequences; none may appear in anything the bot sends. */
export const LIVE_SEQUENCES = [
  /<!channel/,
  /<!here/,
  /<!everyone/,
  /<!subteam/,
  /<@UEVIL/,
  /<#CEVIL/,
  /<https?:\/\/evil/,
];

/**
 * Every string Slack renders in a payload: the `text` of the message and of each text object. Button values and
 * input initial values are data Slack does not parse for mentions, so they are left out.
 */
export function renderedText(payload: unknown, key = 'text'): string[] {
  if (typeof payload === 'string') return key === 'text' ? [payload] : [];
  if (Array.isArray(payload)) return payload.flatMap((p) => renderedText(p, key));
  if (payload && typeof payload === 'object') {
    return Object.entries(payload).flatMap(([k, v]) =>
      k === 'text' || typeof v === 'object' ? renderedText(v, k) : [],
    );
  }
  return [];
}

/** Every live mention or disguised link from HOSTILE found in what Slack would render of a payload. */
export function liveSequences(payload: unknown): string[] {
  const text = renderedText(payload).join('\n');
  return LIVE_SEQUENCES.filter((re) => re.test(text)).map((re) => re.source);
}

export function expectInert(payload: unknown): void {
  expect(liveSequences(payload)).toEqual([]);
}
