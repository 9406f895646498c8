import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../platform/dev-server';

// A real Prometheus Alertmanager (Debian's prometheus-alertmanager), configured with a webhook receiver
// that posts to the ingestion service with a bearer token, as an operator would set it up.

const BINARY = '/usr/bin/prometheus-alertmanager';
const EMAIL_TEMPLATE = '/usr/share/prometheus/alertmanager/email.tmpl';

/** Installs the Debian package when it is missing and this is a root shell with apt-get; else says how. */
export function ensureAlertmanager(): string {
  if (!existsSync(BINARY)) {
    const root = process.getuid?.() === 0;
    if (!root || spawnSync('which', ['apt-get']).status !== 0) {
      throw new Error(
        'This test needs Prometheus Alertmanager: apt-get install prometheus-alertmanager (.ci/run does it).',
      );
    }
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    const install = spawnSync('apt-get', ['install', '-y', '-qq', 'prometheus-alertmanager'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (update.status !== 0 || install.status !== 0 || !existsSync(BINARY))
      throw new Error('Installing prometheus-alertmanager with apt-get failed.');
  }
  // The package can ship without the e-mail template that its default configuration loads.
  if (!existsSync(EMAIL_TEMPLATE)) {
    mkdirSync(path.dirname(EMAIL_TEMPLATE), { recursive: true });
    writeFileSync(EMAIL_TEMPLATE, '');
  }
  return BINARY;
}

export interface RunningAlertmanager {
  url: string;
  fire(
    alerts: {
      labels: Record<string, string>;
      annotations?: Record<string, string>;
      startsAt?: string;
      endsAt?: string;
    }[],
  ): Promise<void>;
  stop(): Promise<void>;
}

export async function startAlertmanager(webhookUrl: string, bearerToken: string): Promise<RunningAlertmanager> {
  const binary = ensureAlertmanager();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alertmanager-'));
  const port = await freePort();
  await writeFile(
    path.join(dir, 'alertmanager.yml'),
    [
      'route:',
      '  receiver: incident-response',
      "  group_by: ['alertname']",
      '  group_wait: 1s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: incident-response',
      '    webhook_configs:',
      `      - url: ${webhookUrl}`,
      '        send_resolved: true',
      '        http_config:',
      '          authorization:',
      '            type: Bearer',
      `            credentials: ${bearerToken}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Alertmanager exited: ${stderr.slice(-500)}`);
    const ok = await fetch(`${url}/-/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`Alertmanager did not become ready: ${stderr.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    async fire(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (!res.ok) throw new Error(`Alertmanager refused the alerts: ${res.status} ${await res.text()}`);
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
