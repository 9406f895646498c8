import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The dev server's SQLite files as text (the database, and its WAL or rollback journal when present), for
 * tests that look for plaintext in what the server stored. A journal lives only for one transaction, so
 * one that is gone between listing and reading had nothing left to read; the database itself must be there.
 */
export async function serverDatabaseFiles(dbFile: string): Promise<{ file: string; text: string }[]> {
  const dir = path.dirname(dbFile);
  const names = (await readdir(dir)).filter((f) => f.startsWith(path.basename(dbFile)));
  if (!names.includes(path.basename(dbFile))) throw new Error(`The dev server's database ${dbFile} is missing.`);
  const files: { file: string; text: string }[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const content = await readFile(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' && name !== path.basename(dbFile)) return undefined;
      throw err;
    });
    if (content) files.push({ file, text: content.toString('latin1') });
  }
  return files;
}
