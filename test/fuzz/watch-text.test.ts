/**
 * Property: whatever someone types into `/analytics watch …` or `/analytics alert …`, the grammar never throws, and
 * nothing the bot shows about a watch (refusals, confirmation, listings, App Home, DMs to its creator) turns that
 * text into a mention or a link.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import type { WatchRow } from '../../src/store/watch-store.js';
import {
  homeWatchBlocks,
  watchListMessage,
  watchNoticeMessage,
  watchPausedNotice,
  watchPostMessage,
  watchSavedMessage,
  watchSkippedNotice,
} from '../../src/views/watches.js';
import { parseAlert, parseWatch } from '../../src/watches/grammar.js';
import { hostileText, liveSequences } from './arbitraries.js';

/** What the bot itself mentions or links: the creator and the destination, from its own records. */
const ALLOWED = ['@U0ASKER', '#C0ANALYTICS'];
const NOW = new Date('2026-11-29T10:00:00Z');
const RUNS = { numRuns: 150 };
const expectInert = (payload: unknown) => expect(liveSequences(payload, ALLOWED)).toEqual([]);

function row(text: string, kind: 'watch' | 'alert', paused: boolean): WatchRow {
  return {
    id: 'w0123456789ab',
    kind,
    status: paused ? 'paused' : 'active',
    creator: 'U0ASKER',
    createdIn: 'C0ANALYTICS',
    destination: 'C0ANALYTICS',
    spec: {
      text,
      question: text,
      schedule: { every: 'weekly', weekday: 1, hour: 9, minute: 0, timezone: 'UTC' },
      destination: 'here',
      ...(kind === 'alert' ? { condition: { type: 'anomaly', sensitivity: 'medium' } as const } : {}),
    },
    activeSince: NOW.getTime(),
    snoozedUntil: null,
    pauseReason: paused ? text : null,
    createdAt: NOW.getTime(),
    updatedAt: NOW.getTime(),
  };
}

describe('property: watch and alert text', () => {
  it('the grammar never throws, and its refusals echo nothing live', () => {
    let refused = 0;
    fc.assert(
      fc.property(
        hostileText(),
        fc.constantFrom('', ' daily', ' weekly at 9:00 dm', ' drop more than 20% week over week'),
        (text, tail) => {
          for (const parsed of [parseWatch(`${text}${tail}`), parseAlert(`when ${text}${tail}`)]) {
            if (parsed.ok) continue;
            refused++;
            expectInert(watchNoticeMessage(parsed.error));
          }
        },
      ),
      RUNS,
    );
    expect(refused).toBeGreaterThan(0);
  });

  it('listings, App Home, saved and creator notices keep typed text inert', () => {
    const next = () => DateTime.fromJSDate(NOW, { zone: 'UTC' });
    fc.assert(
      fc.property(
        hostileText(),
        fc.constantFrom('watch', 'alert') as fc.Arbitrary<'watch' | 'alert'>,
        fc.boolean(),
        (text, kind, paused) => {
          const r = row(text, kind, paused);
          expectInert(watchListMessage([r], NOW, next));
          expectInert(homeWatchBlocks([r], NOW, next));
          expectInert(watchSavedMessage(r, next()));
          expectInert(watchPausedNotice(r, text));
          expectInert(watchSkippedNotice(r, text));
          expectInert(watchPostMessage({ text: 'Searches', blocks: [] }, r));
        },
      ),
      RUNS,
    );
  });
});
