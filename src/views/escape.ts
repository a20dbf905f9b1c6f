/**
 * The one escaping rule for text someone else wrote (slash text, modal answers, issue titles, comments, labels,
 * catalog and knowledge files) placed in Slack `mrkdwn` or in a message's `text` fallback. Slack reads `<…>` as
 * mentions (`<!channel>`, `<!subteam^…>`, `<@U…>`, `<#C…>`) and links (`<http://evil|trusted name>`), and `&` as
 * the start of an entity; escaping those three characters leaves all of them inert text. The bot's own mentions and
 * links are built around text escaped here, never from it.
 */

/** `&`, `<` and `>` as Slack's entities: no mention, channel link or disguised link survives. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A link whose label is untrusted: `<url|label>` with the label escaped. Only http(s) URLs are linked, and the
 * characters that would end the link early are percent-encoded; anything else shows the label alone.
 */
export function slackLink(url: string | undefined, label: string): string {
  const text = escapeMrkdwn(label);
  if (!url || !/^https?:\/\/[^\s]+$/i.test(url)) return text;
  const safeUrl = url.replace(/[|<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `<${safeUrl}|${text}>`;
}
