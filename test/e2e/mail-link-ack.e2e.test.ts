import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IncidentClient } from '../../client/incident-client';
import { ActionRefused } from '../../domain/actions';
import { signLinkToken, verifyLinkToken, type LinkAction } from '../../domain/links/link-token';
import { loadLinkSigner, type LinkSigner } from '../../platform/link-key';
import { trailKeyFor, uniqueId } from '../helpers/fixtures';
import { recordHistory } from '../helpers/histories';
import * as api from '../../workflows/incident-api';
import { WORKER_MAIN } from '../helpers/worker-process';

// The production worker (as `npm start` runs it against a cluster, with its link key from the
// environment and no roster) mails the senior alert one message per recipient, each with its own three
// links; the CTO's acknowledge link acknowledges through IncidentClient.acknowledgeViaLink, which the
// board calls; the workflow itself refuses every link that is not that one, and no link ever reaches the
// worker's output or the audit trail.

const LABELS: Record<LinkAction, string> = {
  acknowledge: 'Acknowledge',
  'open-incident': 'Open the incident',
  'open-board': 'Open the board',
};

let connection: Connection;
let worker: ChildProcess | undefined;
let output = '';
let dataDir: string;
let signer: LinkSigner;
let incidents: IncidentClient;
let taskQueue: string;

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('devServerAddress') });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-mail-links-'));
  signer = loadLinkSigner({ dataDir: `${dataDir}.link-key`, links: { publicKeys: [] } }, { create: true });
  const configFile = path.join(dataDir, 'incident.config.json');
  await writeFile(configFile, JSON.stringify({ dataDir, ingest: { enabled: false } }));
  taskQueue = uniqueId('mail-links');
  worker = spawn(process.execPath, [WORKER_MAIN], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: inject('devServerAddress'),
      INCIDENT_CONFIG: configFile,
      INCIDENT_TRAIL_KEY_FILE: trailKeyFor(dataDir),
      INCIDENT_LINK_KEY_FILE: signer.file,
      INCIDENT_BOARD_PUBLIC_URL: 'https://board.example.com',
      INCIDENT_TASK_QUEUE: taskQueue,
      INCIDENT_LOG_LEVEL: 'INFO',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  worker.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  incidents = new IncidentClient(new Client({ connection }), taskQueue);
});

afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    const exited = new Promise((r) => worker!.once('exit', r));
    worker.kill('SIGTERM');
    await exited;
  }
  await connection?.close();
});

async function open(): Promise<string> {
  const incidentId = uniqueId('MLNK');
  await incidents.open({
    incidentId,
    title: 'Web shell on web-01',
    severity: 'SEV1',
    category: 'intrusion',
    systems: [],
    detection: 'EDR',
    awareAt: new Date().toISOString(),
    openedBy: 'alice',
  });
  return incidentId;
}

