import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

// Finds, or builds once, the two Temporal server binaries the project runs: the Temporal CLI (its dev
// server runs incidents locally) and the time-skipping test server (workflow tests). The SDK's own
// download needs a route to its release site that many locked-down machines lack; Go's module proxy and
// Maven Central are usually reachable, so the project builds from those and caches the result.

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
export const TEST_SERVER_ARTIFACT = { group: 'io.temporal', artifact: 'temporal-test-server', version: '1.31.0' };

export type Log = (line: string) => void;

export interface BinaryOptions {
  /** Where builds are cached; git-ignored. */
  cacheDir: string;
  env?: NodeJS.ProcessEnv;
  log?: Log;
  /**
   * When a binary is missing and the tools to build it are not installed: true (the default) returns
   * undefined so that the SDK downloads it; false throws, naming what to install.
   */
  allowSdkDownload?: boolean;
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(program: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, program);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** A binary named by an environment variable wins; a wrong path is an error, not a silent fallback. */
export function explicitBinary(env: NodeJS.ProcessEnv, variable: string): string | undefined {
  const file = env[variable];
  if (!file) return undefined;
  if (!isExecutable(file)) throw new Error(`${variable}=${file} is not an executable file.`);
  return file;
}

function elapsed(start: number): string {
  return `${Math.round((Date.now() - start) / 1000)} s`;
}

/** Runs a build step, echoing a progress line at least every 15 s so a first build never looks hung. */
async function runBuild(
  label: string,
  program: string,
  args: string[],
  opts: { cwd?: string; env: NodeJS.ProcessEnv; log: Log },
): Promise<void> {
  const start = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(program, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let lastLines: string[] = [];
    let downloads = 0;
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        if (line.includes('downloading')) downloads++;
        lastLines = [...lastLines.slice(-20), line];
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const ticker = setInterval(
      () => opts.log(`  … ${label}: ${elapsed(start)} so far${downloads ? `, ${downloads} modules fetched` : ''}`),
      15_000,
    );
    child.on('error', (err) => {
      clearInterval(ticker);
      reject(new Error(`${label}: cannot run ${program}: ${err.message}`));
    });
    child.on('close', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`${label} failed (exit ${code}):\n${lastLines.slice(-10).join('\n')}`));
    });
  });
  opts.log(`  ${label}: done in ${elapsed(start)}`);
}

export function cachedTemporalCli(cacheDir: string): string {
  return path.join(cacheDir, 'bin', 'temporal');
}

/**
 * The Temporal CLI, in this order: TEMPORAL_CLI_PATH; `temporal` on PATH; the project's cached build; a
 * new build with `go install` when Go is present. Undefined means "let the SDK download it".
 */
export async function resolveTemporalCli(opts: BinaryOptions): Promise<string | undefined> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((l) => console.error(l));
  const named = explicitBinary(env, 'TEMPORAL_CLI_PATH') ?? onPath('temporal', env);
  if (named) return named;
  const cached = cachedTemporalCli(opts.cacheDir);
  if (isExecutable(cached)) return cached;
  const go = onPath('go', env);
  if (!go) {
    if (opts.allowSdkDownload === false) {
      throw new Error(
        'The Temporal CLI is not on PATH, not named by TEMPORAL_CLI_PATH and not cached, and Go is not installed to build it: install Go (https://go.dev/dl/), or set TEMPORAL_CLI_PATH to a temporal binary.',
      );
    }
    log('Temporal CLI not found and Go is not installed: falling back to the SDK download (needs internet access).');
    return undefined;
  }
  log(
    `Building the Temporal CLI once with Go (${TEMPORAL_CLI_MODULE}); this first build takes a few minutes and is cached in ${path.dirname(cached)}.`,
  );
  try {
    return await goInstall(go, TEMPORAL_CLI_MODULE, cached, { ...opts, env, log });
  } catch (err) {
    throw new Error(
      `Could not build the Temporal CLI with Go. Install it (https://docs.temporal.io/cli) and set TEMPORAL_CLI_PATH.\n${(err as Error).message}`,
      { cause: err },
    );
  }
}

/**
 * `go install <module>` into a staging dir, then moved to `target`: a build cut short never leaves a
 * half-written binary where the next run would take it for a finished one. A newer Go can refuse an older
 * dependency, so it retries with the toolchain those modules were built with (the module proxy serves it),
 * then with link-name checks off.
 */
