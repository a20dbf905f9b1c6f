/** Renders Block Kit as readable terminal text for the local console. Buttons get numbers people can type. */

export interface RenderedButton {
  actionId: string;
  blockId?: string;
  value?: string;
  url?: string;
  text: string;
}

type Json = Record<string, unknown>;

const asArray = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const textOf = (t: unknown): string => {
  const obj = t as { text?: unknown } | undefined;
  return typeof obj?.text === 'string' ? obj.text : '';
};

/** Slack mrkdwn to plain text: links become `label (url)`, mentions `@user`, entities decoded. */
export function mrkdwnToText(text: string): string {
  return text
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replace(/<@([A-Z0-9_]+)>/g, '@$1')
    .replace(/<#([A-Z0-9_]+)(\|[^>]*)?>/g, '#$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * Renders blocks to lines. `registerButton` returns the number a person types to press a button.
 */
export function renderBlocks(blocks: unknown, registerButton: (b: RenderedButton) => number): string[] {
  const lines: string[] = [];
  const renderButtons = (elements: Json[], blockId?: string) => {
    const labels = elements
      .filter((e) => e.type === 'button')
      .map((e) => {
        const b: RenderedButton = {
          actionId: String(e.action_id ?? ''),
          blockId,
          value: typeof e.value === 'string' ? e.value : undefined,
          url: typeof e.url === 'string' ? e.url : undefined,
          text: textOf(e.text),
        };
        const n = registerButton(b);
        return b.url ? `[${n}] ${b.text} ↗ ${b.url}` : `[${n}] ${b.text}`;
      });
    if (labels.length > 0) lines.push(`  ${labels.join('   ')}`);
  };
  for (const block of asArray(blocks)) {
    const blockId = typeof block.block_id === 'string' ? block.block_id : undefined;
    switch (block.type) {
      case 'header':
        lines.push('', `== ${textOf(block.text)} ==`);
        break;
      case 'section': {
        if (block.text) lines.push(...mrkdwnToText(textOf(block.text)).split('\n'));
        const fieldTexts = asArray(block.fields).map((f) => mrkdwnToText(textOf(f)));
        for (let i = 0; i < fieldTexts.length; i += 2) {
          lines.push(fieldTexts.slice(i, i + 2).join('    |    '));
        }
        const accessory = block.accessory as Json | undefined;
        if (accessory?.type === 'button') renderButtons([accessory], blockId);
        break;
      }
      case 'context':
        lines.push(
          `  ${asArray(block.elements)
            .map((e) => mrkdwnToText(textOf(e)))
            .join('  ·  ')}`,
        );
        break;
      case 'divider':
        lines.push('  ----');
        break;
      case 'actions':
        renderButtons(asArray(block.elements), blockId);
        break;
      case 'image':
        lines.push(`[image: ${String(block.alt_text ?? '')}]`);
        break;
      case 'input':
        lines.push(`? ${textOf(block.label)}`);
        break;
      case 'rich_text':
        lines.push(JSON.stringify(block.elements));
        break;
      default:
        lines.push(`[${String(block.type)} block]`);
    }
  }
  return lines;
}
