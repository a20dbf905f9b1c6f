/**
 * The console's board commands: move a request on the local board the way a teammate would on GitHub, and the bot
 * reacts through the same notifier as for GitHub webhooks (a note in the request's thread, a DM when closed or done).
 */
import type { LocalBoard } from '../local-board/local-board.js';
import { LocalBoardError } from '../local-board/local-board.js';
import type { RequestChange, RequestNotifier } from '../requests/notifier.js';
import type { RequestOutbox } from '../store/request-outbox.js';

export interface BoardCommandDeps {
  board: LocalBoard;
  notifier: RequestNotifier;
  outbox: RequestOutbox;
  /** The GitHub-style login the console acts as. */
  actor: string;
}

export const BOARD_COMMANDS_HELP = [
  'Board commands (the local board, as a teammate would move a request on GitHub):',
  '  :status 42 In progress    move #42 to a status (Triage, Backlog, In progress, In review, Done)',
  '  :assign 42 login          assign someone',
  '  :comment 42 text          comment',
  '  :close 42                 close (":close 42 not planned" to close as not planned)',
  '  :reopen 42                reopen',
].join('\n');

const USAGE: Record<string, string> = {
  status: 'Usage: :status 42 In progress',
  assign: 'Usage: :assign 42 login',
  comment: 'Usage: :comment 42 what you want to say',
  close: 'Usage: :close 42 (or :close 42 not planned)',
  reopen: 'Usage: :reopen 42',
};

/** Runs one ':' line; `print` shows the board's answer before the bot's reactions arrive. */
export function boardCommands(deps: BoardCommandDeps): (line: string, print: (text: string) => void) => Promise<void> {
  const { board } = deps;

  /** Applies the command; returns what changed (null when nothing did) and a line for the console. */
  function apply(verb: string, number: number, rest: string): { change: RequestChange | null; said: string } {
    switch (verb) {
      case 'status': {
        const { status, changed } = board.setStatus(number, rest);
        return changed
          ? { change: { kind: 'status', status }, said: `#${number} moved to ${status}.` }
          : { change: null, said: `#${number} is already in ${status}.` };
      }
      case 'assign': {
        const added = board.assign(number, rest);
        return added
          ? { change: { kind: 'assigned', assignee: rest }, said: `${rest} is now assigned to #${number}.` }
          : { change: null, said: `${rest} was already assigned to #${number}.` };
      }
      case 'comment':
        board.comment(number, deps.actor, rest);
        return { change: { kind: 'commented', author: deps.actor, body: rest }, said: `Commented on #${number}.` };
      case 'close': {
        const notPlanned = /^not[ _-]?planned$/i.test(rest);
        if (rest && !notPlanned) throw new LocalBoardError(USAGE.close!);
        return board.close(number, { notPlanned })
          ? {
              change: { kind: 'closed', by: deps.actor, notPlanned },
              said: `#${number} closed${notPlanned ? ' as not planned' : ''}.`,
            }
          : { change: null, said: `#${number} was already closed.` };
      }
      case 'reopen':
        return board.reopen(number)
          ? { change: { kind: 'reopened' }, said: `#${number} reopened.` }
          : { change: null, said: `#${number} is open already.` };
      default:
        throw new LocalBoardError(`Unknown board command ":${verb}".\n${BOARD_COMMANDS_HELP}`);
    }
  }

  return async (line, print) => {
    const m = /^:(\w+)(?:\s+#?(\d+))?(?:\s+([\s\S]*))?$/.exec(line.trim());
    const verb = m?.[1]?.toLowerCase() ?? '';
    if (!m || verb === 'help' || verb === 'board') return print(BOARD_COMMANDS_HELP);
    const number = Number(m[2]);
    const rest = (m[3] ?? '').trim();
    const needsText = verb === 'status' || verb === 'assign' || verb === 'comment';
    if (!m[2] || (needsText && !rest))
      return print(USAGE[verb] ?? `Unknown board command ":${verb}".\n${BOARD_COMMANDS_HELP}`);

    let result: ReturnType<typeof apply>;
    try {
      result = apply(verb, number, rest);
    } catch (error) {
      if (error instanceof LocalBoardError) return print(`(local board) ${error.message}`);
      throw error;
    }
    print(`(local board) ${result.said}`);
    if (!result.change) return;

    const issue = board.get(number)!;
    const row = issue.requestKey ? deps.outbox.get(issue.requestKey) : undefined;
    if (row?.status !== 'filed') {
      return print(`(local board) #${number} was not filed through the bot, so there is nobody to tell.`);
    }
    await deps.notifier.notify({
      ref: { number, title: issue.issue.title, url: issue.issue.url },
      dest: deps.notifier.destinationOf(row),
      key: row.key,
      change: result.change,
    });
  };
}
