import { open, truncate, type FileHandle } from 'node:fs/promises';

// The last complete line of an append-only JSON-lines file, read from its end. A crash mid-write leaves
// a torn last line without its newline; it was never acknowledged, so it is cut off before the next
// append. Works on bytes, since a newline byte never occurs inside a multi-byte UTF-8 character.

const NEWLINE = 0x0a;
/** How far back each read looks for the start of the last line; a longer line takes several reads. */
const TAIL_BYTES = 256 * 1024;

/** The last complete line of `file` (undefined when it has none or does not exist), after cutting a torn tail. */
export async function lastCompleteLine(file: string): Promise<string | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    let size = (await handle.stat()).size;
    if (size > 0 && (await byteAt(handle, size - 1)) !== NEWLINE) {
      size = await lineStart(handle, size);
      await truncate(file, size);
    }
    if (size === 0) return undefined;
    const start = await lineStart(handle, size - 1);
    const line = Buffer.alloc(size - 1 - start);
    await handle.read(line, 0, line.length, start);
    return line.toString('utf8');
  } finally {
    await handle.close();
  }
}

async function byteAt(handle: FileHandle, position: number): Promise<number> {
  const one = Buffer.alloc(1);
  await handle.read(one, 0, 1, position);
  return one[0];
}

/** The offset where the line holding the byte just before `end` starts: after the previous newline, or 0. */
async function lineStart(handle: FileHandle, end: number): Promise<number> {
  const buffer = Buffer.alloc(Math.min(end, TAIL_BYTES));
  for (let to = end; to > 0;) {
    const from = Math.max(0, to - buffer.length);
    await handle.read(buffer, 0, to - from, from);
    const at = buffer.subarray(0, to - from).lastIndexOf(NEWLINE);
    if (at >= 0) return from + at + 1;
    to = from;
  }
  return 0;
}
