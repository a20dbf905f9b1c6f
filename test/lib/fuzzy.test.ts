import { bestSimilarity, editDistance, similarity, typoSimilarity } from '../../src/lib/fuzzy.js';

describe('fuzzy matching', () => {
  it('edit distance counts a transposition as one edit', () => {
    expect(editDistance('daily', 'dialy')).toBe(1);
    expect(editDistance('sessions', 'sesions')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('edit distance agrees with the full table when words share a prefix or suffix', () => {
    // A plain table, no trimming: the reference.
    const reference = (a: string, b: string): number => {
      const d = Array.from({ length: a.length + 1 }, (_, i) =>
        Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
      );
      for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++) {
          d[i]![j] = Math.min(
            d[i - 1]![j]! + 1,
            d[i]![j - 1]! + 1,
            d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
          );
          if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
            d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
        }
      return d[a.length]![b.length]!;
    };
    const words = [
      'signups',
      'singups',
      'sign',
      'signupss',
      'ssignups',
      'dashboard',
      'dashbaord',
      'abab',
      'baba',
      'aab',
      'aba',
      'x',
      '',
    ];
    for (const a of words) for (const b of words) expect([a, b, editDistance(a, b)]).toEqual([a, b, reference(a, b)]);
  });

  it('similarity is one minus the distance over the longer word', () => {
    expect(similarity('query', 'querys')).toBeCloseTo(1 - 1 / 6);
    expect(bestSimilarity('dashbord', ['looker', 'dashboard'])).toBeCloseTo(1 - 1 / 9);
    expect(bestSimilarity('x', [])).toBe(0);
  });

  it('typo similarity takes prefixes and one or two typos, nothing looser', () => {
    expect(typoSimilarity('conv', 'conversion')).toBe(0.86);
    expect(typoSimilarity('dialy', 'daily')).toBeCloseTo(0.8);
    expect(typoSimilarity('abc', 'xbc')).toBe(0);
    expect(typoSimilarity('conversoins', 'conversions')).toBeCloseTo(1 - 1 / 11);
    expect(typoSimilarity('signup', 'signups-by-country')).toBe(0.86);
    expect(typoSimilarity('signupz', 'signupsbycountry')).toBe(0);
  });
});
