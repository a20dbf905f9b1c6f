/**
 * Word-level fuzzy matching, shared by the question parser and the knowledge base: one edit distance, and the two
 * ways they turn it into a 0..1 score. Pure.
 */

/**
 * Optimal-string-alignment distance: one transposition ("dialy") costs one edit, like a substitution. With a
 * `limit`, any distance above it comes back as `limit + 1`, which spares most of the work for unlike words.
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  // A shared prefix or suffix never changes the distance, even with transpositions: trim both first.
  let start = 0;
  let endA = a.length;
  let endB = b.length;
  while (start < endA && start < endB && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  if (Math.abs(n - m) > limit) return limit + 1;
  if (n === 0 || m === 0) return Math.max(n, m);
  let prev2 = new Uint32Array(m + 1);
  let prev = new Uint32Array(m + 1);
  let cur = new Uint32Array(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    const ca = a.charCodeAt(start + i - 1);
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cb = b.charCodeAt(start + j - 1);
      let v = prev[j - 1]! + (ca === cb ? 0 : 1);
      const del = prev[j]! + 1;
      if (del < v) v = del;
      const ins = cur[j - 1]! + 1;
      if (ins < v) v = ins;
      if (i > 1 && j > 1 && ca === b.charCodeAt(start + j - 2) && a.charCodeAt(start + i - 2) === cb) {
        const swap = prev2[j - 2]! + 1;
        if (swap < v) v = swap;
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    // A row's smallest value never shrinks further down (a transposition reaches back two rows, at a cost of one).
    if (rowMin > limit) return limit + 1;
    const done = prev2;
    prev2 = prev;
    prev = cur;
    cur = done;
  }
  return prev[m]!;
}

/**
 * 1 - edit distance / length, so one typo in a long word still counts as the word. Scores below `atLeast` come back
 * as 0, without computing them exactly.
 */
export function similarity(a: string, b: string, atLeast = 0): number {
  if (a === b) return 1;
  const longest = Math.max(a.length, b.length);
  const limit = Math.floor((1 - atLeast) * longest + 1e-9);
  const d = editDistance(a, b, limit);
  return d > limit ? 0 : 1 - d / longest;
}

/** The best `similarity` of `word` to any of `among` (0 when empty, or when none reaches `atLeast`). */
export function bestSimilarity(word: string, among: readonly string[], atLeast = 0): number {
  let best = 0;
  for (const candidate of among) {
    const s = similarity(word, candidate, Math.max(atLeast, best));
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
  const d = editDistance(typed, word, allowed);
  return d <= allowed ? 1 - d / Math.max(typed.length, word.length) : 0;
}
