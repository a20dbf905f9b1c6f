import { stringify } from 'yaml';
import { CatalogError, loadCatalogFile, type MetricCatalog, parseCatalog } from '../../src/queries/catalog.js';

const CATALOG_PATH = new URL('../../metrics.yml', import.meta.url).pathname;

/** The error a catalog text is rejected with; fails the test if it parses. */
function rejectionOf(text: string, file = 'test.yml'): CatalogError {
  try {
    parseCatalog(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogError);
    return error as CatalogError;
  }
  throw new Error('expected the catalog to be rejected');
}

const problemsOf = (text: string) => rejectionOf(text).problems;

type Entry = Record<string, unknown>;

/** A valid metric; each test breaks one thing. */
function signups(overrides: Entry = {}): Entry {
  return {
    name: 'signups',
    label: 'New sign-ups',
    description: 'New accounts created on the hosted product.',
    synonyms: ['registrations'],
    source: 'hubspot',
    table: { bigquery: 'analytics-prod.crm.signups', duckdb: 'signups' },
    time_column: 'signed_up_at',
    aggregation: { type: 'count' },
    dimensions: ['plan'],
    ...overrides,
  };
}

function searches(overrides: Entry = {}): Entry {
  return {
    name: 'searches',
    label: 'Searches',
    description: 'Search events.',
    source: 'product_events',
    table: 'events',
    time_column: 'occurred_at',
    aggregation: { type: 'count' },
    filters: [{ column: 'event_name', op: 'eq', value: 'search' }],
    dimensions: ['plan', 'country'],
    ...overrides,
  };
}

function catalogYaml(metrics: Entry[], overrides: Entry = {}): string {
  return stringify({
    version: 1,
    sources: { hubspot: { label: 'HubSpot' }, product_events: { label: 'Product events' } },
    dimensions: { plan: { label: 'Plan', synonyms: ['tier'] }, country: { label: 'Country' } },
    metrics,
    ...overrides,
  });
}

