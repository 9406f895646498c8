import { stripControl } from '../../domain/escape';

// Terminal output: aligned tables, colour only on a terminal and never with NO_COLOR, and every value
// stripped of control characters so that nothing an alert or a person typed can drive the terminal.

export interface Output {
  color: boolean;
  line(text?: string): void;
  error(text: string): void;
}

export function terminalOutput(
  stream: NodeJS.WriteStream = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): Output {
  const color = Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  return {
    color,
    line: (text = '') => stream.write(`${text}\n`),
    error: (text) => process.stderr.write(`${text}\n`),
  };
}

const CODES = { red: 31, green: 32, yellow: 33, bold: 1, dim: 2 } as const;
export type Style = keyof typeof CODES;

export function paint(out: Output, style: Style | undefined, text: string): string {
  return out.color && style ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text;
}

export type Cell = string | { text: string; style?: Style };

/** Display width without escape codes; wide characters count as one, which is close enough for ids and words. */
const width = (s: string) => [...s].length;

export function table(out: Output, head: string[], rows: Cell[][]): string {
  const plain = rows.map((r) =>
    r.map((c) => stripControl(typeof c === 'string' ? c : c.text).replace(/\s*\n\s*/g, ' ')),
  );
  const widths = head.map((h, i) => Math.max(width(h), ...plain.map((r) => width(r[i] ?? ''))));
  const render = (cells: string[], styles: (Style | undefined)[]) =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - width(c));
        return paint(out, styles[i], padded);
      })
      .join('  ')
      .trimEnd();
  return [
    render(
      head,
      head.map(() => 'bold'),
    ),
    ...plain.map((r, ri) =>
      render(
        r,
        rows[ri].map((c) => (typeof c === 'string' ? undefined : c.style)),
      ),
    ),
  ].join('\n');
}

export function clean(value: unknown): string {
  return stripControl(String(value ?? ''));
}
