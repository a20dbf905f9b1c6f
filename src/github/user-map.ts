/** GITHUB_USER_MAP: a YAML mapping of GitHub logins to Slack user IDs, for issues people file by hand. */
import { z } from 'zod';
import { type FileProblem, parseYamlWith, readYamlFile, YamlFileError } from '../lib/yaml-file.js';

const schema = z
  .record(
    z.string().regex(/^[A-Za-z0-9-]{1,39}$/, 'expected a GitHub login'),
    z.string().regex(/^[UW][A-Z0-9]+$/, 'expected a Slack user ID like U0123ABCD'),
  )
  .nullable();

class UserMapError extends YamlFileError {
  override readonly name = 'UserMapError';
  constructor(file: string, problems: FileProblem[]) {
    super('GITHUB_USER_MAP', file, problems);
  }
}

const fail = (file: string, problems: FileProblem[]) => new UserMapError(file, problems);

/** Logins are lower-cased: GitHub logins are case-insensitive. */
export function loadUserMap(file: string | undefined): Record<string, string> {
  if (!file) return {};
  const map = parseYamlWith(readYamlFile(file, fail), file, {
    schema,
    describe: (_raw, path) => path.map(String).join('.') || 'file',
    fail,
  });
  return Object.fromEntries(Object.entries(map ?? {}).map(([login, id]) => [login.toLowerCase(), id]));
}
