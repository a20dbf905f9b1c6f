/** How to ask the analytics team for a project: the board and the four questions every request answers. */

import { FOUR_QUESTIONS } from '../requests/data-request.js';
import type { Message } from './blocks.js';
import { type AnyBlock, context, section } from './blocks.js';

export function requestProcessMessage(projectUrl?: string): Message {
  const board = projectUrl ? `<${projectUrl}|the analytics board>` : 'the analytics board on GitHub';
  const blocks: AnyBlock[] = [
    section(
      `*Requesting a data project*\nProjects are filed as an issue on ${board}, which the team triages every day. ` +
        'A request that answers these four questions can be prioritised straight away:',
    ),
    section(FOUR_QUESTIONS.map((q, i) => `${i + 1}. ${q}`).join('\n')),
    context('Small asks and quick questions: just post in the analytics channel. Self-serve first: try Looker.'),
  ];
  return {
    response_type: 'ephemeral',
    text: `Requesting a data project: file an issue on ${projectUrl ?? 'the analytics board'} answering the four questions.`,
    blocks,
  };
}
