import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { diagnoseConnectFailure } from '../../platform/tls-diagnosis';
import { expectNoStack, pollUntil, runCliProcess, type CliResult } from '../cli/harness';
import { uniqueId, trailKeyFor } from '../helpers/fixtures';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';
import { startConnectProxy } from '../helpers/connect-proxy';
import {
  makeTestPki,
  startTlsTerminator,
  type CertFiles,
  type TestPki,
  type TlsTerminator,
} from '../helpers/tls-terminator';

// The dev server has no TLS of its own, so a real TLS terminator stands in front of it: nginx, which
// requires a client certificate signed by the test CA and passes gRPC on. The worker process (and the
// ingestion service it runs) and the built CLI reach Temporal only through it, with mTLS and a server
// certificate whose name is not the address they dial. Clients without a certificate, with one from
// another CA, without TLS or without the server name are refused, and told which setting is wrong,
// without a stack trace (platform/tls-diagnosis.ts).

const PROJECT_DIR = path.resolve(__dirname, '..', '..');
const SERVER_NAME = 'temporal.incident.test';
const WEBHOOK_TOKEN = 'mtls-webhook-token-0123456789';

let dir: string;
let pki: TestPki;
let nginx: TlsTerminator | undefined;
let smtp: TestSmtp | undefined;
let worker: ChildProcess | undefined;
let workerExit: Promise<unknown> | undefined;
let workerLogs = '';
let webhook: string;
let responder: CertFiles;
let rogue: CertFiles;
let cliEnv: NodeJS.ProcessEnv;