export async function goInstall(
  go: string,
  module: string,
  target: string,
  opts: { cacheDir: string; env: NodeJS.ProcessEnv; log: Log },
): Promise<string> {
  const { env, log } = opts;
  await mkdir(opts.cacheDir, { recursive: true });
  const staging = await mkdtemp(path.join(opts.cacheDir, 'gobuild-'));
  const program = module.split('@')[0].split('/').pop()!;
  const attempts: { label: string; extraEnv: Record<string, string>; args: string[] }[] = [
    { label: 'go install', extraEnv: {}, args: [] },
    { label: 'go install (Go 1.25 toolchain)', extraEnv: { GOTOOLCHAIN: 'go1.25.5' }, args: [] },
    { label: 'go install (checklinkname off)', extraEnv: {}, args: ['-ldflags=-checklinkname=0'] },
  ];
  let lastError: unknown;
  try {
    for (const attempt of attempts) {
      try {
        await runBuild(`${attempt.label} ${program}`, go, ['install', ...attempt.args, module], {
          env: { ...env, GOBIN: staging, ...attempt.extraEnv },
          log,
        });
        await mkdir(path.dirname(target), { recursive: true });
        await rename(path.join(staging, program), target);
        return target;
      } catch (err) {
        lastError = err;
        log(
          `  ${attempt.label} did not succeed; ${attempt === attempts[attempts.length - 1] ? 'giving up' : 'trying the next way'}.`,
        );
      }
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  throw lastError as Error;
}

export function cachedTestServer(cacheDir: string): string {
  return path.join(cacheDir, 'test-server', 'temporal-test-server');
}

function testServerPom(): string {
  const { group, artifact, version } = TEST_SERVER_ARTIFACT;
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.incident-response</groupId>
  <artifactId>temporal-test-server-classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency>
  </dependencies>
</project>
`;
}

/**
 * The time-skipping test server: TEMPORAL_TEST_SERVER_PATH; the cached launcher; a new one resolved from
 * Maven Central when Java and Maven are present. Undefined means "let the SDK download it".
 */
export async function resolveTestServer(opts: BinaryOptions): Promise<string | undefined> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((l) => console.error(l));
  const named = explicitBinary(env, 'TEMPORAL_TEST_SERVER_PATH');
  if (named) return named;
  const launcher = cachedTestServer(opts.cacheDir);
  const dir = path.dirname(launcher);
  const classpathFile = path.join(dir, 'classpath.txt');
  if (
    isExecutable(launcher) &&
    existsSync(classpathFile) &&
    readFileSync(classpathFile, 'utf8')
      .split(':')
      .every((jar) => existsSync(jar))
  )
    return launcher;
  const java = onPath('java', env);
  const mvn = onPath('mvn', env);
  if (!java || !mvn) {
    if (opts.allowSdkDownload === false) {
      const missing = [java ? undefined : 'Java 17', mvn ? undefined : 'Maven'].filter(Boolean).join(' and ');
      throw new Error(
        `The time-skipping test server is not named by TEMPORAL_TEST_SERVER_PATH and not cached, and ${missing} ${missing.includes(' and ') ? 'are' : 'is'} not installed to resolve it from Maven Central: install ${missing}, or set TEMPORAL_TEST_SERVER_PATH to a test server executable.`,
      );
    }
    log(
      'Java test server not cached and Java/Maven are not installed: falling back to the SDK download (needs internet access).',
    );
    return undefined;
  }
  const { group, artifact, version } = TEST_SERVER_ARTIFACT;
  log(
    `Resolving the Java time-skipping test server once from Maven Central (${group}:${artifact}:${version}); cached in ${dir}.`,
  );
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'pom.xml'), testServerPom());
  await runBuild(
    'maven dependency resolution',
    mvn,
    ['-q', '-B', 'dependency:build-classpath', `-Dmdep.outputFile=${classpathFile}`],
    { cwd: dir, env, log },
  );
  // The SDK starts an executable with `<port> --enable-time-skipping`; the launcher passes them to Java.
  const staging = `${launcher}.tmp`;
  await writeFile(
    staging,
    `#!/bin/sh\nexec "${java}" -cp "$(cat "${classpathFile}")" io.temporal.testserver.TestServer "$@"\n`,
  );
  await chmod(staging, 0o755);
  await rename(staging, launcher);
  return launcher;
}
