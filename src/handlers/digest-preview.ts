/** `/analytics digest`: today's triage digest, shown only to the person who asked. */
import { BoardError } from '../github/board.js';
import type { Logger } from '../logger.js';
import type { Message } from '../views/blocks.js';
import { digestPreviewFailureMessage } from '../views/triage-digest.js';
import type { HandlerDeps } from './handler-deps.js';

export type DigestPreviewDeps = Pick<HandlerDeps, 'digest' | 'clock'>;

export async function digestPreview(deps: DigestPreviewDeps, log: Logger): Promise<Message> {
  try {
    return (await deps.digest.build(deps.clock(), { preview: true })).message;
  } catch (error) {
    if (error instanceof BoardError) return digestPreviewFailureMessage(error.message);
    log.error({ err: error }, 'digest preview failed');
    return digestPreviewFailureMessage();
  }
}
