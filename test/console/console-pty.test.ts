/**
 * The local console in a real pseudo-terminal, as a new user meets it after `npm start` with no credentials: help,
 * a metric, a request filed on the embedded board with one validation error corrected, the digest showing it, a
 * status change that notifies the requester, Ctrl-C closing a form but not the console, and a clean exit.
 */
import { tempDir } from '../helpers/config.js';
import { type PtyRun, runInPty } from '../helpers/pty.js';

/** Anything a terminal would interpret, other than newlines and tabs (echoed ^C is printed as two plain characters). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

describe('the local console in a terminal', () => {
  let run: PtyRun;
  afterEach(() => run?.kill());

  it('runs every job of the bot on the embedded board, readably', async () => {
    run = runInPty([], { DATA_DIR: tempDir(), PORT: '0', DIGEST_CRON: '0 9 * * *' });
    await run.waitFor(
      /GitHub: +none set, so requests go to the embedded local board \(.*local-board\.sqlite, 40 requests\)/,
    );
    await run.waitFor(/\n> $/);

    // Help: as Slack shows it, no raw formatting marks; buttons as numbered choices.
    run.mark();
    run.type('/analytics help');
    await run.waitFor(/only visible to you[\s\S]*\/analytics list[\s\S]*└─/);
    expect(run.sinceMark()).toMatch(/\[\d+\] Request data/);
    expect(run.sinceMark()).not.toMatch(/(^|\s)\*\w/m);

    // A metric.
    run.mark();
    run.type('/analytics signups per day last 7 days');
    await run.waitFor(/🔍 New sign-ups · [\s\S]*daily, [\s\S]*└─/, 60_000);
    expect(run.sinceMark()).not.toMatch(/dayly|no comparison/);
    expect(run.sinceMark()).not.toMatch(/(^|\s)[*_]\w/m);
    // Its chart in words, and drawn as a PNG under DATA_DIR/charts/ with the path printed.
    expect(run.sinceMark()).toMatch(/📊 Line chart: New sign-ups, last 7 days/);
    await run.waitFor(/chart image: \S+\/charts\/\S+\.png/, 30_000);

    // A request with a date in the past: only that field is asked again, with its error; the rest is kept.
    run.mark();
    run.type('/analytics request Churn by plan');
    await run.waitFor(/Request title \[Enter keeps: Churn by plan\][^\n]*: $/);
    run.type('');
    await run.waitFor(/Why do you need it\?: $/);
    run.type('For the QBR');
    await run.waitFor(/look like\?: $/);
    run.type('A table by plan');
    await run.waitFor(/Sketch[^\n]*: $/);
    run.type('');
    await run.waitFor(/When do you need it by\? \[YYYY-MM-DD\]: $/);
    run.type('2001-01-31');
    await run.waitFor(/\[number\]: $/);
    run.type('2');
    await run.waitFor(/Links[^\n]*: $/);
    run.type('');
    await run.waitFor(/Stakeholders[^\n]*: $/);
    run.type('');
    await run.waitFor(/Data sources[^\n]*: $/);
    run.mark();
    run.type('1');
    await run.waitFor(/When do you need it by\? \[YYYY-MM-DD\] ⚠ That date is in the past[^\n]*: $/);
    expect(run.sinceMark()).toContain('one answer needs fixing; the others are kept');
    expect(run.sinceMark()).not.toMatch(/Request title|Why do you need it/);
    run.type('2099-01-31');
    await run.waitFor(/filed as #41 Churn by plan \(http:[^)]*\/board\/41\) on the local board/);
    // The announcement names the requester, as Slack shows a mention (a name, not an id).
    await run.waitFor(/New data request from @(?!U0LOCAL)[\w.-]+: #41 Churn by plan/);
    await run.waitFor(/\n> $/);

    // The digest shows it as new.
    run.mark();
    run.type('/analytics digest');
    await run.waitFor(/New since the last digest \(\d+\)\n(│ [^\n]*\n)*│ • #41 Churn by plan/);

    // A status change on the board: the requester hears about it, through the same notifier as webhooks.
    run.mark();
    run.type(':status 41 Done');
    await run.waitFor(/\(local board\) #41 moved to Done\./);
    await run.waitFor(/analytics-bot in DM\n│ 🗂️ #41 Churn by plan \([^)]*\) moved to Done on the board\./);
    await run.waitFor(/\n> $/);

    // Ctrl-C inside a form closes the form; the console goes on.
    run.mark();
    run.type('/analytics request Another one');
    await run.waitFor(/Request title[^\n]*: $/);
    run.interrupt();
    await run.waitFor(/form closed; nothing was sent/);
    expect(run.sinceMark()).toMatch(/: \^C\n└─ form closed/);
    await run.waitFor(/\n> $/);
    // So does typing exit in a form.
    run.mark();
    run.type('/analytics request Yet another');
    await run.waitFor(/Request title[^\n]*: $/);
    run.type('exit');
    await run.waitFor(/form closed; nothing was sent\n[\s\S]*> $/);
    run.mark();
    run.type('/analytics list');
    await run.waitFor(/only visible to you[\s\S]*└─\n\n> $/);

    // `exit` quits, leaving nothing a terminal would interpret.
    run.type('exit');
    expect((await run.exited).exitCode).toBe(0);
    expect(run.output()).toMatch(/\nbye\n$/);
    expect(run.output()).not.toMatch(CONTROL);
  }, 180_000);

  it('quits on Ctrl-C at its own prompt, with the cursor on a fresh line', async () => {
    run = runInPty([], { DATA_DIR: tempDir(), PORT: '0' });
    await run.waitFor(/\n> $/);
    run.interrupt();
    expect((await run.exited).exitCode).toBe(0);
    expect(run.output()).toMatch(/\n> (\^C)?\nbye\n$/);
  }, 60_000);
});
