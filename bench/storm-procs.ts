import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../platform/dev-server';

// The two programs under test, each a fresh process with a fresh dev server and data dir for every step,
// so that no step inherits another's backlog. Each runs in its own process group: stopping it kills the
// group, the dev server it started included, however far behind it is.

export const TOKEN = 'storm-bench-token-0123456789abcdef';
const DIST = path.resolve(__dirname, '..');

export interface Target {
  name: 'floor' | 'system';
  /** Where alerts are posted. */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function launch(
  name: Target['name'],
  script: string,
  env: NodeJS.ProcessEnv,
  dir: string,
  ready: (line: string) => string | undefined,
): Promise<Target> {
  const log = createWriteStream(path.join(dir, `${name}.log`));
  const child: ChildProcess = spawn(process.execPath, [script], {
    cwd: dir,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid!;
  const killGroup = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', killGroup);
  child.stderr!.pipe(log);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The ${name} did not start within 120 s; see ${dir}`)), 120_000);
    let buffered = '';
    child.stdout!.on('data', (c: Buffer) => {
      log.write(c);
      buffered += c.toString('utf8');
      for (const line of buffered.split('\n')) {
        const found = ready(line);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The ${name} exited with code ${code} during start-up; see ${dir}/${name}.log`));
    });
  });
  return {
    name,
    url,
    pid,
    stop: async () => {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      killGroup();
      process.removeListener('exit', killGroup);
      if (child.exitCode === null && child.signalCode === null) await gone;
      log.end();
      // The dev server is in the group too; give it a moment to release its SQLite file.
      await new Promise((r) => setTimeout(r, 500));
      if (!process.env.STORM_KEEP) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The floor (bench/floor-app.ts) on its own dev server. */
export async function startFloor(cliPath: string, bundlePath: string, smtpPort: number): Promise<Target> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'storm-floor-'));
  const env = {
    ...process.env,
    STORM_CLI: cliPath,
    STORM_DIR: dir,
    STORM_SMTP_PORT: String(smtpPort),
    STORM_FLOOR_BUNDLE: bundlePath,
  };
  return launch('floor', path.join(DIST, 'bench', 'floor-app.js'), env, dir, (l) => /^READY (\S+)/.exec(l)?.[1]);
}

/**
 * This system as `npm start` runs it (apps/start.js: embedded dev server with its SQLite file and Web UI,
 * payload encryption, signed mail links, board, ingestion), with its mail going to the sink and every port
 * free, so it can run beside other work on the machine.
 */
export async function startSystem(smtpPort: number): Promise<Target> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'storm-system-'));
  const ingestPort = await freePort();
  const config = {
    dataDir: path.join(dir, 'data'),
    temporal: { devServer: { port: await freePort(), uiPort: await freePort() } },
    smtp: { url: `smtp://127.0.0.1:${smtpPort}` },
    ingest: { port: ingestPort, sources: { generic: { bearerTokens: [TOKEN] } } },
    board: { port: await freePort() },
  };
  const configFile = path.join(dir, 'incident.config.json');
  await writeFile(configFile, JSON.stringify(config, null, 2));
  const env = { ...process.env, INCIDENT_CONFIG: configFile, INCIDENT_CODEC_PORT: String(await freePort()) };
  return launch('system', path.join(DIST, 'apps', 'start.js'), env, dir, (l) =>
    /^\s*Alert webhook:/.test(l) ? `http://127.0.0.1:${ingestPort}/v1/alerts/generic` : undefined,
  );
}
