import path from 'node:path';
import { explicitBinary, goInstall, isExecutable, onPath, type Log } from './binaries';

// The S3-compatible server the tests (and an operator trying the object store out) run: the Versity S3
// Gateway, Apache-2.0, built from the Go module proxy like the Temporal CLI. With its posix backend and a
// versioning directory it enforces Object Lock in COMPLIANCE mode: a locked version cannot be deleted nor
// its retention shortened, and a bucket created without lock refuses lock headers.

export const VERSITYGW_MODULE = 'github.com/versity/versitygw/cmd/versitygw@v1.8.0';

export function cachedVersitygw(cacheDir: string): string {
  return path.join(cacheDir, 'bin', 'versitygw');
}

/** VERSITYGW_PATH; `versitygw` on PATH; the cached build; a new build with `go install` (Go required). */
export async function resolveVersitygw(opts: {
  cacheDir: string;
  env?: NodeJS.ProcessEnv;
  log?: Log;
}): Promise<string> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((l) => console.error(l));
  const named = explicitBinary(env, 'VERSITYGW_PATH') ?? onPath('versitygw', env);
  if (named) return named;
  const cached = cachedVersitygw(opts.cacheDir);
  if (isExecutable(cached)) return cached;
  const go = onPath('go', env);
  if (!go)
    throw new Error(
      'The S3 server (Versity S3 Gateway) is not cached and Go is not installed to build it: install Go (https://go.dev/dl/), or set VERSITYGW_PATH to a versitygw binary.',
    );
  log(`Building the Versity S3 Gateway once with Go (${VERSITYGW_MODULE}); cached in ${path.dirname(cached)}.`);
  try {
    return await goInstall(go, VERSITYGW_MODULE, cached, { cacheDir: opts.cacheDir, env, log });
  } catch (err) {
    throw new Error(
      `Could not build the Versity S3 Gateway with Go; set VERSITYGW_PATH to a versitygw binary.\n${(err as Error).message}`,
      { cause: err },
    );
  }
}
