import type { FastifyReply } from 'fastify';
import { escapeHtml } from '../../domain/escape';

// The board's page frame: plain, server-rendered HTML that works without JavaScript, with no external
// resource of any kind (it must work offline, and the Content-Security-Policy forbids them anyway).

/** Every dynamic value goes through this tag: nothing a person or an alert wrote reaches the page raw. */
export function html(strings: TemplateStringsArray, ...values: (string | number | Raw)[]): Raw {
  let out = strings[0];
  values.forEach((v, i) => {
    out += (v instanceof Raw ? v.value : escapeHtml(String(v))) + strings[i + 1];
  });
  return new Raw(out);
}

export class Raw {
  constructor(readonly value: string) {}
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#111}
h1{font-size:1.4rem}.refused{border-left:4px solid #b00020;padding-left:1rem}.done{border-left:4px solid #0a7d32;padding-left:1rem}
button{font-size:1.1rem;padding:.6rem 1.2rem;background:#0b57d0;color:#fff;border:0;border-radius:4px;cursor:pointer}
button:focus{outline:3px solid #f9ab00}dt{font-weight:bold}dd{margin:0 0 .5rem 0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;border-bottom:1px solid #ccc;padding:.3rem}
.utc,.viewer-time,time{white-space:nowrap}
tr.overdue{color:#b00020;background:#fde7ea}.skip{position:absolute;left:-999px}.skip:focus{left:1rem}`;

export function page(title: string, body: Raw): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)} — Incident response</title>
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml"><link rel="stylesheet" href="/assets/board.css"><script src="/assets/board.js" defer></script></head>
<body><a class="skip" href="#main">Skip to content</a><main id="main">
${body.value}
</main></body></html>`;
}

export const STYLESHEET = STYLE;

/** The tab's icon, served from this origin (browsers ask for one on every page). */
export const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M8 1 2 3.5v4C2 11 4.6 14 8 15c3.4-1 6-4 6-7.5v-4z" fill="#b00020"/><path d="M7 4h2v5H7zm0 6h2v2H7z" fill="#fff"/></svg>`;

/** A page that says one thing: a refusal (red) or an outcome (green), its title as the heading. */
export function notice(kind: 'refused' | 'done', title: string, body: Raw): string {
  return page(
    title,
    html`<div class="${kind}">
      <h1>${title}</h1>
      ${body}
    </div>`,
  );
}

export function joinRaw(parts: Raw[]): Raw {
  return new Raw(parts.map((p) => p.value).join(''));
}

export function sendPage(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}
