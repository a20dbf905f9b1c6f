/**
 * Repository hygiene that protects secrets and permissions: local env files stay out of git, and the Slack manifest
 * asks for no scope the code does not use.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const ROOT = new URL('../..', import.meta.url).pathname;

const ignored = (file: string) => {
  try {
    execFileSync('git', ['check-ignore', '-q', '--no-index', file], { cwd: ROOT });
    return true;
  } catch {
    return false;
  }
};

function sourceText(dir = path.join(ROOT, 'src')): string {
  return readdirSync(dir)
    .map((name) => path.join(dir, name))
    .map((file) => (statSync(file).isDirectory() ? sourceText(file) : readFileSync(file, 'utf8')))
    .join('\n');
}

describe('repository hygiene', () => {
  it('.gitignore keeps every .env variant out of git but tracks .env.example', () => {
    for (const file of ['.env', '.env.local', '.env.production', '.env.development.local']) {
      expect([file, ignored(file)]).toEqual([file, true]);
    }
    expect(ignored('.env.example')).toBe(false);
  });

  it('manifest.yml requests only scopes the code uses', () => {
    const manifest = parse(readFileSync(path.join(ROOT, 'manifest.yml'), 'utf8')) as {
      oauth_config: { scopes: { bot: string[] } };
    };
    const scopes = manifest.oauth_config.scopes.bot;
    // Console code only prints what the real Slack would show; it is not a reason to hold a scope.
    const code = sourceText().replace(/^.*console.*$/gm, '');
    const evidence: Record<string, RegExp> = {
      commands: /app\.command\(/,
      'chat:write': /chat\.postMessage\(/,
      'app_mentions:read': /'app_mention'/,
      'im:history': /'message'/,
      'users:read': /users\s*\.info\(/,
      'users:read.email': /users\.lookupByEmail\(/,
      'channels:history': /conversations\.history\(/,
      'files:read': /type: 'file_input'/,
      'files:write': /files\.uploadV2\(/,
      'usergroups:read': /usergroups\.users\.list\(/,
      'reactions:write': /reactions\.add\(/,
      'im:write': /conversations\.open\(/,
      'channels:read': /conversations\.info\(/,
    };
    for (const scope of scopes) {
      expect([scope, scope in evidence && evidence[scope]!.test(code)]).toEqual([scope, true]);
    }
    expect(scopes).not.toContain('reactions:write');
    // And the other way round: a Web API method the code calls has the scope it needs, or Slack answers missing_scope.
    for (const [scope, used] of Object.entries(evidence)) {
      if (used.test(code)) expect([scope, scopes.includes(scope)]).toEqual([scope, true]);
    }
  });
});
