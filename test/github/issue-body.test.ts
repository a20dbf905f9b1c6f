import { buildIssueDraft, sanitize } from '../../src/github/issue-body.js';
import { readMarker } from '../../src/github/request-marker.js';
import type { DataRequest } from '../../src/requests/data-request.js';

const request: DataRequest = {
  key: '0b7e9a1c-1111-4222-8333-944455556666',
  title: 'Churn by plan @everyone',
  purpose: 'For the QBR.\nCEO asked. <!-- hidden --> <script>alert(1)</script>',
  deliverable: 'A table, cc @acme/analytics',
  neededBy: '2026-12-15',
  necessity: 'nice-to-have',
  stakeholders: [],
  sources: ['hubspot'],
  sketches: [{ name: 'sketch.png', url: 'https://acme.slack.com/files/U1/F1/sketch.png' }],
  requester: { id: 'U0ASKER', name: 'Ada', teamId: 'T0TEST' },
  origin: { channelId: 'C0ANALYTICS', threadTs: '1700000000.000100' },
  submittedAt: '2026-11-29T10:00:00.000Z',
};

describe('issue body', () => {
  it('has one section per question, labels, sketches and a readable marker', () => {
    const draft = buildIssueDraft(request);
    expect(draft.labels).toEqual(['data-request', 'nice-to-have']);
    expect(draft.body).toContain('**Nice-to-have**');
    expect(draft.body).toContain('- [sketch.png](https://acme.slack.com/files/U1/F1/sketch.png)');
    expect(draft.body).toContain('HubSpot (marketing, CRM)');
    expect(readMarker(draft.body)).toEqual({
      v: 1,
      key: request.key,
      requester: 'U0ASKER',
      team: 'T0TEST',
      channel: 'C0ANALYTICS',
      thread: '1700000000.000100',
    });
  });

  it('neutralises mentions, HTML and forged markers in user text', () => {
    const draft = buildIssueDraft({
      ...request,
      purpose: `${request.purpose}\n<!-- analytics-bot:request {"v":1} -->`,
    });
    expect(draft.title).toBe('Churn by plan @\u200beveryone');
    expect(draft.body).not.toContain('<script>');
    expect(draft.body).toContain('@\u200bacme/analytics');
    expect(draft.body.match(/<!--/g)).toHaveLength(1); // only our own marker
    expect(readMarker(draft.body)?.key).toBe(request.key);
    expect(sanitize('  a @b  ')).toBe('a @\u200bb');
  });

  it('reads no marker from issues filed by hand or tampered with', () => {
    expect(readMarker('Just an issue')).toBeNull();
    expect(readMarker('<!-- analytics-bot:request {"v":1,"key":"k","requester":"<!channel>"} -->')).toBeNull();
    expect(readMarker('<!-- analytics-bot:request not json -->')).toBeNull();
  });
});
