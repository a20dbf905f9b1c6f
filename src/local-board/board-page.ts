/**
 * GET /board and /board/N: a read-only page of the embedded board, so the links the bot posts for local requests
 * lead somewhere. Only for this machine (the links say localhost): in HTTP mode the port is public, and requests are
 * the team's business. Everything shown is escaped: titles and comments are user text.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalBoard } from './local-board.js';

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>` +
  '<style>body{font:15px system-ui,sans-serif;margin:2rem;max-width:60rem}td,th{padding:.2rem .6rem;text-align:left}' +
  'tr:nth-child(even){background:#f4f4f4}pre{white-space:pre-wrap}</style></head>' +
  `<body>${body}</body></html>`;

/** Serves the page for `pathname`; false when the path is not the board's. */
export async function serveBoardPage(
  board: LocalBoard,
  pathname: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const match = /^\/board(?:\/(\d{1,9}))?\/?$/.exec(pathname);
  if (!match || !isLoopback(req.socket.remoteAddress)) return false;
  const send = (status: number, html: string) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'x-content-type-options': 'nosniff' });
    res.end(html);
  };
  if (match[1]) {
    const issue = board.get(Number(match[1]));
    if (!issue) {
      send(404, page('Not found', `<p>There is no request #${esc(match[1])} on the local board.</p>`));
      return true;
    }
    const i = issue.issue;
    const facts = [
      ['State', i.state === 'OPEN' ? 'Open' : `Closed ${i.closedAt ?? ''}`],
      ['Status', issue.status ?? 'No status'],
      ['Needed by', issue.neededBy ?? '—'],
      ['Necessity', issue.necessity ?? '—'],
      ['Assignees', i.assignees.join(', ') || '—'],
      ['Labels', i.labels.join(', ') || '—'],
      ['Opened by', `${i.author ?? 'unknown'} on ${i.createdAt}`],
      ['Updated', i.updatedAt],
    ];
    const comments = issue.comments
      .map((c) => `<h3>${esc(c.author)} · ${esc(c.createdAt)}</h3><pre>${esc(c.body)}</pre>`)
      .join('');
    send(
      200,
      page(
        `#${i.number} ${i.title}`,
        `<p><a href="/board">← Local board</a></p><h1>#${i.number} ${esc(i.title)}</h1>` +
          `<table>${facts.map(([k, v]) => `<tr><th>${esc(k!)}</th><td>${esc(v!)}</td></tr>`).join('')}</table>` +
          `<pre>${esc(i.body ?? '')}</pre>${comments ? `<h2>Comments</h2>${comments}` : ''}`,
      ),
    );
    return true;
  }
  const { items } = await board.read();
  const rows = items
    .map(
      (it) =>
        `<tr><td><a href="/board/${it.issue.number}">#${it.issue.number}</a></td><td>${esc(it.issue.title)}</td>` +
        `<td>${it.issue.state === 'OPEN' ? esc(it.status ?? 'No status') : 'Closed'}</td><td>${esc(it.neededBy ?? '')}</td>` +
        `<td>${esc(it.necessity ?? '')}</td><td>${esc(it.issue.assignees.join(', '))}</td></tr>`,
    )
    .join('');
  send(
    200,
    page(
      'Local board',
      `<h1>Local board</h1><p>The embedded board analytics-bot uses while no GitHub credentials are set (${esc(board.file)}).</p>` +
        `<table><tr><th>#</th><th>Title</th><th>Status</th><th>Needed by</th><th>Necessity</th><th>Assignees</th></tr>${rows}</table>`,
    ),
  );
  return true;
}

/** 127.0.0.0/8, ::1, and IPv4 loopback as an IPv6-mapped address. */
function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (/^(::ffff:)?127\./.test(address) || address === '::1');
}
