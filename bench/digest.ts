/**
 * Digest benchmark: the triage digest of a 2,000-item board. GitHub's GraphQL API is intercepted in-process
 * (nock; each document is also validated against GitHub's schema, which is part of the measured read time), so the
 * numbers are the bot's own work: requests made, read time, triage and rendering time.
 * Targets: exactly 20 GraphQL requests (100 items a page); triage + render under 100 ms; whole build under 3 s.
 */
import nock from 'nock';
import { buildTriage } from '../src/digest/triage.js';
import { createGitHub } from '../src/github/create-github.js';
import { createLogger } from '../src/logger.js';
import { createTelemetry } from '../src/telemetry.js';
import { triageDigestMessage } from '../src/views/triage-digest.js';
import { boardItems, FIXTURE_NOW, interceptBoard } from '../test/helpers/board-fixtures.js';
import { testConfig } from '../test/helpers/config.js';
import { GITHUB_TEST_API, takeGraphqlValidationErrors } from '../test/helpers/github.js';

const ITEMS = 2000;
const RUNS = 5;

async function main(): Promise<number> {
  nock.disableNetConnect();
  const config = testConfig({
    GITHUB_TOKEN: 'bench-token',
    GITHUB_API_URL: GITHUB_TEST_API,
    GITHUB_PROJECT_URL: 'https://github.com/orgs/acme/projects/63',
  });
  const { board } = await createGitHub(
    config,
    {
      logger: createLogger({ level: 'silent' }),
      telemetry: createTelemetry({ defaultMetrics: false }),
      clock: () => new Date(),
    },
    { retries: 0, throttle: false },
  );
  const fake = interceptBoard({ items: boardItems(ITEMS) });
  const reads: number[] = [];
  const builds: number[] = [];
  let requests = 0;
  let blocks = 0;
  for (let run = 0; run < RUNS; run++) {
    const before = fake.requests;
    const t0 = performance.now();
    const snapshot = await board.read();
    const t1 = performance.now();
    const digest = buildTriage(snapshot, { now: FIXTURE_NOW, timezone: 'UTC', triageStatus: 'Triage' });
    const message = triageDigestMessage(digest, {
      boardUrl: snapshot.url,
      boardTitle: snapshot.title,
      day: '2025-06-02',
      timezone: 'UTC',
    });
    const t2 = performance.now();
    if (snapshot.items.length !== ITEMS) throw new Error(`read ${snapshot.items.length} of ${ITEMS} items`);
    requests = fake.requests - before;
    blocks = message.blocks.length;
    reads.push(t1 - t0);
    builds.push(t2 - t1);
  }
  const invalid = takeGraphqlValidationErrors();
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const read = med(reads);
  const build = med(builds);
  const targets = [
    { name: `GraphQL requests for ${ITEMS} items`, actual: `${requests}`, pass: requests === 20, limit: '= 20' },
    { name: 'triage + render (median)', actual: `${build.toFixed(1)} ms`, pass: build < 100, limit: '< 100 ms' },
    {
      name: 'whole digest build (median)',
      actual: `${(read + build).toFixed(0)} ms`,
      pass: read + build < 3000,
      limit: '< 3000 ms',
    },
    {
      name: 'documents valid against GitHub schema',
      actual: `${invalid.length} invalid`,
      pass: invalid.length === 0,
      limit: '0',
    },
  ];
  console.log(`\nDigest of a ${ITEMS}-item board (${RUNS} runs; read includes in-process schema validation)`);
  console.log(
    `  read: median ${read.toFixed(0)} ms · triage + render: median ${build.toFixed(1)} ms · ${blocks} blocks`,
  );
  for (const t of targets) console.log(`  ${t.name.padEnd(40)} ${t.pass ? 'PASS' : 'FAIL'}  ${t.actual} (${t.limit})`);
  nock.cleanAll();
  nock.restore();
  return targets.every((t) => t.pass) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
