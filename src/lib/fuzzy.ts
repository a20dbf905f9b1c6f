/**
 * Word-level fuzzy matching, shared by the question parser and the knowledge base: one edit distance, and the two
 * ways they turn it into a 0..1 score. Pure.
 */

/** Optimal-string-alignment distance: one transposition ("dialy") costs one edit, like a substitution. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return Math.max(n, m);
  let prev2 = new Uint32Array(m + 1);
  let prev = Uint32Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Uint32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}

/** 1 - edit distance / length, so one typo in a long word still counts as the word. */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  return 1 - editDistance(a, b) / Math.max(a.length, b.length);
}

/** The best `similarity` of `word` to any of `among` (0 when empty). */
export function bestSimilarity(word: string, among: readonly string[]): number {
  let best = 0;
  for (const candidate of among) {
    const s = similarity(word, candidate);
    if (s > best) best = s;
    if (best === 1) break;
  }
  return best;
}

/**
 * "mktg" for "marketing", "mgmt" for "management": the first letter, then only consonants of the word in order,
 * at least half of them.
 */
function isConsonantAbbreviation(typed: string, word: string): boolean {
  if (typed[0] !== word[0] || /[aeiouy\d]/.test(typed.slice(1))) return false;
  let at = 1;
  for (const c of typed.slice(1)) {
    at = word.indexOf(c, at) + 1;
    if (at === 0) return false;
  }
  return typed.length * 2 >= word.replace(/[aeiouy]/g, '').length;
}

/**
 * How alike a typed word is to a known one, 0..1, for names people abbreviate: a prefix of three letters or more
 * scores 0.86 ("conv" for "conversion"), a consonant abbreviation 0.8 ("mktg"); otherwise one typo (two from eight
 * letters on) in words of four letters or more, and nothing else.
 */
export function typoSimilarity(typed: string, word: string): number {
  if (typed === word) return 1;
  if (typed.length >= 3 && word.startsWith(typed)) return 0.86;
  if (typed.length < 4 || word.length < 4) return 0;
  if (isConsonantAbbreviation(typed, word)) return 0.8;
  const allowed = typed.length >= 8 ? 2 : 1;
  // The distance is at least the difference in length: skip the table when that alone is too much.
  if (Math.abs(typed.length - word.length) > allowed) return 0;
  const d = editDistance(typed, word);
  return d <= allowed ? 1 - d / Math.max(typed.length, word.length) : 0;
}
