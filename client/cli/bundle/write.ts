import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { create as createTar } from 'tar';
import { checkpointMessage, publicKeyPem, trailKeyFingerprint } from '../../../domain/audit-checkpoint';
import {
  BUNDLE_FILES,
  evidenceFolder,
  hashInputsText,
  keyPath,
  rosterJson,
  sha256SumsText,
} from '../../../domain/bundle-layout';
import type { Config } from '../../../platform/config/schema';
import { exportEvidence } from '../evidence-export';
import { CliProblem } from '../problem';
import { readStoredReport } from '../stored-report';
import { gatherSources, type BundleSources } from './gather';
import { bundleReadme } from './readme';

// `incident bundle`: one incident's record in the layout of domain/bundle-layout.ts, as a tar or a
// directory. Everything is written under a temporary name beside the target and renamed into place at
// the end, so the named path holds a whole bundle or nothing new. The tar is deterministic for the same
// contents: sorted entries, no owners, every time the signed head's.

export interface BundleRequest {
  config: Config;
  incidentId: string;
  out: string;
  withEvidence: boolean;
  force: boolean;
  env: NodeJS.ProcessEnv;
}

export interface BundleResult {
  ok: true;
  incidentId: string;
  out: string;
  format: 'tar' | 'directory';
  entries: number;
  head: { seq: number; hash: string };
  keys: { keyId: string; fingerprint: string }[];
  files: number;
  evidence: { system: string; round: number; kind: 'image' | 'directory'; included: boolean }[];
  reports: string[];
}

const usage = (message: string) => new CliProblem('usage', message);

const kindOf = (p: string) =>
  stat(p).then(
    (s) => (s.isDirectory() ? ('directory' as const) : ('file' as const)),
    () => undefined,
  );

/** What the named path must satisfy before anything is read or written. */
async function checkTarget(out: string, format: 'tar' | 'directory', force: boolean): Promise<void> {
  if ((await kindOf(path.dirname(out))) !== 'directory')
    throw usage(`The folder of ${out} does not exist; create it first.`);
  const present = await kindOf(out);
  if (format === 'tar') {
    if (present === 'directory') throw usage(`${out} is a directory; name a .tar file, or a folder without .tar.`);
    if (present === 'file' && !force)
      throw usage(`${out} already exists; add --force to replace it, or name another path.`);
    return;
  }
  if (present === 'file') throw usage(`${out} is a file; name a folder, or a .tar file.`);
  if (present !== 'directory' || (await readdir(out)).length === 0) return;
  if (!force)
    throw usage(
      `${out} already exists and is not empty; add --force to replace the bundle in it, or name another path.`,
    );
  if (
    (await kindOf(path.join(out, BUNDLE_FILES.sums))) !== 'file' ||
    (await kindOf(path.join(out, BUNDLE_FILES.trail))) !== 'file'
  )
    throw usage(
      `${out} holds something other than a case bundle; --force replaces only an earlier bundle. Name another path.`,
    );
}

/** Every file under `dir`, '/'-separated and sorted; directories listed before what they hold. */
async function walk(dir: string, rel = ''): Promise<{ files: string[]; dirs: string[] }> {
  const files: string[] = [];
  const dirs: string[] = [];
  for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const inside = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      dirs.push(inside);
      const below = await walk(dir, inside);
      files.push(...below.files);
      dirs.push(...below.dirs);
    } else files.push(inside);
  }
  return { files: files.sort(), dirs: dirs.sort() };
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `incident evidence export` into the bundle; its refusal names the staging path, which means nothing to the person. */
async function exportOriginal(req: Parameters<typeof exportEvidence>[0]): Promise<void> {
  try {
    await exportEvidence(req);
  } catch (err) {
    if (!(err instanceof CliProblem)) throw err;
    throw new CliProblem(err.kind, `${err.message.replace(/ Nothing was written to .*$/, '')} No bundle was written.`);
  }
}

