import { z } from 'zod';
import { parseKnowledge } from '../../src/knowledge/knowledge.js';
import { type FileProblem, parseYamlWith, YamlFileError } from '../../src/lib/yaml-file.js';
import { parseCatalog } from '../../src/queries/catalog.js';

const schema = z.object({ items: z.array(z.object({ name: z.string(), size: z.number() }).strict()) }).strict();

function rejection(text: string): YamlFileError {
  try {
    parseYamlWith(text, 'things.yml', {
      schema,
      describe: (_raw, path) => path.map(String).join('.') || 'file',
      more: () => [{ path: ['items', 0, 'name'], message: 'taken' }],
      fail: (file: string, found: FileProblem[]) => new YamlFileError('Things file', file, found),
    });
  } catch (error) {
    return error as YamlFileError;
  }
  throw new Error('expected a rejection');
}

describe('YAML files read against a schema', () => {
  it('reports every problem at once with its field and line', () => {
    const error = rejection('items:\n  - name: a\n    size: big\n  - name: b\n    colour: red\n');
    expect(error.found).toEqual([
      { field: 'items.0.size', message: expect.any(String), line: 3 },
      // A missing field is placed on its parent's line.
      { field: 'items.1.size', message: expect.any(String), line: 4 },
      { field: 'items.1.colour', message: 'unknown field', line: 5 },
      { field: 'items.0.name', message: 'taken', line: 2 },
    ]);
    expect(error.message).toMatch(/^Things file things\.yml is invalid:\n {2}- items\.0\.size: .* \(line 3\)\n/);
    expect(error.problems[2]).toBe('items.1.colour: unknown field');
  });

  it('reports broken YAML as one problem', () => {
    expect(rejection('items: [\n  - {').problems).toEqual([expect.stringMatching(/^not valid YAML: .*line \d+/)]);
  });

  it('the catalog and the knowledge file both name the line of a bad field', () => {
    const catalog = 'version: 1\nsources: {}\nmetrics:\n  - name: signups\n    sql: SELECT 1\n';
    expect(() => parseCatalog(catalog, 'metrics.yml')).toThrow(/metric "signups"\.sql: unknown field \(line 5\)/);
    const knowledge = 'version: 1\ntopics:\n  - id: Bad-Id\n';
    expect(() => parseKnowledge(knowledge, 'knowledge.yml')).toThrow(/topic "Bad-Id"\.id: .* \(line 3\)/);
  });
});
