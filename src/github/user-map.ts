/** GITHUB_USER_MAP: a YAML mapping of GitHub logins to Slack user IDs, for issues people file by hand (#7). */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

const schema = z.record(
  z.string().regex(/^[A-Za-z0-9-]{1,39}$/, 'expected a GitHub login'),
  z.string().regex(/^[UW][A-Z0-9]+$/, 'expected a Slack user ID like U0123ABCD'),
);

export class UserMapError extends Error {
  override readonly name = 'UserMapError';
}

/** Logins are lower-cased: GitHub logins are case-insensitive. */
export function loadUserMap(file: string | undefined): Record<string, string> {
  if (!file) return {};
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8')) ?? {};
  } catch (error) {
    throw new UserMapError(`GITHUB_USER_MAP ${file}: cannot read it (${(error as Error).message.split('\n')[0]})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ');
    throw new UserMapError(`GITHUB_USER_MAP ${file}: ${problems}`);
  }
  return Object.fromEntries(Object.entries(parsed.data).map(([login, id]) => [login.toLowerCase(), id]));
}
