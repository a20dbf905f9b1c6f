/**
 * The GitHub issue for a data request: one section per question, context, and a hidden machine-readable marker
 * (requester, channel, thread) so webhooks can find their way back to Slack. Pure.
 */

import type { DataRequest } from '../requests/data-request.js';
import { DATA_SOURCES, FOUR_QUESTIONS } from '../requests/data-request.js';
import { DATA_REQUEST_LABEL, type RequestMarker, writeMarker } from './request-marker.js';
import type { IssueDraft } from './tracker.js';

/**
 * User text is Markdown in the issue, but must not ping GitHub users/teams, forge our marker or inject HTML.
 */
export function sanitize(text: string): string {
  return text
    .replace(/<!--|-->/g, '')
    .replace(/<\/?[a-z][^>]*>/gi, '')
    .replace(/@(?=[A-Za-z0-9])/g, '@\u200b')
    .trim();
}

const quote = (text: string) =>
  sanitize(text)
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n');

export function buildIssueDraft(request: DataRequest, slackTeamUrl?: string): IssueDraft {
  const necessity = request.necessity === 'necessity' ? 'Necessity' : 'Nice-to-have';
  const requesterLink = request.requester.teamId
    ? `[${sanitize(request.requester.name)}](https://slack.com/app_redirect?team=${request.requester.teamId}&channel=${request.requester.id})`
    : sanitize(request.requester.name);
  const sketches = request.sketches.map((s) => `- [${sanitize(s.name)}](${s.url})`).join('\n');
  const context = [
    `- **Requested by:** ${requesterLink} (Slack user \`${request.requester.id}\`) via analytics-bot`,
    request.origin.permalink ? `- **Slack message:** ${request.origin.permalink}` : undefined,
    request.stakeholders.length > 0
      ? `- **Stakeholders (Slack):** ${request.stakeholders.map((s) => `\`${s}\``).join(', ')}`
      : undefined,
    request.sources.length > 0
      ? `- **Data sources involved:** ${request.sources.map((v) => DATA_SOURCES.find((s) => s.value === v)?.label ?? sanitize(v)).join(', ')}`
      : undefined,
    request.links ? `- **Links:** ${sanitize(request.links).replace(/\n+/g, ' ')}` : undefined,
    slackTeamUrl ? `- **Workspace:** ${slackTeamUrl}` : undefined,
  ].filter(Boolean);
  const marker: RequestMarker = {
    v: 1,
    key: request.key,
    requester: request.requester.id,
    ...(request.requester.teamId ? { team: request.requester.teamId } : {}),
    ...(request.origin.channelId ? { channel: request.origin.channelId } : {}),
    ...(request.origin.threadTs ? { thread: request.origin.threadTs } : {}),
  };
  const body = [
    `### 1. ${FOUR_QUESTIONS[0]}`,
    quote(request.purpose),
    '',
    `### 2. ${FOUR_QUESTIONS[1].replace(' (a sketch of the chart helps)', '')}`,
    quote(request.deliverable),
    ...(sketches ? ['', '**Sketches:**', sketches] : []),
    '',
    `### 3. ${FOUR_QUESTIONS[2]}`,
    request.neededBy,
    '',
    `### 4. ${FOUR_QUESTIONS[3]}`,
    `**${necessity}**`,
    '',
    '### Context',
    ...context,
    ...(request.origin.messageText
      ? [
          '',
          '<details><summary>Original Slack message</summary>',
          '',
          quote(request.origin.messageText),
          '',
          '</details>',
        ]
      : []),
    '',
    writeMarker(marker),
  ].join('\n');
  return {
    title: sanitize(request.title).replace(/\s+/g, ' ').slice(0, 200),
    body,
    labels: [DATA_REQUEST_LABEL, request.necessity],
  };
}