/** The environment without any Temporal setting of the machine running the tests. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env))
    if (name.startsWith('TEMPORAL_') || name.startsWith('INCIDENT_') || name.startsWith('SMTP_')) delete env[name];
  return env;
}

const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runCliProcess(args, { ...cliEnv, ...extraEnv }, 30_000);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'incident-mtls-'));
  pki = await makeTestPki(path.join(dir, 'pki'), SERVER_NAME);
  const [workerCert, responderCert, rogueCert] = await Promise.all([
    pki.client('incident-worker'),
    pki.client('responder-alice'),
    pki.client('intruder', { rogue: true }),
  ]);
  responder = responderCert;
  rogue = rogueCert;
  nginx = await startTlsTerminator(path.join(dir, 'nginx'), inject('devServerAddress'), pki);
  smtp = await startTestSmtp();

  const dataDir = path.join(dir, 'data');
  const configFile = path.join(dir, 'incident.config.json');
  await writeFile(configFile, JSON.stringify({ dataDir, ingest: { port: 0 } }));
  const common = {
    ...cleanEnv(),
    TEMPORAL_ADDRESS: nginx.address,
    TEMPORAL_TLS_CA: pki.ca,
    TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
    INCIDENT_CONFIG: configFile,
    INCIDENT_TRAIL_KEY_FILE: trailKeyFor(dataDir),
    INCIDENT_TASK_QUEUE: uniqueId('mtls'),
    NO_COLOR: '1',
  };
  cliEnv = { ...common, TEMPORAL_TLS_CERT: responder.cert, TEMPORAL_TLS_KEY: responder.key, INCIDENT_ACTOR: 'alice' };
  worker = spawn(process.execPath, [path.join(PROJECT_DIR, 'dist', 'apps', 'start.js')], {
    env: {
      ...common,
      TEMPORAL_TLS_CERT: workerCert.cert,
      TEMPORAL_TLS_KEY: workerCert.key,
      SMTP_URL: smtp.url,
      INCIDENT_INGEST_GENERIC_TOKENS: WEBHOOK_TOKEN,
      INCIDENT_LOG_LEVEL: 'WARN',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workerExit = new Promise((r) => worker!.once('exit', r));
  worker.stdout!.on('data', (c: Buffer) => (workerLogs += c.toString()));
  worker.stderr!.on('data', (c: Buffer) => (workerLogs += c.toString()));
  let exited = false;
  void workerExit.then(() => (exited = true));
  const deadline = Date.now() + 60_000;
  while (!webhook) {
    webhook = /Alert webhook: (http:\/\/[^\s/]+)\/v1\/alerts/.exec(workerLogs)?.[1] ?? '';
    if (exited || Date.now() > deadline)
      throw new Error(`The worker did not start through nginx:\n${workerLogs}\n${await nginx.errorLog()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);

afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    worker.kill('SIGINT');
    const timer = setTimeout(() => worker?.kill('SIGKILL'), 15_000);
    await workerExit;
    clearTimeout(timer);
  }
  await nginx?.stop();
  await smtp?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('mTLS to Temporal through nginx (ssl_verify_client on)', () => {
  it('the worker, the CLI and the alert webhook work through the terminator with client certificates', async () => {
    // The CLI opens an incident; the worker, connected only through nginx, runs it and mails the CTO.
    const id = uniqueId('INC-MTLS');
    const opened = await cli([
      'open',
      '--id',
      id,
      '--title',
      'Web shell behind mTLS',
      '--severity',
      'SEV1',
      '--category',
      'intrusion',
      '--detection',
      'EDR alert',
      '--aware',
      '1h ago',
      '--json',
    ]);
    expect({ code: opened.code, stderr: opened.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(opened.stdout)).toMatchObject({ incidentId: id });
    await pollUntil(
      'the CTO mail',
      async () => smtp!.messages.filter((m) => m.to.includes('cto@example.com') && m.raw.includes(id)).length,
      (n) => n >= 1,
      30_000,
    );

    const shown = await cli(['show', id, '--json']);
    expect({ code: shown.code, stderr: shown.stderr }).toEqual({ code: 0, stderr: '' });
    const view = JSON.parse(shown.stdout);
    expect(view.state).toMatchObject({ incidentId: id, severity: 'SEV1' });
    const actions = (view.timeline as { action: string }[]).map((e) => e.action);
    expect(actions[0]).toBe('incident.opened');
    await pollUntil(
      'mail.sent in the audit trail',
      async () => JSON.parse((await cli(['audit', id, '--json'])).stdout) as { action: string }[],
      (entries) => entries.some((e) => e.action === 'mail.sent'),
      30_000,
    );
    const listed = await cli(['list', '--json']);
    expect({ code: listed.code, stderr: listed.stderr }).toEqual({ code: 0, stderr: '' });
    expect((JSON.parse(listed.stdout) as { incidentId: string }[]).map((i) => i.incidentId)).toContain(id);
    const acked = await cli(['ack', id]);
    expect({ code: acked.code, stderr: acked.stderr }).toEqual({ code: 0, stderr: '' });

    // An alert through the webhook: the ingestion service of the worker process starts the incident through nginx.
    const alertId = uniqueId('mtls-alert');
    const res = await fetch(`${webhook}/v1/alerts/generic`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: alertId,
        severity: 'SEV1',
        category: 'intrusion',
        title: 'Alert behind mTLS',
        observedAt: new Date().toISOString(),
      }),
    });
    expect(res.status).toBe(202);
    const alertIncident = ((await res.json()) as { incidents: { incidentId: string }[] }).incidents[0].incidentId;
    const alertView = await pollUntil(
      'the alert incident',
      async () => {
        const r = await cli(['show', alertIncident, '--json']);
        return r.code === 0 ? JSON.parse(r.stdout) : undefined;
      },
      (v) => Boolean(v?.timeline.some((e: { action: string }) => e.action === 'alert.received')),
      30_000,
    );
    expect(alertView.state.title).toBe('Alert behind mTLS');
    await pollUntil(
      'the CTO mail of the alert incident',
      async () => smtp!.messages.filter((m) => m.raw.includes(alertIncident)).length,
      (n) => n >= 1,
      30_000,
    );

    // Every call went through nginx with a verified certificate: the worker's polls under its own, the CLI's under the responder's.
    const log = await nginx!.accessLog();
    expect(log).toMatch(
      /^SUCCESS "[^"]*CN=incident-worker[^"]*" 200 \/temporal\.api\.workflowservice\.v1\.WorkflowService\/PollWorkflowTaskQueue$/m,
    );
    expect(log).toMatch(
      /^SUCCESS "[^"]*CN=incident-worker[^"]*" 200 \/temporal\.api\.workflowservice\.v1\.WorkflowService\/PollActivityTaskQueue$/m,
    );
    // The webhook shares the worker's connection and certificate, and starts a new incident eagerly.
    expect(log).toMatch(
      /^SUCCESS "[^"]*CN=incident-worker[^"]*" 200 \/temporal\.api\.workflowservice\.v1\.WorkflowService\/StartWorkflowExecution$/m,
    );
    expect(log).toMatch(
      /^SUCCESS "[^"]*CN=responder-alice[^"]*" 200 \/temporal\.api\.workflowservice\.v1\.WorkflowService\/StartWorkflowExecution$/m,
    );
    expect(
      log
        .trim()
        .split('\n')
        .filter((line) => !line.startsWith('SUCCESS ')),
    ).toEqual([]);
  });

  it('refuses a client without a certificate, with a certificate from another CA, without TLS or without the server name, and says which', async () => {
    const refusals: [string, NodeJS.ProcessEnv, RegExp][] = [
      [
        'no client certificate',
        { TEMPORAL_TLS_CERT: '', TEMPORAL_TLS_KEY: '' },
        /answered HTTP 400, as TLS terminators do when a client certificate is required and none was sent: set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY\.$/,
      ],
      [
        'a certificate from another CA',
        { TEMPORAL_TLS_CERT: rogue.cert, TEMPORAL_TLS_KEY: rogue.key },
        /answered HTTP 400, as TLS terminators do for a client certificate they do not accept: check that TEMPORAL_TLS_CERT is signed by a CA the server trusts and still valid\.$/,
      ],
      ['TLS disabled', { TEMPORAL_TLS: 'false' }, /speaks TLS and this client does not: set TEMPORAL_TLS_CA /],
      [
        'no server name',
        { TEMPORAL_TLS_SERVER_NAME: '' },
        /The server's certificate is not valid for 127\.0\.0\.1 \(it names DNS:temporal\.incident\.test\): set TEMPORAL_TLS_SERVER_NAME to a name it carries\.$/,
      ],
      [
        'no CA',
        { TEMPORAL_TLS_CA: '' },
        /The server's certificate is not signed by a CA this client trusts \([A-Z_]+\): set TEMPORAL_TLS_CA to the CA that signed it\.$/,
      ],
      [
        'TLS to the plain-text server behind nginx',
        { TEMPORAL_ADDRESS: inject('devServerAddress') },
        /did not complete a TLS handshake \([A-Z_]+\): it may not speak TLS; /,
      ],
    ];
    // In parallel: most of them wait out the CLI's 5 s connect timeout.
    const results = await Promise.all(
      refusals.map(async ([, env]) => {
        const started = Date.now();
        return {
          r: await cli(['list'], env),
          elapsedMs: Date.now() - started,
          address: env.TEMPORAL_ADDRESS ?? nginx!.address,
        };
      }),
    );
    refusals.forEach(([what, , hint], i) => {
      const { r, elapsedMs, address } = results[i];
      expect({ what, code: r.code, stdout: r.stdout }).toEqual({ what, code: 3, stdout: '' });
      expect(r.stderr, what).toMatch(new RegExp(`^Temporal is not reachable at ${address.replace(/\./g, '\\.')} \\(`));
      expect(r.stderr.trim(), what).toMatch(hint);
      expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
      expectNoStack(r);
      expect(elapsedMs, what).toBeLessThan(20_000); // the 5 s connect timeout, not the gRPC retries, with six CLI processes starting at once
    });
    const log = await nginx!.accessLog();
    expect(log).toMatch(/^NONE "-" 400 /m);
    expect(log).toMatch(/^FAILED:[^"]* "[^"]*CN=intruder[^"]*" 400 /m);
  });

  it('the CLI reaches nginx through an HTTP CONNECT proxy, with mTLS and the server name checked inside the tunnel', async () => {
    const proxy = await startConnectProxy();
    try {
      const id = uniqueId('INC-MTLS-PROXY');
      expect(
        (
          await cli([
            'open',
            '--id',
            id,
            '--title',
            'Through the proxy',
            '--severity',
            'SEV3',
            '--category',
            'intrusion',
            '--detection',
            'test',
          ])
        ).code,
      ).toBe(0);
      const listed = await cli(['list', '--json'], { https_proxy: proxy.url });
      expect({ code: listed.code, stderr: listed.stderr }).toEqual({ code: 0, stderr: '' });
      expect((JSON.parse(listed.stdout) as { incidentId: string }[]).map((i) => i.incidentId)).toContain(id);
      const shown = await cli(['show', id, '--json'], { https_proxy: proxy.url });
      expect({ code: shown.code, stderr: shown.stderr }).toEqual({ code: 0, stderr: '' });
      expect(proxy.tunnels.map((t) => t.target)).toEqual([nginx!.address, nginx!.address]);
      // Inside the tunnel the server name is still checked: without it the certificate does not match.
      const unnamed = await cli(['list'], { https_proxy: proxy.url, TEMPORAL_TLS_SERVER_NAME: '' });
      expect(unnamed.code).toBe(3);
      expect(unnamed.stderr).toMatch(/^Temporal is not reachable at 127\.0\.0\.1:\d+ \(UNAVAILABLE: .*altnames.*\)/);
    } finally {
      await proxy.close();
    }
    expect(await nginx!.accessLog()).toMatch(
      /^SUCCESS "[^"]*CN=responder-alice[^"]*" 200 \/temporal\.api\.workflowservice\.v1\.WorkflowService\/ListWorkflowExecutions$/m,
    );
  });

  it('a worker without a client certificate stops at start-up and says why', async () => {
    const child = spawn(process.execPath, [path.join(PROJECT_DIR, 'dist', 'apps', 'start.js')], {
      env: { ...cliEnv, TEMPORAL_TLS_CERT: '', TEMPORAL_TLS_KEY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect({ code, output: output.trim() }).toEqual({
      code: 1,
      output: expect.stringMatching(
        /^Temporal is not reachable at \S+ \(.*status: 400 Bad Request.*\)\. The server, or a TLS terminator in front of it, answered HTTP 400, as TLS terminators do when a client certificate is required and none was sent: set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY\.$/,
      ),
    });
  });
});

// A Temporal frontend with its own mTLS refuses in the TLS handshake rather than with HTTP 400 as nginx
// does; a Node TLS server that requires client certificates stands in for it here.
describe('what the TLS diagnosis tells an operator, for refusals nginx does not make', () => {
  const read = (file: string) => readFileSync(file);
  let server: tls.Server;
  let address: string;
  beforeAll(async () => {
    // It speaks first, as an HTTP/2 server does (an empty SETTINGS frame), to the clients it accepts.
    server = tls.createServer(
      {
        cert: read(pki.server.cert),
        key: read(pki.server.key),
        ca: read(pki.ca),
        requestCert: true,
        rejectUnauthorized: true,
        ALPNProtocols: ['h2'],
      },
      (s) => {
        s.on('error', () => undefined);
        s.end(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]));
      },
    );
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  const settings = (cert?: CertFiles) => ({
    serverNameOverride: SERVER_NAME,
    serverRootCACertificate: read(pki.ca),
    clientCertPair: cert ? { crt: read(cert.cert), key: read(cert.key) } : undefined,
  });
  const deadline = new Error('Failed to connect before the deadline');

  it('names the missing or refused client certificate, and is silent when TLS is not the problem', async () => {
    expect(await diagnoseConnectFailure(address, settings(), deadline)).toMatch(
      /^The server refused the TLS handshake \(TLSV13_ALERT_CERTIFICATE_REQUIRED\): it requires a client certificate; set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY\.$/,
    );
    // Node, unlike Go, hangs up on an unknown client certificate without a TLS alert.
    expect(await diagnoseConnectFailure(address, settings(rogue), deadline)).toMatch(
      /^The server hung up right after the TLS handshake, without a word: it may not accept this client certificate; check that TEMPORAL_TLS_CERT is signed by a CA the server trusts and still valid\.$/,
    );
    expect(await diagnoseConnectFailure(address, settings(responder), deadline)).toBeUndefined();
    expect(await diagnoseConnectFailure('127.0.0.1:1', settings(responder), deadline)).toBeUndefined();
    expect(await diagnoseConnectFailure('127.0.0.1:1', undefined, deadline)).toBeUndefined();
    const badGateway = new Error(
      'Failed to call GetSystemInfo: protocol error while receiving response with status: 502 Bad Gateway',
    );
    expect(await diagnoseConnectFailure(nginx!.address, settings(responder), badGateway)).toMatch(
      /answered HTTP 502: the TLS settings were accepted, but it cannot reach the Temporal server behind it\.$/,
    );
  });
});
