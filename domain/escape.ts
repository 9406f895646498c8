// Everything a person or an alert supplies is data, never markup or terminal control: these keep each
// value inside its field whatever it contains.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Removes C0/C1 control characters (ANSI escapes, bells, carriage returns) except tab and newline. */
export function stripControl(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
}

export function escapeHtml(value: string): string {
  return stripControl(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** One line of plain text: a header value or table cell that a newline must not split or forge. */
export function singleLine(value: string): string {
  return stripControl(value)
    .replace(/[\r\n\t]+/g, ' ')
    .trim();
}

/**
 * Markdown text: escapes what can start emphasis, code, links, raw HTML or a table cell anywhere, and what
 * starts a heading, list or quote at the beginning of a line; everything else stays readable as written.
 */
export function escapeMarkdown(value: string): string {
  return stripControl(value)
    .replace(/([\\`*_[\]<>|~])/g, '\\$1')
    .replace(/^(\s*)([=-])(?=[=-]*\s*$)/gm, '$1\\$2')
    .replace(
      /^(\s*)([#+-]|\d+\.)(?=\s|$)/gm,
      (_, indent: string, mark: string) => `${indent}${mark.replace(/^(\d+)\./, '$1\\.').replace(/^([#+-])$/, '\\$1')}`,
    );
}
