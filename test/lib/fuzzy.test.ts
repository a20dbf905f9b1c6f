import { bestSimilarity, editDistance, similarity, typoSimilarity } from '../../src/lib/fuzzy.js';

describe('fuzzy matching', () => {
  it('edit distance counts a transposition as one edit', () => {
    expect(editDistance('daily', 'dialy')).toBe(1);
    expect(editDistance('sessions', 'sesions')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
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
