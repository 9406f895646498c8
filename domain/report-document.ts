import { escapeHtml, escapeMarkdown, singleLine } from './escape';

// A report is built once as a small document tree and rendered to Markdown or HTML, so the two formats
// never say different things and escaping is done in exactly one place per format.

export type Block =
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; head: string[]; rows: string[][] };

export interface Section {
  heading: string;
  blocks: Block[];
}

export interface ReportDocument {
  title: string;
  subtitle: string;
  sections: Section[];
  /** The last line, after a rule: the trail head the report was rendered against. */
  footer?: string;
}

export const para = (text: string): Block => ({ kind: 'paragraph', text });
export const list = (items: string[]): Block => ({ kind: 'list', items });
export const table = (head: string[], rows: string[][]): Block => ({ kind: 'table', head, rows });

export function renderMarkdown(doc: ReportDocument): string {
  const out: string[] = [
    `# ${escapeMarkdown(singleLine(doc.title))}`,
    '',
    `_${escapeMarkdown(singleLine(doc.subtitle))}_`,
    '',
  ];
  for (const section of doc.sections) {
    out.push(`## ${escapeMarkdown(singleLine(section.heading))}`, '');
    for (const b of section.blocks) {
      if (b.kind === 'paragraph') out.push(escapeMarkdown(b.text), '');
      if (b.kind === 'list')
        out.push(...(b.items.length ? b.items.map((i) => `- ${escapeMarkdown(singleLine(i))}`) : ['- (none)']), '');
      if (b.kind === 'table') {
        const cell = (v: string) => escapeMarkdown(singleLine(v));
        out.push(`| ${b.head.map(cell).join(' | ')} |`, `|${b.head.map(() => ' --- ').join('|')}|`);
        out.push(
          ...(b.rows.length
            ? b.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)
            : [`| ${b.head.map((_, i) => (i === 0 ? '(none)' : '')).join(' | ')} |`]),
        );
        out.push('');
      }
    }
  }
  if (doc.footer) out.push('---', '', escapeMarkdown(doc.footer), '');
  return out.join('\n');
}

export function renderHtml(doc: ReportDocument): string {
  const out: string[] = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(doc.title)}</title>`,
    '<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;line-height:1.4}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}code{word-break:break-all}</style>',
    '</head><body>',
    `<h1>${escapeHtml(doc.title)}</h1>`,
    `<p><em>${escapeHtml(doc.subtitle)}</em></p>`,
  ];
  for (const section of doc.sections) {
    out.push(`<h2>${escapeHtml(section.heading)}</h2>`);
    for (const b of section.blocks) {
      if (b.kind === 'paragraph') out.push(`<p>${escapeHtml(b.text).replace(/\n/g, '<br>')}</p>`);
      if (b.kind === 'list')
        out.push(
          `<ul>${(b.items.length ? b.items : ['(none)']).map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`,
        );
      if (b.kind === 'table') {
        out.push('<table>', `<tr>${b.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`);
        out.push(...b.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`));
        out.push('</table>');
      }
    }
  }
  if (doc.footer) out.push('<hr>', `<p>${escapeHtml(doc.footer)}</p>`);
  out.push('</body></html>', '');
  return out.join('\n');
}
