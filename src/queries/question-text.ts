/**
 * What a question's text becomes before it is read: the same words however they were typed or pasted.
 *
 * - Compatibility forms fold to plain ones (NFKC): fullwidth "ｌａｓｔ ｗｅｅｋ", ligatures, no-break spaces.
 * - Invisible format characters (zero-width spaces and joiners, soft hyphens, byte-order marks, bidi controls)
 *   are removed, so "sea\u200brches" is "searches" and nothing hidden changes the reading.
 * - Slack emoji shortcodes (":pray:", ":+1::skin-tone-2:") carry no meaning for a metric and are dropped.
 * - Chat shorthand for the small words that hold dates together ("frm", "btwn") is spelled out, and a typo in a
 *   month, weekday or unit ("septmber", "last mnth") is read as the word, with a note saying so.
 */
import { editDistance } from '../lib/fuzzy.js';

/** Longer text is left as it is: the parser refuses it before any work. */
const MAX_NORMALISED = 2000;

const INVISIBLE = /\p{Cf}/gu;
/** ":pray:", ":+1:", ":skin-tone-2:"; never a clock time ("10:30:00"): a name has a letter in it. */
const SHORTCODE = /(?<![\p{L}\p{N}]):(?:[+-]1|(?=[\w+-]*[a-z])[\w+-]{1,60}):(?![\p{L}\p{N}])/giu;

export function normalizeQuestion(text: string): string {
  if (text.length > MAX_NORMALISED) return text;
  return text.replace(INVISIBLE, '').normalize('NFKC').replace(SHORTCODE, ' ');
}

const SHORTHAND: Record<string, string> = {
  frm: 'from',
  btwn: 'between',
  b4: 'before',
  prev: 'previous',
  tmrw: 'tomorrow',
  yest: 'yesterday',
};

/** Said anywhere: long enough that a near miss is not another everyday word. */
const NAMES = [
  'january',
  'february',
  'august',
  'september',
  'october',
  'november',
  'december',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
  'yesterday',
];
/** Comparison words: one edit at most, since "computed" is two from "compared". */
const COMPARE_WORDS = ['against', 'versus', 'compared'];
/** Only after a word that introduces a length of time ("last mnth", "past 3 wekks"). */
const UNITS = ['day', 'days', 'week', 'weeks', 'month', 'months', 'quarter', 'quarters', 'year', 'years'];
const UNIT_INTRO = /^(?:last|past|this|previous|prior|next|per|every|each|a|one|two|three|four|six|\d{1,3})$/;
/** Right as typed, though near a unit ("quarterly" is one edit from "quarters"). */
const CORRECT = new Set([
  ...NAMES,
  ...COMPARE_WORDS,
  ...UNITS,
  'daily',
  'weekly',
  'monthly',
  'quarterly',
  'yearly',
  'annually',
]);

interface DateWordFix {
  text: string;
  /** How near misses were read ("read “septmber” as september"). */
  corrections: string[];
}

/**
 * Spells out shorthand and reads near misses of date words as those words. `known` says whether a word means
 * something else to the parser (a metric, a value, filler), which is never rewritten. Distances are the ones the
 * parser uses for names (lib/fuzzy).
 */
export function correctDateWords(text: string, known: (word: string) => boolean): DateWordFix {
  const corrections: string[] = [];
  let previous = '';
  const out = text.replace(/[\p{L}\p{N}]+/gu, (typed) => {
    const w = typed.toLowerCase();
    const before = previous;
    previous = w;
    const short = SHORTHAND[w];
    if (short) {
      previous = short;
      return short;
    }
    if (w.length < 3 || CORRECT.has(w) || /\d/.test(w) || known(w)) return typed;
    const pool = w.length >= 5 ? NAMES : [];
    const units = UNIT_INTRO.test(before) ? UNITS : [];
    const allowed = w.length >= 8 ? 2 : 1;
    for (const word of [...pool, ...units, ...(w.length >= 5 ? COMPARE_WORDS : [])]) {
      const most = COMPARE_WORDS.includes(word) ? 1 : allowed;
      if (word[0] !== w[0]) continue;
      // "on Sundays" is every Sunday, not a near miss of one.
      if (w === `${word}s`) continue;
      if (editDistance(w, word, most) <= most) {
        corrections.push(`read “${typed}” as ${word}`);
        previous = word;
        return word;
      }
    }
    return typed;
  });
  return { text: out, corrections };
}
