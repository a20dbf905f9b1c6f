/**
 * Layering: the GitHub adapters and the request domain never depend on Slack views, so a change to a message or a
 * modal cannot reach filing or the tracker.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SRC = new URL('../../src', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sourceFiles(file) : file.endsWith('.ts') ? [file] : [];
  });
}

/** The src/ directories (first segment) a file imports from, static and dynamic imports alike. */
function importedLayers(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((i) => i.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep)[0]!);
}

/** The filer still posts the views' messages (filed, saved, announced) itself. The list only ever shrinks. */
const STILL_SPEAKING_SLACK = new Set(['requests/filer.ts']);

describe('layers', () => {
  it.each(['github', 'requests'])('src/%s imports nothing from src/views', (layer) => {
    const offenders = sourceFiles(path.join(SRC, layer))
      .map((file) => path.relative(SRC, file))
      .filter((rel) => !STILL_SPEAKING_SLACK.has(rel))
      .filter((rel) => importedLayers(path.join(SRC, rel)).includes('views'));
    expect(offenders).toEqual([]);
  });

  it.each([...STILL_SPEAKING_SLACK])('%s still imports views (else it leaves the list)', (rel) => {
    expect(importedLayers(path.join(SRC, rel))).toContain('views');
  });
});
