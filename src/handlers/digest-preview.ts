/** `/analytics digest`: today's triage digest, shown only to the person who asked. */
import { BoardError } from '../github/board.js';
import type { Logger } from '../logger.js';
import { type Message, section } from '../views/blocks.js';
import type { HandlerDeps } from './handler-deps.js';

export type DigestPreviewDeps = Pick<HandlerDeps, 'digest' | 'clock'>;

export async function digestPreview(deps: DigestPreviewDeps, log: Logger): Promise<Message> {
  try {
    return (await deps.digest.build(deps.clock(), { preview: true })).message;
  } catch (error) {
    const text =
      error instanceof BoardError
        ? `I can't build the digest: ${error.message}`
        : 'I can’t build the digest right now: GitHub did not answer. Try again in a minute.';
    if (!(error instanceof BoardError)) log.error({ err: error }, 'digest preview failed');
    return { text, blocks: [section(text)] };
  }
}