/** The outbox's senior alerts for an incident: recipient -> action -> token. */
async function alertTokens(incidentId: string): Promise<Map<string, Map<LinkAction, string>>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const emls = await outbox();
    const alerts = [];
    for (const eml of emls) {
      const mail = await simpleParser(eml);
      if (mail.subject?.includes(`Security incident ${incidentId}:`)) alerts.push(mail);
    }
    if (alerts.length >= 2) {
      const byRecipient = new Map<string, Map<LinkAction, string>>();
      for (const mail of alerts) {
        const to = (Array.isArray(mail.to) ? mail.to : [mail.to!]).flatMap((a) => a.value.map((v) => v.address!));
        expect(to).toHaveLength(1);
        const links = new Map<LinkAction, string>();
        for (const [action, label] of Object.entries(LABELS) as [LinkAction, string][]) {
          const url = new RegExp(`${label}: (https://board\\.example\\.com/l/\\S+)`).exec(mail.text ?? '')?.[1];
          expect(url, `${action} link in the mail to ${to[0]}`).toBeDefined();
          expect(mail.html).toContain(`href="${url}"`);
          links.set(action, url!.slice('https://board.example.com/l/'.length));
        }
        byRecipient.set(to[0], links);
      }
      return byRecipient;
    }
    if (Date.now() > deadline) throw new Error(`no senior alert for ${incidentId}; worker said:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function outbox(): Promise<string[]> {
  const dir = path.join(dataDir, 'outbox');
  const files = await readdir(dir).catch(() => [] as string[]);
  return Promise.all(files.filter((f) => f.endsWith('.eml')).map((f) => readFile(path.join(dir, f), 'utf8')));
}

async function trail(incidentId: string): Promise<{ action: string; actor: string; details: any }[]> {
  const text = await readFile(path.join(dataDir, 'audit', `${incidentId}.jsonl`), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

const refusal = (incidentId: string, token: string, recipient: string) =>
  incidents.acknowledgeViaLink(incidentId, token, recipient).then(
    () => 'accepted',
    (err: Error) => {
      expect(err).toBeInstanceOf(ActionRefused);
      return err.message;
    },
  );

describe('acknowledging through a mail link, without a roster', () => {
  it('acknowledges with the CTO link once, refuses every other link, and never writes a link down', async () => {
    const first = await open();
    const links = await alertTokens(first);
    expect([...links.keys()].sort()).toEqual(['ciso@example.com', 'cto@example.com']);
    const cto = links.get('cto@example.com')!;
    const claims = verifyLinkToken(cto.get('acknowledge')!, [signer.publicKey], new Date(), {
      action: 'acknowledge',
      incidentId: first,
      recipient: 'cto@example.com',
    });

    // Another person cannot use the CTO's link, even by naming themselves.
    expect(await refusal(first, cto.get('acknowledge')!, 'ciso@example.com')).toMatch(/sent to someone else/);
    const result = await incidents.acknowledgeViaLink(first, cto.get('acknowledge')!, 'cto@example.com');
    expect(result.ok).toBe(true);
    const view = await incidents.view(first);
    expect(view.state.acknowledgement?.by).toBe('cto@example.com');
    const acked = (await trail(first)).filter((e) => e.action === 'incident.acknowledged');
    expect(acked).toHaveLength(1);
    expect(acked[0].actor).toBe('cto@example.com');
    expect(acked[0].details).toMatchObject({ via: 'mail link', linkId: claims.id });
    expect(await refusal(first, cto.get('acknowledge')!, 'cto@example.com')).toBe(
      `Incident ${first} was already acknowledged by cto@example.com at ${view.state.acknowledgement!.at}.`,
    );

    await recordHistory('acknowledged-via-mail-link-no-roster', incidents.handle(first));

    const second = await open();
    const mine = (await alertTokens(second)).get('cto@example.com')!;
    const ack = mine.get('acknowledge')!;
    const sign = (over: Record<string, string>) =>
      signLinkToken(
        {
          v: 1,
          id: 'made-here',
          action: 'acknowledge',
          incidentId: second,
          recipient: 'cto@example.com',
          issuedAt: new Date(Date.now() - 7_200_000).toISOString(),
          expiresAt: new Date(Date.now() - 1_000).toISOString(),
          ...over,
        },
        signer.sign,
      );
    const cases: [string, string, RegExp][] = [
      ['for another incident', cto.get('acknowledge')!, /another incident/],
      ['for the board', mine.get('open-board')!, /another action \(open-board\)/],
      ['to open the incident', mine.get('open-incident')!, /another action \(open-incident\)/],
      ['expired', sign({}), /expired/],
      ['altered', `${ack.slice(0, -4)}${ack.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`, /changed after it was sent/],
      [
        'for someone the policy does not name',
        sign({ recipient: 'mallory@evil.test', expiresAt: '2099-01-01T00:00:00.000Z' }),
        /not a recipient the policy names/,
      ],
    ];
    for (const [what, token, message] of cases) {
      const recipient = what.startsWith('for someone') ? 'mallory@evil.test' : 'cto@example.com';
      expect(await refusal(second, token, recipient), what).toMatch(message);
    }
    expect((await incidents.view(second)).state.acknowledgement).toBeUndefined();
    // A refusal in the validator never enters history: the worker records it a moment later, by signal.
    const refusedBy = Date.now() + 20_000;
    let refused = (await trail(second)).filter((e) => e.action === 'access.refused');
    while (refused.length < cases.length && Date.now() < refusedBy) {
      await new Promise((r) => setTimeout(r, 200));
      refused = (await trail(second)).filter((e) => e.action === 'access.refused');
    }
    expect(refused.map((e) => e.details.reason)).toEqual(cases.map(() => 'bad-link'));

    // No link from any mail reaches the worker's output or any trail.
    const bodies = await Promise.all((await outbox()).map(async (eml) => (await simpleParser(eml)).text ?? ''));
    const tokens = [...bodies.join('\n').matchAll(/board\.example\.com\/l\/([A-Za-z0-9_.-]+)/g)].map((m) => m[1]);
    expect(tokens.length).toBeGreaterThanOrEqual(12);
    const trails = (await Promise.all([first, second].map((id) => trail(id)))).map((t) => JSON.stringify(t)).join('\n');
    expect(output).toContain('Mail links:');
    for (const token of new Set([...tokens, ...cases.map(([, t]) => t)])) {
      expect(output.includes(token), 'a link in the worker output').toBe(false);
      expect(trails.includes(token), 'a link in the trail').toBe(false);
    }
  });

  it('still accepts the link after the incident continued as new', async () => {
    const incidentId = uniqueId('MLCN');
    const client = new Client({ connection });
    const handle = await client.workflow.start(api.WORKFLOW_TYPE, {
      workflowId: incidentId,
      taskQueue: taskQueue,
      args: [
        {
          request: {
            incidentId,
            title: 'Credential stuffing',
            severity: 'SEV3',
            category: 'intrusion',
            systems: [],
            detection: 'WAF',
            awareAt: new Date().toISOString(),
            openedBy: 'ian',
          },
          maxHistoryEvents: 60,
        } satisfies api.IncidentWorkflowInput,
      ],
    });
    const token = (await alertTokens(incidentId)).get('cto@example.com')!.get('acknowledge')!;
    for (
      let i = 0;
      (await client.workflow.getHandle(incidentId).describe()).runId === handle.firstExecutionRunId;
      i++
    ) {
      if (i > 40) throw new Error('the incident never continued as new');
      await incidents.act(incidentId, api.noteUpdate, { actor: 'ian', text: `note ${i}` });
    }
    expect(await refusal(incidentId, token, 'ciso@example.com')).toMatch(/sent to someone else/);
    expect((await incidents.acknowledgeViaLink(incidentId, token, 'cto@example.com')).ok).toBe(true);
    expect((await incidents.view(incidentId)).state.acknowledgement?.by).toBe('cto@example.com');
  });
});
