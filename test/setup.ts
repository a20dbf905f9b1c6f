/**
 * Jest runs several test files in one worker. nock patches Node's http and fetch globally, so each file's nock
 * instance must be removed when the file ends, or it keeps answering (and refusing) the next file's requests.
 * Helpers that share one resource across a file's tests (the demo warehouse) register its cleanup through
 * `globalThis.atTestFileEnd`: hooks cannot be added from inside a test, where a helper may first be imported.
 */
import nock from 'nock';

const cleanups: Array<() => Promise<void>> = [];
(globalThis as { atTestFileEnd?: (cleanup: () => Promise<void>) => void }).atTestFileEnd = (cleanup) => {
  cleanups.push(cleanup);
};

afterAll(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  nock.cleanAll();
  nock.restore();
});