/** Writes every file of the bundle into `dir`, SHA256SUMS last. */
async function stage(dir: string, src: BundleSources, req: BundleRequest): Promise<BundleResult['evidence']> {
  const put = async (rel: string, data: string | Buffer) => {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), data);
  };
  await put(BUNDLE_FILES.trail, src.trailText);
  await put(BUNDLE_FILES.checkpoints, src.checkpointsText);
  for (const [keyId, key] of src.keys) await put(keyPath(keyId), publicKeyPem(key));
  await put(BUNDLE_FILES.roster, rosterJson(src.entries));
  await put(BUNDLE_FILES.hashInputs, hashInputsText(src.entries));
  await put(BUNDLE_FILES.headMessage, checkpointMessage(src.head));
  await put(BUNDLE_FILES.headSignature, Buffer.from(src.head.signature, 'base64'));
  await put(BUNDLE_FILES.head, JSON.stringify(src.head, null, 2) + '\n');
  const evidence: BundleResult['evidence'] = [];
  for (const copy of src.copies) {
    const folder = path.join(dir, ...evidenceFolder(copy.system, copy.round).split('/'));
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'evidence.json'), copy.record);
    if (copy.manifest !== undefined) await writeFile(path.join(folder, 'MANIFEST.sha256'), copy.manifest);
    if (req.withEvidence)
      // Offline (no `incidents`): the bundle is made from the data dir, and its checkpoints vouch for the hashes.
      await exportOriginal({
        config: req.config,
        incidentId: src.incidentId,
        system: copy.system,
        round: copy.round,
        out: path.join(folder, copy.kind === 'directory' ? 'tree' : 'image.bin'),
        force: false,
        env: req.env,
        namespace: req.config.temporal.namespace,
      });
    evidence.push({ system: copy.system, round: copy.round, kind: copy.kind, included: req.withEvidence });
  }
  for (const { kind, format } of src.reports) {
    const body = await readStoredReport(req.config, src.incidentId, kind, format, req.env);
    await put(`reports/${kind}.${format}`, body);
  }
  const head = src.head;
  await put(
    BUNDLE_FILES.readme,
    bundleReadme({
      incidentId: src.incidentId,
      keyId: head.keyId,
      entries: src.entries.length,
      head: { seq: head.seq, hash: head.hash, at: head.at },
      keys: [...src.keys].map(([keyId, key]) => ({ keyId, fingerprint: trailKeyFingerprint(key) })),
      copies: src.copies.map((c) => ({ ...c, included: req.withEvidence })),
      reports: src.reports.map((r) => `${r.kind}.${r.format}`),
      withEvidence: req.withEvidence,
    }),
  );
  const sums = new Map<string, { sha256: string }>();
  for (const file of (await walk(dir)).files)
    sums.set(file, { sha256: await sha256File(path.join(dir, ...file.split('/'))) });
  await put(BUNDLE_FILES.sums, sha256SumsText(sums));
  return evidence;
}

/** The same modes whoever made the bundle: what a recipient extracts does not depend on our umask. */
async function normaliseModes(dir: string): Promise<{ files: string[]; dirs: string[] }> {
  const tree = await walk(dir);
  for (const d of tree.dirs) await chmod(path.join(dir, ...d.split('/')), 0o755);
  for (const f of tree.files) await chmod(path.join(dir, ...f.split('/')), 0o644);
  // The bundle may hold decrypted reports and evidence: its top folder is its owner's only.
  await chmod(dir, 0o700);
  return tree;
}

export async function writeBundle(req: BundleRequest): Promise<BundleResult> {
  const format = req.out.endsWith('.tar') ? 'tar' : 'directory';
  const out = path.resolve(req.out);
  await checkTarget(out, format, req.force);
  const src = await gatherSources(req.config, req.incidentId, req.env);
  const partial = path.join(path.dirname(out), `.${path.basename(out)}.partial-${randomBytes(4).toString('hex')}`);
  const staging = format === 'tar' ? `${partial}.d` : partial;
  let evidence: BundleResult['evidence'];
  let files: number;
  try {
    await mkdir(staging, { mode: 0o700 });
    evidence = await stage(staging, src, req);
    const tree = await normaliseModes(staging);
    files = tree.files.length;
    if (format === 'tar') {
      await createTar(
        {
          file: partial,
          // Owner only from the first byte: it may hold decrypted reports and evidence.
          mode: 0o600,
          cwd: staging,
          portable: true,
          noDirRecurse: true,
          mtime: new Date(src.head.at),
          prefix: src.incidentId,
        },
        [...tree.dirs, ...tree.files].sort(),
      );
      await rename(partial, out);
    } else {
      const old = `${partial}.old`;
      const replacing = (await kindOf(out)) === 'directory';
      if (replacing) await rename(out, old);
      await rename(staging, out);
      if (replacing) await rm(old, { recursive: true, force: true });
    }
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw explain(err, out);
  } finally {
    if (format === 'tar') await rm(staging, { recursive: true, force: true });
  }
  const last = src.entries[src.entries.length - 1];
  return {
    ok: true,
    incidentId: src.incidentId,
    out,
    format,
    entries: src.entries.length,
    head: { seq: last.seq, hash: last.hash },
    keys: [...src.keys].map(([keyId, key]) => ({ keyId, fingerprint: trailKeyFingerprint(key) })),
    files,
    evidence,
    reports: src.reports.map((r) => `${r.kind}.${r.format}`),
  };
}

/** A refusal keeps its message; a disk that will not take the bundle is named, and nothing was left. */
function explain(err: unknown, out: string): Error {
  if (err instanceof CliProblem) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'ENOSPC' || code === 'EROFS' || code === 'EDQUOT')
    return usage(`Cannot write ${out} (${code}); nothing was written.`);
  return err as Error;
}
