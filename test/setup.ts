/**
 * Jest runs several test files in one worker. nock patches Node's http and fetch globally, so each file's nock
 * instance must be removed when the file ends, or it keeps answering (and refusing) the next file's requests.
 */
import nock from 'nock';

afterAll(() => {
  nock.cleanAll();
  nock.restore();
});
