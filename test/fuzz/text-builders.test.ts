/**
 * Property-based: every builder of user-visible text, fed hostile strings wherever a person (or GitHub) supplies
 * text, never throws and never lets a mention, a channel ping or a disguised link through, in blocks or in the
 * `text` fallback. The only live sequences are the ones the bot builds from trusted values.
 */
import fc from 'fast-check';
import { buildTriage } from '../../src/digest/triage.js';
import type { BoardItem } from '../../src/github/board.js';
import type { FiledIssue } from '../../src/github/tracker.js';
import type { DataRequest } from '../../src/requests/data-request.js';
import type { OutboxRow } from '../../src/store/request-outbox.js';
import { cannotAnswerMessage, requestProcessReply } from '../../src/views/ask.js';
import {
  requestAnnouncement,
  requestFiledMessage,
  requestSavedMessage,
} from '../../src/views/data-request-messages.js';
import { escapeMrkdwn, slackLink } from '../../src/views/escape.js';
import { workingMessage } from '../../src/views/metric-answer.js';
import { homeView, myRequestsMessage } from '../../src/views/my-requests.js';
import { budgetReachedMessage, slowDownMessage } from '../../src/views/refusals.js';
import { digestFailureMessage, triageDigestMessage } from '../../src/views/triage-digest.js';
import { shippedCatalog } from '../helpers/harness.js';
import { hostileName, hostileText, liveSequences } from './arbitraries.js';

const ISSUE_URL = 'https://github.com/acme/analytics/issues/';
const BOARD_URL = 'https://github.com/orgs/acme/projects/63';
/** What the bot itself may link or mention: the requester (a trusted Slack id) and our own GitHub URLs. */
const ALLOWED = ['@U0ASKER', ISSUE_URL, BOARD_URL];
const NOW = new Date('2026-11-29T10:00:00Z');
const RUNS = { numRuns: 150 };

const requestArb = fc.record({
  title: hostileName(150),
  purpose: hostileText(),
  deliverable: hostileText(),
  links: fc.option(hostileText(), { nil: undefined }),
  messageText: fc.option(hostileText(), { nil: undefined }),
  sketch: hostileName(60),
});

type RequestText = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

function request(r: RequestText): DataRequest {
  return {
    key: '3f8a1c2e-5b7d-4e9f-8a6b-1c2d3e4f5a6b',
    title: r.title,
    purpose: r.purpose,
    deliverable: r.deliverable,
    neededBy: '2026-12-15',
    necessity: 'necessity',
    ...(r.links ? { links: r.links } : {}),
    stakeholders: [],
    sources: [],
    sketches: [{ name: r.sketch, url: 'https://acme.slack.com/files/U0ASKER/F1/sketch.png' }],
    requester: { id: 'U0ASKER', name: 'Ada', teamId: 'T0TEST' },
    origin: { channelId: 'C0ANALYTICS', threadTs: '1700000000.000100', messageText: r.messageText },
    submittedAt: '2026-11-20T09:00:00Z',
  };
}

const filed = (n: number): FiledIssue => ({
  number: n,
  url: `${ISSUE_URL}${n}`,
  nodeId: `I_${n}`,
  existing: false,
  fieldsSet: [],
  fieldsMissing: [],
  boardUrl: BOARD_URL,
  tracker: 'acme/analytics',
});

const expectInert = (payload: unknown) => expect(liveSequences(payload, ALLOWED)).toEqual([]);

