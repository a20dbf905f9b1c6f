/**
 * Runs the real CLI in a pseudo-terminal (node-pty), as a person at a terminal would: input is echoed, Enter sends
 * a carriage return, Ctrl-C is a signal from the terminal, and the output is exactly what their screen receives.
 */
import path from 'node:path';
import { spawn } from 'node-pty';
import { ROOT } from './process.js';

export interface PtyRun {
  /** Everything written to the terminal so far, carriage returns removed. */
  output(): string;
  /** Output since the last `mark()`. */
  sinceMark(): string;
  mark(): void;
  /** Types a line and presses Enter. */
  type(line: string): void;
  /** Presses Ctrl-C. */
  interrupt(): void;
  /** Resolves once the output since the last mark matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ exitCode: number; signal?: number }>;
  kill(): void;
}

export function runInPty(args: string[], env: Record<string, string | undefined>): PtyRun {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), ...args], {
    name: 'xterm-256color',
    cols: 160,
    rows: 50,
    cwd: ROOT,
    // Only what we pass: no developer .env values leak into the run.
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TERM: 'xterm-256color',
      DOTENV_CONFIG_PATH: '/nonexistent/.env',
      ...env,
    } as Record<string, string>,
  });
  let out = '';
  let markAt = 0;
  const listeners = new Set<() => void>();
  child.onData((d) => {
    out += d.replace(/\r/g, '');
    for (const l of listeners) l();
  });
  const exited = new Promise<{ exitCode: number; signal?: number }>((resolve) => child.onExit(resolve));
  return {
    output: () => out,
    sinceMark: () => out.slice(markAt),
    mark() {
      markAt = out.length;
    },
    type(line) {
      child.write(`${line}\r`);
    },
    interrupt() {
      child.write('\x03');
    },
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.slice(markAt).match(pattern);
          if (m) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern}\n--- terminal since mark:\n${out.slice(markAt)}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    exited,
    kill: () => child.kill(),
  };
}
