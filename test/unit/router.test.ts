import { anyOf, dispatch, type Route } from '../../src/handlers/router.js';

describe('handler router', () => {
  const seen: string[] = [];
  const routes: Array<Route<{ id: string }>> = [
    ['share_answer', async (a) => seen.push(`share:${a.id}`)],
    [/^ask_suggestion_\d+$/, async (a) => seen.push(`suggest:${a.id}`)],
    ['a.b', async (a) => seen.push(`dot:${a.id}`)],
  ];

  it('matches exactly the routed ids, escaping literal ids', () => {
    const re = anyOf(routes);
    expect(['share_answer', 'ask_suggestion_2', 'a.b'].every((id) => re.test(id))).toBe(true);
    expect(['share_answer_x', 'ask_suggestion_', 'axb', 'x_share_answer'].some((id) => re.test(id))).toBe(false);
  });

  it('dispatches to the handler for the id', async () => {
    const run = dispatch(routes, (a) => a.id);
    await run({ id: 'ask_suggestion_1' });
    await run({ id: 'share_answer' });
    await run({ id: 'unknown' });
    expect(seen).toEqual(['suggest:ask_suggestion_1', 'share:share_answer']);
  });
});
