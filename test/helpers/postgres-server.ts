import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../platform/dev-server';

// PostgreSQL from Debian's packages, started for one test run in a temporary directory: initdb, then the
// server on a free loopback port. PostgreSQL refuses to run as root, and CI runs the tests as root, so
// there it runs as the package's own `postgres` account. Two roles, as an operator sets them up: the
// owner that applies migrations, and the worker's role, which may only insert and select.

const run = promisify(execFile);

export interface TestPostgres {
  /** The owner's connection: applies migrations, owns the tables. */
  ownerUrl: string;
  /** The worker's connection: INSERT and SELECT on the trail, nothing else. */
  workerUrl: string;
  port: number;
  /** Stops the server, keeping its data (a fault test's outage). */
  halt(): Promise<void>;
  /** Starts it again on the same port and data after halt(). */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

function binDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length)
    throw new Error(
      "The storage tests need PostgreSQL from Debian's packages: run `apt-get install postgresql` (as .ci/run does), or set PG_BIN to the folder holding initdb and postgres.",
    );
  return path.join(root, versions[0], 'bin');
}

/** As root, the package's postgres account runs the server; otherwise we do. */
async function serverAccount(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const { stdout } = await run('id', ['postgres']).catch(() => {
    throw new Error(
      'The tests run as root and PostgreSQL refuses root: the `postgres` account from the postgresql package is needed (apt-get install postgresql).',
    );
  });
  const m = /uid=(\d+)\([^)]*\) gid=(\d+)/.exec(stdout)!;
  return { uid: Number(m[1]), gid: Number(m[2]) };
}

const OWNER_PASSWORD = 'owner-test-password';
const WORKER_PASSWORD = 'worker-test-password';

/** `durable`: fsync on, as a production server runs (a benchmark); tests leave it off for speed. */
export async function startTestPostgres({ durable = false } = {}): Promise<TestPostgres> {
  const bin = binDir();
  const account = await serverAccount();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'incident-pg-'));
  const data = path.join(dir, 'data');
  const socket = path.join(dir, 'socket');
  await mkdir(data);
  await mkdir(socket);
  if (account) {
    await chmod(dir, 0o755);
    for (const d of [data, socket]) await chown(d, account.uid, account.gid);
  }
  const as = account ? { uid: account.uid, gid: account.gid } : {};
  const pwfile = path.join(dir, 'pw');
  await writeFile(pwfile, 'superuser-test-password\n', { mode: 0o644 });
  await run(
    path.join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-sync'],
    {
      ...as,
      env: { ...process.env, LC_ALL: 'C' },
    },
  );
  await rm(pwfile);
  const port = await freePort();
  let log = '';
  let server: ChildProcess;
  let exited: Promise<void>;
  const launch = async () => {
    server = spawn(
      path.join(bin, 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        socket,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `fsync=${durable ? 'on' : 'off'}`,
      ],
      { ...as, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    server.stderr?.on('data', (d) => (log = (log + d).slice(-4000)));
    exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
    for (let i = 0; ; i++) {
      try {
        await run(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]);
        return;
      } catch {
        if (i > 100 || server.exitCode !== null) throw new Error(`PostgreSQL did not start: ${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  /** A fast shutdown: open connections are cut, as when the database host goes away. */
  const halt = async () => {
    server.kill('SIGINT');
    await exited;
  };
  await launch();
  const psql = (sql: string) =>
    run(
      path.join(bin, 'psql'),
      ['-h', socket, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', sql],
      {
        ...as,
        env: { ...process.env, PGPASSWORD: 'superuser-test-password' },
      },
    );
  // The owner may create databases, so that a test can migrate a database of its own from nothing.
  await psql(`CREATE ROLE incident_owner LOGIN CREATEDB PASSWORD '${OWNER_PASSWORD}'`);
  await psql(`CREATE ROLE incident_worker LOGIN PASSWORD '${WORKER_PASSWORD}'`);
  await psql('CREATE DATABASE incidents OWNER incident_owner');
  await psql('REVOKE ALL ON DATABASE incidents FROM PUBLIC');
  await psql('GRANT CONNECT ON DATABASE incidents TO incident_worker');
  return {
    ownerUrl: `postgres://incident_owner:${OWNER_PASSWORD}@127.0.0.1:${port}/incidents`,
    workerUrl: `postgres://incident_worker:${WORKER_PASSWORD}@127.0.0.1:${port}/incidents`,
    port,
    halt,
    resume: launch,
    async stop() {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