describe('the shipped metrics.yml', () => {
  let catalog: MetricCatalog;

  beforeAll(() => {
    catalog = loadCatalogFile(CATALOG_PATH);
  });

  it('is a valid catalog', () => {
    expect(() => loadCatalogFile(CATALOG_PATH)).not.toThrow();
  });

  it('has at least 8 metrics spanning the five sources', () => {
    expect(catalog.metrics.length).toBeGreaterThanOrEqual(8);
    const sources = ['product_events', 'instance_pings', 'hubspot', 'google_analytics', 'google_sheets'];
    expect(Object.keys(catalog.sources)).toEqual(expect.arrayContaining(sources));
    const used = new Set(catalog.metrics.map((m) => m.source));
    for (const source of sources) expect(used).toContain(source);
    expect(used.size).toBeGreaterThanOrEqual(5);
  });

  it('gives every metric a label, a description and synonyms', () => {
    for (const metric of catalog.metrics) {
      const described = {
        label: metric.label.trim().length > 0,
        description: metric.description.trim().length > 0,
        synonyms: metric.synonyms.length > 0,
      };
      expect({ metric: metric.name, ...described }).toEqual({
        metric: metric.name,
        label: true,
        description: true,
        synonyms: true,
      });
    }
  });

  it('has unique metric names that resolve through metric()', () => {
    const names = catalog.metrics.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(catalog.metric(name)?.name).toBe(name);
    expect(catalog.metric('revenue')).toBeUndefined();
  });

  it('defines plan, deployment type and country dimensions, each used by a metric', () => {
    for (const name of ['plan', 'deployment_type', 'country']) {
      const dimension = catalog.dimension(name);
      expect(dimension).toBeDefined();
      expect(dimension!.name).toBe(name);
      expect(dimension!.column).toBe(name);
      expect(catalog.metrics.some((m) => m.dimensions.includes(name))).toBe(true);
    }
    expect(catalog.dimension('deployment_type')!.label).toBe('Deployment type');
    expect(catalog.dimension('plan')!.synonyms).toContain('tier');
    expect(catalog.dimension('nope')).toBeUndefined();
  });

  it('only lists dimensions it defines', () => {
    for (const metric of catalog.metrics) {
      for (const d of metric.dimensions) expect(catalog.dimension(d)).toBeDefined();
    }
  });

  it('uses each aggregation kind: count, count_distinct, sum and ratio', () => {
    const kinds = new Set(catalog.metrics.map((m) => m.aggregation.type));
    for (const kind of ['count', 'count_distinct', 'sum', 'ratio']) expect(kinds).toContain(kind);
    const ratio = catalog.metrics.find((m) => m.aggregation.type === 'ratio')!;
    expect(ratio.aggregation).toEqual(
      expect.objectContaining({ numerator: expect.any(Object), denominator: expect.any(Object) }),
    );
  });

  it('picks the table for each warehouse dialect', () => {
    const metric = catalog.metric('signups')!;
    expect(catalog.tableFor(metric, 'bigquery')).toBe('analytics-prod.crm.signups');
    expect(catalog.tableFor(metric, 'duckdb')).toBe('signups');
  });

  it('links only to https dashboards and restricts with named channels or groups', () => {
    for (const metric of catalog.metrics) {
      if (metric.looker_url) expect(metric.looker_url).toMatch(/^https:\/\//);
      if (metric.access) expect(metric.access.channels.length + metric.access.usergroups.length).toBeGreaterThan(0);
    }
  });
});

describe('parseCatalog', () => {
  it('accepts a minimal catalog and fills in defaults', () => {
    const catalog = parseCatalog(catalogYaml([signups()]));
    const metric = catalog.metric('signups')!;
    expect(metric).toMatchObject({
      time_type: 'timestamp',
      default_grain: 'week',
      default_window: { last: 4, unit: 'week' },
      rollup: 'total',
      filters: [],
      format: { style: 'number', decimals: 0, currency: 'USD' },
    });
  });

  it('reports invalid YAML as one problem, naming the file', () => {
    const error = rejectionOf('version: 1\nmetrics: [\n  - {', 'broken.yml');
    expect(error.file).toBe('broken.yml');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^not valid YAML: .*line \d+/);
    expect(error.message).toMatch(/^Metric catalog broken\.yml is invalid:\n {2}- not valid YAML: /);
  });

  it('reports a missing file with its error code', () => {
    const file = new URL('../fixtures/does-not-exist.yml', import.meta.url).pathname;
    let caught: unknown;
    try {
      loadCatalogFile(file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CatalogError);
    expect((caught as CatalogError).file).toBe(file);
    expect((caught as CatalogError).problems).toEqual(['cannot read the file (ENOENT)']);
  });

  it('rejects an empty document and a catalog without metrics', () => {
    expect(problemsOf('')).toEqual([expect.stringMatching(/^catalog: /)]);
    expect(problemsOf(catalogYaml([]))).toEqual([expect.stringMatching(/^metrics: /)]);
  });

  describe('identifiers that would reach SQL', () => {
    const column = 'expected a column name (letters, digits, underscore)';
    const table = 'expected a table name like dataset.table or project.dataset.table';

    it('rejects SQL in the time column', () => {
      expect(problemsOf(catalogYaml([signups({ time_column: 'occurred_at; DROP TABLE x' })]))).toEqual([
        `metric "signups".time_column: ${column}`,
      ]);
    });

    it('rejects SQL in a table name, plain or per dialect', () => {
      expect(problemsOf(catalogYaml([signups({ table: 'signups; DROP TABLE x' })]))).toEqual([
        `metric "signups".table: ${table}`,
      ]);
      expect(
        problemsOf(
          catalogYaml([signups({ table: { bigquery: 'p.d.signups', duckdb: 'signups"; DROP TABLE x; --' } })]),
        ),
      ).toEqual([`metric "signups".table.duckdb: ${table}`]);
      expect(problemsOf(catalogYaml([signups({ table: 'a.b.c.d' })]))).toEqual([`metric "signups".table: ${table}`]);
    });

    it('rejects SQL in an aggregation column and in a filter column', () => {
      expect(
        problemsOf(catalogYaml([signups({ aggregation: { type: 'count_distinct', column: 'user_id) FROM x --' } })])),
      ).toEqual([`metric "signups".aggregation.column: ${column}`]);
      expect(problemsOf(catalogYaml([signups({ filters: [{ column: '1=1 OR x', op: 'eq', value: 'a' }] })]))).toEqual([
        `metric "signups".filters.0.column: ${column}`,
      ]);
    });

    it('rejects SQL in a dimension column', () => {
      const yaml = catalogYaml([signups()], { dimensions: { plan: { label: 'Plan', column: 'plan; DROP TABLE x' } } });
      expect(problemsOf(yaml)).toEqual([`dimensions.plan.column: ${column}`]);
    });

    it('rejects keys it does not know, such as raw SQL', () => {
      expect(problemsOf(catalogYaml([signups({ sql: 'SELECT 1' })]))).toEqual(['metric "signups".sql: unknown field']);
    });
  });

  it('rejects an unknown source, listing the known ones', () => {
    expect(problemsOf(catalogYaml([signups({ source: 'salesforce' })]))).toEqual([
      'metric "signups".source: unknown source "salesforce" (known: hubspot, product_events)',
    ]);
  });

  it('rejects an unknown dimension', () => {
    expect(problemsOf(catalogYaml([signups({ dimensions: ['plan', 'colour'] })]))).toEqual([
      'metric "signups".dimensions: unknown dimension "colour"',
    ]);
  });

  it('rejects a duplicate metric name', () => {
    expect(problemsOf(catalogYaml([signups(), searches(), signups({ label: 'Again' })]))).toEqual([
      'metric "signups".name: duplicate metric name',
    ]);
  });

  it('rejects a looker_url that is not https', () => {
    for (const url of ['http://looker.example.com/dashboards/1', 'javascript:alert(1)', 'ftp://looker.example.com']) {
      expect(problemsOf(catalogYaml([signups({ looker_url: url })]))).toEqual([
        expect.stringMatching(/^metric "signups"\.looker_url: .*https:\/\//),
      ]);
    }
  });

  it('rejects an access rule that names no channel or user group', () => {
    const expected = ['metric "signups".access: name at least one channel or user group'];
    expect(problemsOf(catalogYaml([signups({ access: { reason: 'Secret.' } })]))).toEqual(expected);
    expect(problemsOf(catalogYaml([signups({ access: { channels: [], usergroups: [], reason: 'Secret.' } })]))).toEqual(
      expected,
    );
  });

  it('rejects malformed channel and user group IDs in an access rule', () => {
    const access = { channels: ['#analytics'], usergroups: ['revops'], reason: 'Secret.' };
    expect(problemsOf(catalogYaml([signups({ access })]))).toEqual([
      'metric "signups".access.channels.0: expected channel IDs like C0123ABCD',
      'metric "signups".access.usergroups.0: expected user group IDs like S0123ABCD',
    ]);
  });

  // Needs aggregationSchema to be a discriminated union on `type`: a plain z.union reports only
  // `metric "signups".aggregation: Invalid input`, which does not say what is missing.
  it('names the missing denominator of a ratio', () => {
    const aggregation = { type: 'ratio', numerator: { type: 'count' } };
    const problems = problemsOf(catalogYaml([signups({ aggregation })]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^metric "signups"\.aggregation\.denominator: /);
  });

  it('names a metric without a usable name by its position', () => {
    expect(problemsOf(catalogYaml([searches(), signups({ name: 'Sign Ups' })]))).toEqual([
      'metric "Sign Ups".name: expected snake_case, starting with a letter',
    ]);
    expect(problemsOf(catalogYaml([searches(), signups({ name: undefined })]))).toEqual([
      expect.stringMatching(/^metric #2\.name: /),
    ]);
  });

  it('reports every schema problem at once, each naming its metric and field', () => {
    const yaml = catalogYaml([
      signups({ time_column: 'occurred_at; DROP TABLE x', looker_url: 'http://looker.example.com' }),
      searches({ table: 'events; --', access: { reason: 'Secret.' } }),
    ]);
    const error = rejectionOf(yaml);
    expect(error.problems).toEqual([
      'metric "signups".time_column: expected a column name (letters, digits, underscore)',
      expect.stringMatching(/^metric "signups"\.looker_url: /),
      'metric "searches".table: expected a table name like dataset.table or project.dataset.table',
      'metric "searches".access: name at least one channel or user group',
    ]);
    for (const problem of error.problems) expect(error.message).toContain(`  - ${problem}`);
  });

  it('reports every cross-reference problem at once', () => {
    const yaml = catalogYaml([
      signups({ source: 'salesforce' }),
      searches({ dimensions: ['plan', 'colour'] }),
      signups({ label: 'Again' }),
    ]);
    expect(problemsOf(yaml)).toEqual([
      'metric "signups".source: unknown source "salesforce" (known: hubspot, product_events)',
      'metric "searches".dimensions: unknown dimension "colour"',
      'metric "signups".name: duplicate metric name',
    ]);
  });
});
