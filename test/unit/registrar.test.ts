import type { App } from '@slack/bolt';
import { type ActionArgs, actionRegistrar } from '../../src/handlers/registrar.js';
import { buttonId, buttonPattern } from '../../src/views/ids.js';

/** Captures the one listener the registrar gives Bolt, so ids can be dispatched without a server. */
function capture() {
  let listener: ((args: ActionArgs) => Promise<void>) | undefined;
  const action = (_: unknown, l: typeof listener) => {
    listener = l;
  };
  const app = { action } as unknown as App;
  const run = (id: string) => listener!({ action: { action_id: id } } as unknown as ActionArgs);
  return { app, run };
}

describe('handler registrar', () => {
  it('dispatches exact ids before families, and leaves unknown ids alone', async () => {
    const { app, run } = capture();
    const seen: string[] = [];
    const actions = actionRegistrar(app);
    actions.on(buttonPattern(/^ask_suggestion_\d+$/), async (a) => seen.push(`suggest:${a.action.action_id}`));
    actions.on(buttonId('ask_suggestion_9'), async () => seen.push('exact'));
    actions.on(buttonId('a.b'), async () => seen.push('dot'));
    for (const id of ['ask_suggestion_1', 'ask_suggestion_9', 'a.b', 'axb', 'ask_suggestion_', 'unknown'])
      await run(id);
    expect(seen).toEqual(['suggest:ask_suggestion_1', 'exact', 'dot']);
  });

  it('refuses two handlers for one id', () => {
    const actions = actionRegistrar(capture().app);
    actions.on(buttonId('share_answer'), async () => {});
    expect(() => actions.on(buttonId('share_answer'), async () => {})).toThrow(/two handlers/);
  });
});
