import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';

// The embedded Temporal: `temporal server start-dev` with a SQLite file under the data dir, so open
// incidents and their timers survive a restart, and the Web UI on its own port.

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  cliPath: string;
  dbFile?: string;
  ip?: string;
  port: number;
  uiPort?: number;
  namespace?: string;
  logFile: string;
  extraArgs?: string[];
  /** Registered at start, so a fresh server can take incidents at once (workflows/incident-api.ts names them). */
  searchAttributes: readonly { name: string; type: string }[];
}

function portFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, ip, () => server.close(() => resolve(true)));
  });
}

export async function freePort(ip = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, ip, () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  for (const [what, port] of [
    ['Temporal', opts.port],
    ['Web UI', opts.uiPort],
  ] as const) {
    if (port !== undefined && !(await portFree(ip, port))) {
      throw new Error(
        `Port ${port} (${what}) on ${ip} is already in use: is another \`npm start\` running? Stop it, or choose other ports with INCIDENT_DEV_SERVER_PORT / INCIDENT_DEV_SERVER_UI_PORT.`,
      );
    }
  }
  await mkdir(path.dirname(opts.logFile), { recursive: true });
  if (opts.dbFile) await mkdir(path.dirname(opts.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(opts.port),
    '--namespace',
    opts.namespace ?? 'default',
    '--log-level',
    'warn',
    ...(opts.dbFile ? ['--db-filename', opts.dbFile] : []),
    ...(opts.uiPort ? ['--ui-port', String(opts.uiPort)] : ['--headless']),
    ...opts.searchAttributes.flatMap((sa) => [
      '--search-attribute',
      `${sa.name}=${sa.type === 'DATETIME' ? 'Datetime' : 'Keyword'}`,
    ]),
    ...(opts.extraArgs ?? []),
  ];
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const child = spawn(opts.cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited: string | undefined;
  // The server must not outlive the process that started it, however that process ends.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? `code ${code}`}`;
    process.removeListener('exit', killOnExit);
  });
  const address = `${ip}:${opts.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`The Temporal dev server ${exited} during start-up; see ${opts.logFile}.`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1s' });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`The Temporal dev server did not answer on ${address} within 60 s; see ${opts.logFile}.`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    address,
    uiUrl: opts.uiPort ? `http://${ip}:${opts.uiPort}` : undefined,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited || child.exitCode !== null) return resolve();
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(killer);
          log.end();
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
