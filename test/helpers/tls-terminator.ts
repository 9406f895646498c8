import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../platform/dev-server';

// A real TLS terminator in front of the dev server, which has no TLS of its own: nginx from Debian,
// requiring a client certificate signed by the test CA and passing gRPC on to the server in clear.
// Certificates are made here with the openssl CLI, in a folder of the test's own.

const run = promisify(execFile);

export interface CertFiles {
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  /** The name in the server certificate, which clients must be told since they connect to 127.0.0.1. */
  serverName: string;
  /** The CA that signed the server certificate and the accepted client certificates. */
  ca: string;
  server: CertFiles;
  /** Signs nothing nginx accepts. */
  rogueCa: string;
  /** A client certificate with this CN, signed by the test CA (or by the rogue CA when `rogue`). */
  client(name: string, options?: { rogue?: boolean }): Promise<CertFiles>;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (err) {
    throw new Error(
      `openssl ${args.join(' ')} failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`,
      { cause: err },
    );
  }
}

// A config of our own, so the result does not depend on the machine's openssl.cnf.
const REQ_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
`;

async function makeCa(dir: string, name: string, cn: string): Promise<string> {
  await openssl(
    [
      'req',
      '-config',
      'req.cnf',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/O=Incident Response Test/CN=${cn}`,
      '-extensions',
      'ca',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
    ],
    dir,
  );
  return path.join(dir, `${name}.pem`);
}

async function makeLeaf(dir: string, name: string, cn: string, ca: string, extensions: string): Promise<CertFiles> {
  await writeFile(
    path.join(dir, `${name}.ext`),
    `basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n${extensions}\n`,
  );
  await openssl(
    [
      'req',
      '-config',
      'req.cnf',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      `/O=Incident Response Test/CN=${cn}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    ],
    dir,
  );
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}.key`,
      '-set_serial',
      `0x${randomBytes(12).toString('hex')}`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ],
    dir,
  );
  return { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
}

/** A CA, a server certificate for `serverName` (a SAN, so the client must be told the name), and a rogue CA. */
export async function makeTestPki(dir: string, serverName: string): Promise<TestPki> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'req.cnf'), REQ_CONFIG);
  const [ca, rogueCa] = await Promise.all([makeCa(dir, 'ca', 'Incident Test CA'), makeCa(dir, 'rogue-ca', 'Rogue CA')]);
  const server = await makeLeaf(
    dir,
    'server',
    serverName,
    'ca',
    `extendedKeyUsage = serverAuth\nsubjectAltName = DNS:${serverName}`,
  );
  return {
    dir,
    serverName,
    ca,
    server,
    rogueCa,
    client: (name, { rogue = false } = {}) =>
      makeLeaf(dir, `client-${name}`, name, rogue ? 'rogue-ca' : 'ca', 'extendedKeyUsage = clientAuth'),
  };
}

export interface TlsTerminator {
  /** 127.0.0.1:<port>, where clients connect with TLS. */
  address: string;
  port: number;
  /** One line per gRPC call: `<client verify> <client subject> <status> <method path>`. */
  accessLog(): Promise<string>;
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

function nginxConfig(dir: string, port: number, upstream: string, pki: TestPki): string {
  const p = (f: string) => path.join(dir, f);
  // As root, nginx would hand its workers to `nobody`, who cannot enter the test's private folder.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  return `${user}worker_processes 1;
daemon off;
pid ${p('nginx.pid')};
lock_file ${p('nginx.lock')};
error_log ${p('error.log')} info;
events { worker_connections 512; }
http {
  log_format grpc '$ssl_client_verify "$ssl_client_s_dn" $status $request_uri';
  access_log ${p('access.log')} grpc;
  client_body_temp_path ${p('tmp/body')};
  proxy_temp_path ${p('tmp/proxy')};
  fastcgi_temp_path ${p('tmp/fastcgi')};
  uwsgi_temp_path ${p('tmp/uwsgi')};
  scgi_temp_path ${p('tmp/scgi')};
  upstream temporal {
    server ${upstream};
    keepalive 16;
  }
  server {
    # Debian 12's nginx 1.22 syntax; from 1.25.1 on it still works, with a warning to use "http2 on".
    listen 127.0.0.1:${port} ssl http2;
    server_name ${pki.serverName};
    ssl_certificate ${pki.server.cert};
    ssl_certificate_key ${pki.server.key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_verify_client on;
    ssl_verify_depth 1;
    ssl_client_certificate ${pki.ca};
    # gRPC: no body limit, and the workers' long polls (about a minute) must not be cut.
    client_max_body_size 0;
    keepalive_timeout 600s;
    keepalive_requests 1000000;
    location / {
      grpc_pass grpc://temporal;
      grpc_read_timeout 300s;
      grpc_send_timeout 300s;
    }
  }
}
`;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** NGINX_PATH, else Debian's (in /usr/sbin, which is not on every user's PATH), else whichever is on PATH. */
function nginxBinary(): string {
  return process.env.NGINX_PATH || (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx');
}

/** nginx in the foreground, with every path of its own under `dir`, requiring client certificates from `pki.ca`. */
export async function startTlsTerminator(dir: string, upstream: string, pki: TestPki): Promise<TlsTerminator> {
  await mkdir(path.join(dir, 'tmp'), { recursive: true });
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  await writeFile(conf, nginxConfig(dir, port, upstream, pki));
  const child: ChildProcess = spawn(nginxBinary(), ['-p', `${dir}/`, '-c', conf], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => ((exited = true), resolve()));
    child.once('error', (err) => {
      stderr += `${err.message} (install it with: apt-get install nginx-light, or set NGINX_PATH)`;
      exited = true;
      resolve();
    });
  });
  const errorLog = () => readFile(path.join(dir, 'error.log'), 'utf8').catch(() => '');
  const deadline = Date.now() + 10_000;
  // The pid file is written once the port is bound: a port answering before that is someone else's.
  while (!(existsSync(path.join(dir, 'nginx.pid')) && (await canConnect(port)))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not start on port ${port}: ${stderr}\n${await errorLog()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    address: `127.0.0.1:${port}`,
    port,
    accessLog: () => readFile(path.join(dir, 'access.log'), 'utf8').catch(() => ''),
    errorLog,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM'); // fast shutdown: a graceful one would wait for the long polls
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
