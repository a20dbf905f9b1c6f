/**
 * YAML files that people edit by hand (the metric catalog, the knowledge file), read into zod schemas with every
 * problem reported in one pass, each naming the field in the file's own terms and the line it is on.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';

export interface FileProblem {
  /** Where, in the file's own terms (`metric "signups".table`); empty for the file as a whole. */
  field: string;
  message: string;
  /** 1-based line of the value (or of its closest enclosing value), when the file says. */
  line?: number;
}

/** Every problem of one file. `problems` reads `field: message`; the message adds the line of each. */
export class YamlFileError extends Error {
  readonly problems: string[];
  constructor(
    what: string,
    readonly file: string,
    readonly found: FileProblem[],
  ) {
    const problems = found.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message));
    super(
      `${what} ${file} is invalid:\n${problems.map((p, i) => `  - ${p}${found[i]!.line ? ` (line ${found[i]!.line})` : ''}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

/** A problem the schema cannot see, at a path in the parsed value. */
export interface PathProblem {
  path: PropertyKey[];
  message: string;
}

export interface YamlSchemaOptions<S extends z.ZodType> {
  schema: S;
  /** A zod issue path in the file's own terms, e.g. `metric "signups".table` for `metrics.3.table`. */
  describe: (raw: unknown, path: PropertyKey[]) => string;
  /** Problems the schema cannot see (duplicates, references), reported with the schema's in one pass. */
  more?: (raw: unknown) => PathProblem[];
  fail: (file: string, problems: FileProblem[]) => YamlFileError;
}

/** Reads a file, or fails with `cannot read the file (ENOENT)`. */
export function readYamlFile(file: string, fail: YamlSchemaOptions<z.ZodType>['fail']): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw fail(file, [
      { field: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})` },
    ]);
  }
}

/** Parses YAML text against the schema; aliases are capped, as a hand-edited file never needs many. */
export function parseYamlWith<S extends z.ZodType>(
  text: string,
  file: string,
  opts: YamlSchemaOptions<S>,
): z.output<S> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  let raw: unknown;
  try {
    if (doc.errors.length > 0) throw doc.errors[0];
    raw = doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    throw opts.fail(file, [{ field: '', message: `not valid YAML: ${(error as Error).message.split('\n')[0]}` }]);
  }
  const problem = (path: PropertyKey[], message: string): FileProblem => {
    const line = lineOf(doc, lines, path);
    return { field: opts.describe(raw, path), message, ...(line ? { line } : {}) };
  };
  const more = (opts.more?.(raw) ?? []).map((p) => problem(p.path, p.message));
  const parsed = opts.schema.safeParse(raw);
  if (!parsed.success) {
    const shape = parsed.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => problem([...issue.path, key], 'unknown field'))
        : [problem(issue.path, issue.message)],
    );
    throw opts.fail(file, [...shape, ...more]);
  }
  if (more.length > 0) throw opts.fail(file, more);
  return parsed.data;
}

/** The line of the value at `path`, or of the closest value that contains it (a missing field: its parent). */
function lineOf(doc: ReturnType<typeof parseDocument>, lines: LineCounter, path: PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)) as { range?: number[] } | null;
    if (node?.range) return lines.linePos(node.range[0]!).line;
  }
  return undefined;
}