describe('property: text builders never let user text become a mention or a link', () => {
  it('escapeMrkdwn leaves no control sequence, and slackLink links only what the caller trusts', () => {
    fc.assert(
      fc.property(hostileText(), hostileText(), (text, label) => {
        expect(liveSequences(escapeMrkdwn(text))).toEqual([]);
        // A hostile URL is never linked; a trusted one is, with the label inert.
        expect(liveSequences(slackLink(text, label))).toEqual([]);
        expect(liveSequences(slackLink(`${ISSUE_URL}1`, label), [ISSUE_URL])).toEqual([]);
      }),
      RUNS,
    );
  });

  it('data request DMs and the #analytics announcement', () => {
    fc.assert(
      fc.property(requestArb, fc.array(hostileName(), { maxLength: 3 }), (r, related) => {
        const req = request(r);
        const issue = filed(7);
        const relatedIssues = related.map((title, i) => ({ number: 100 + i, title, url: `${ISSUE_URL}${100 + i}` }));
        expectInert(requestFiledMessage(req, issue, relatedIssues));
        expectInert(
          requestFiledMessage(req, { ...issue, preview: true }, [], { title: r.title, body: r.purpose, labels: [] }),
        );
        expectInert(requestSavedMessage(req));
        expectInert(requestAnnouncement(req, issue));
      }),
      RUNS,
    );
  });

  it('answers to @-mentions and slash commands that echo the question', () => {
    const catalog = shippedCatalog();
    fc.assert(
      fc.property(hostileText(), (question) => {
        expectInert(workingMessage(question));
        expectInert(requestProcessReply(question));
        expectInert(cannotAnswerMessage(question, ['signups'], [], catalog));
      }),
      RUNS,
    );
  });

  it('refusals and failure notices', () => {
    fc.assert(
      fc.property(hostileText(), fc.nat(), (reason, ms) => {
        expectInert(digestFailureMessage(reason, BOARD_URL));
        expectInert(slowDownMessage(ms, 20));
        expectInert(
          budgetReachedMessage({ scope: 'user', limitBytes: ms, resetsAt: new Date(NOW.getTime() + ms) }, NOW),
        );
      }),
      RUNS,
    );
  });

  it('the triage digest, with issue titles, statuses, labels and assignees from GitHub', () => {
    const itemArb = fc.record({
      title: hostileName(),
      status: fc.option(hostileName(40), { nil: null }),
      label: hostileName(40),
      assignee: hostileName(40),
      necessity: fc.option(hostileName(40), { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(itemArb, { minLength: 1, maxLength: 6 }), hostileName(), (items, boardTitle) => {
        const board = {
          title: boardTitle,
          url: BOARD_URL,
          missingFields: [],
          requests: 1,
          items: items.map(
            (it, i): BoardItem => ({
              id: `PVTI_${i}`,
              issue: {
                number: i + 1,
                title: it.title,
                url: `${ISSUE_URL}${i + 1}`,
                state: 'OPEN',
                author: 'someone',
                assignees: [it.assignee],
                labels: [it.label],
                createdAt: '2026-10-01T00:00:00Z',
                updatedAt: '2026-10-02T00:00:00Z',
                closedAt: null,
              },
              status: it.status,
              neededBy: '2026-11-30',
              necessity: it.necessity,
            }),
          ),
        };
        const digest = buildTriage(board, { now: NOW, timezone: 'UTC', triageStatus: 'Triage' });
        expectInert(
          triageDigestMessage(digest, { boardUrl: BOARD_URL, boardTitle, day: '2026-11-29', timezone: 'UTC' }),
        );
      }),
      RUNS,
    );
  });

  it('App Home and /analytics my, with request titles and board statuses', () => {
    fc.assert(
      fc.property(requestArb, fc.option(hostileName(40), { nil: null }), hostileText(80), (r, status, error) => {
        const base: OutboxRow = {
          key: 'k',
          request: request(r),
          status: 'filed',
          attempts: 1,
          nextAttemptAt: 0,
          lastError: null,
          issue: filed(9),
          notifiedSaved: false,
          notifiedFiled: true,
          createdAt: NOW.getTime(),
          issueState: 'open',
          boardStatus: status,
          closedAt: null,
        } as OutboxRow;
        const pending = { ...base, key: 'p', status: 'pending', issue: null, lastError: error } as OutboxRow;
        expectInert(homeView([base, pending], NOW));
        expectInert(myRequestsMessage([base, pending], NOW));
      }),
      RUNS,
    );
  });
});
