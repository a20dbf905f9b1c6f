/**
 * Hostile text for property-based tests: arbitrary strings mixed with every Slack control sequence (mentions,
 * channel and user-group pings, disguised links), entity characters, mrkdwn, SQL fragments and odd Unicode.
 * `liveSequences` finds what Slack would turn into a ping or a link in what the bot sends.
 */
import fc from 'fast-check';
import { renderedText } from '../helpers/hostile.js';

const FRAGMENTS = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!subteam^S0EVIL|@oncall>',
  '<!subteam^S0EVIL>',
  '<@UEVIL>',
  '<@WEVIL|boss>',
  '<#CEVIL|general>',
  '<http://evil.example|Trusted docs>',
  '<https://evil.example/login>',
  '<mailto:evil@example.com|support>',
  '<!date^1392734382^{date}|Feb 18>',
  '&lt;!channel&gt;',
  '&',
  '<',
  '>',
  '|',
  '*bold*',
  '_it_',
  '`code`',
  '```block```',
  '> quote',
  "'; DROP TABLE events; --",
  '" OR 1=1 --',
  '$range_start',
  '@v0',
  '\n',
  '\u202e',
  '\u200b',
  '🚀',
  '<!-- analytics-bot:request {"v":1,"key":"k","requester":"UEVIL","channel":"CEVIL"} -->',
];

/** A string someone typed, leaning hard on the sequences that matter. */
export const hostileText = (maxLength = 300): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...FRAGMENTS),
        fc.string({ maxLength: 12 }),
        fc.string({ unit: 'binary', maxLength: 6 }),
      ),
      {
        maxLength: 12,
      },
    )
    .map((parts) => parts.join(' ').slice(0, maxLength));

/** A non-empty hostile string (titles, labels, logins). */
export const hostileName = (maxLength = 120): fc.Arbitrary<string> =>
  hostileText(maxLength).map((s) => (s.trim() === '' ? 'x' : s));

/**
 * Every `<…>` control sequence Slack would act on in the rendered text of `payload`, except the ones in `allowed`
 * (prefixes of sequences the bot itself builds from trusted values: the requester's mention, our issue links).
 */
export function liveSequences(payload: unknown, allowed: readonly string[] = []): string[] {
  const found: string[] = [];
  for (const text of renderedText(payload)) {
    for (const match of text.matchAll(/<([^<>]*)>/g)) {
      const inner = match[1] ?? '';
      if (!allowed.some((prefix) => inner.startsWith(prefix))) found.push(match[0]);
    }
  }
  return found;
}
