import { createPrivateKey, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { generateSigningKey, signerFromKey, type ActionSigner } from '../client/action-signer';
import { IncidentClient, type UpdateDef } from '../client/incident-client';
import { verifyProofs } from '../domain/access';
import type { Role } from '../domain/access-policy';
import { ConfigError, type Config } from '../platform/config/schema';
import { formatInZone } from '../domain/time-format';
import type { TrailHead } from '../domain/trail-head';
import { verifyTrail } from '../domain/trail-verification';
import { trustedTrailKeys } from '../platform/trail-key';
import { loadLinkSigner } from '../platform/link-key';
import { loadConfig } from '../platform/config/loader';
import { checkClockSettings } from '../worker/clock-settings';
import { connectClient, TemporalUnreachableError } from '../platform/connection';
import { connectWorker } from '../platform/worker-connection';
import { installationEncryption } from '../platform/encryption/codec';
import type { DevServer } from '../platform/dev-server';
import { startEmbeddedTemporal } from '../platform/embedded-temporal';
import { createIncidentWorker, dataPaths } from '../worker/create-worker';
import * as api from '../workflows/incident-api';
import { installRuntime } from '../worker/runtime';

// `npm run demo`: one scripted incident through every step of the procedure on the embedded default,
// against a lab system whose disk image it creates. It uses a running `npm start` server when there is
// one, or starts the dev server itself, and runs its own worker so the lab system's drivers apply.

const LAB_SYSTEM = 'lab-web-01';
const IMAGE_BYTES = 32 * 1024 * 1024;

const step = (text: string) => console.log(`  ✓ ${text}`);

/** The people of the scripted incident, each with a signing key made for this run and the roles they act in. */
const CAST: Record<string, Role[]> = {
  'bob (CTO)': ['incident-commander', 'leadership'],
  'dora (DPO)': ['legal'],
  'erin (account manager)': ['communications'],
};

function castWithKeys(): { access: Config['access']; signers: Record<string, ActionSigner> } {
  const roster: Config['access']['roster'] = {};
  const signers: Record<string, ActionSigner> = {};
  for (const [name, roles] of Object.entries(CAST)) {
    const key = generateSigningKey();
    roster[name] = { roles, publicKey: key.publicKey };
    signers[name] = signerFromKey(createPrivateKey(key.privateKeyPem));
  }
  // The demo's own worker enforces the default role mapping with this roster, so every action is signed.
  return { access: { roster, actionRoles: {}, maxSignatureAgeSeconds: 300 }, signers };
}

async function labSystem(config: Config): Promise<Config> {
  const labDir = path.join(config.dataDir, 'lab');
  await mkdir(labDir, { recursive: true });
  const image = path.join(labDir, `${LAB_SYSTEM}.img`);
  if (!existsSync(image)) {
    // A disk image with a recognisable header and random content, standing in for a compromised server.
    await writeFile(image, Buffer.concat([Buffer.from('LAB DISK IMAGE lab-web-01\n'), randomBytes(IMAGE_BYTES)]));
  }
  const marker = path.join(labDir, `${LAB_SYSTEM}.isolated`);
  return {
    ...config,
    temporal: { ...config.temporal, taskQueue: `${config.temporal.taskQueue}-demo` },
    systems: {
      ...config.systems,
      [LAB_SYSTEM]: {
        description: 'Lab web server (demo)',
        isolation: { driver: 'command', isolate: ['touch', marker], release: ['rm', '-f', marker], timeoutSeconds: 30 },
        evidence: { driver: 'local', path: image },
      },
    },
  };
}

async function temporalAddress(config: Config): Promise<{ address: string; server?: DevServer }> {
  if (config.temporal.address) return { address: config.temporal.address };
  const { ip, port } = config.temporal.devServer;
  const address = `${ip}:${port}`;
  try {
    const probe = await Connection.connect({ address, connectTimeout: '2s' });
    await probe.workflowService.getSystemInfo({});
    await probe.close();
    console.log(`Using the Temporal server already running at ${address} (npm start).`);
    return { address };
  } catch {
    const server = await startEmbeddedTemporal(config, dataPaths(config.dataDir).temporal, {
      searchAttributes: api.SEARCH_ATTRIBUTES,
    });
    console.log(`Started the embedded Temporal dev server at ${address}; Web UI at ${server.uiUrl}.`);
    return { address, server };
  }
}

async function main(): Promise<void> {
  installRuntime();
  const started = Date.now();
  const cast = castWithKeys();
  const config = { ...(await labSystem(loadConfig())), access: cast.access };
  checkClockSettings(config.policyProfiles);
  const paths = dataPaths(config.dataDir);
  const { address, server } = await temporalAddress(config);
  const nativeConnection = await connectWorker(config, address);
  const connection = await connectClient(config, address);
  const { dataConverter, atRest } = installationEncryption(process.env, config, { create: !config.temporal.address });
  // Leadership mail carries signed links as `npm start` sends it: one message per recipient.
  const linkSigner = loadLinkSigner(config, { create: !config.temporal.address });
  if (linkSigner.created) console.log(`Created the link key ${linkSigner.file} (readable by its owner only).`);
  const { worker, mailer, audit } = await createIncidentWorker(
    nativeConnection,
    config,
    { workflowsPath: require.resolve('../workflows') },
    { dataConverter },
    { atRest, linkSigner },
  );
  const incidents = new IncidentClient(
    new Client({ connection, namespace: config.temporal.namespace, dataConverter }),
    config.temporal.taskQueue,
  );
  const tz = config.policy.timeZone;
  const incidentId = `DEMO-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}`;
  // Each action is signed by the person taking it; the demo's worker checks it against the cast's roster.
  const act = <I extends { actor: string }>(update: UpdateDef<I>, input: I) =>
    incidents.act(incidentId, update, input, cast.signers[input.actor]);

  let temporalHead: TrailHead | undefined;
  try {
    await worker.runUntil(async () => {
      console.log(`\nIncident ${incidentId}: a web shell found on ${LAB_SYSTEM}\n`);
      const awareAt = new Date(Date.now() - 90 * 60_000).toISOString();
      await incidents.open({
        incidentId,
        title: `Web shell found on ${LAB_SYSTEM}`,
        severity: 'SEV1',
        category: 'intrusion',
        systems: [LAB_SYSTEM],
        detection: 'EDR alert: php-fpm spawned /bin/sh with an outbound connection',
        awareAt,
        summary: 'An attacker uploaded a web shell through a vulnerable CMS plugin and read the customer table.',
        openedBy: 'alice (demo)',
      });
      step(`opened; every clock runs from awareness at ${formatInZone(awareAt, tz)}`);
      await incidents.waitFor(incidentId, (v) => v.state.escalationsSent > 0);
      step(`senior personnel told at once: ${config.policy.escalation[0].join(', ')}`);
      await act(api.acknowledgeUpdate, { actor: 'bob (CTO)' });
      step('acknowledged by bob (CTO); escalation stopped');
      const contained = await incidents.waitFor(incidentId, (v) => v.phase !== 'containment', 120_000);
      const evidence = contained.state.systems[0].evidenceRecords[0];
      step(`${LAB_SYSTEM} isolated by its command driver`);
      step(`forensic copy: ${evidence.sizeBytes} bytes, SHA-256 ${evidence.sha256}, verified on the stored copy`);
      const assessed = await act(api.assessUpdate, {
        actor: 'dora (DPO)',
        dataImpact: 'personal',
        customers: [
          { name: 'ACME SAS', email: 'security@acme.example' },
          { name: 'Globex', email: 'dpo@globex.example' },
        ],
        dataCategories: ['names', 'email addresses', 'hashed passwords'],
        approxPeople: 3200,
        approxRecords: 15_000,
        likelyConsequences: 'phishing aimed at the affected people',
        measures: 'web shell removed, passwords reset, plugin patched',
      });
      for (const ob of assessed.details!.obligations as { title: string; dueAt: string }[])
        step(`obligation: ${ob.title}, due ${formatInZone(ob.dueAt, tz)}`);
      const notice = await act(api.approveNoticeUpdate, { actor: 'dora (DPO)' });
      step(notice.message);
      await act(api.regulatorFilingUpdate, { actor: 'dora (DPO)', reference: 'CNIL-NOTIF-2026-0815' });
      step(
        `${config.policy.regulator.name} notification filed (reference CNIL-NOTIF-2026-0815); dossier in ${path.join(paths.reports, incidentId)}`,
      );
      await act(api.contactUpdate, {
        actor: 'bob (CTO)',
        kind: 'law-enforcement',
        organisation: 'Gendarmerie nationale, C3N',
        person: 'duty officer',
        shared: 'indicators of compromise and the incident timeline',
        reference: 'PV-2026-4471',
      });
      step('law enforcement informed of the intrusion attempt (contact recorded)');
      await act(api.conclusionsUpdate, {
        actor: 'bob (CTO)',
        rootCause: 'An unpatched CMS plugin allowed an unauthenticated file upload.',
        contributingFactors: ['No web application firewall rule for uploads', 'Plugin updates were manual'],
        actions: [
          { action: 'Patch the plugin and automate plugin updates', owner: 'web team' },
          { action: 'Add a WAF rule blocking executable uploads', owner: 'security team' },
        ],
      });
      step('root-cause conclusions recorded');
      const restored = await act(api.restoreUpdate, { actor: 'bob (CTO)' });
      step(restored.message);
      const rfo = await act(api.requestRfoUpdate, {
        actor: 'erin (account manager)',
        customer: 'ACME SAS',
        email: 'security@acme.example',
      });
      await act(api.sendRfoUpdate, { actor: 'erin (account manager)', requestId: rfo.details!.requestId as string });
      step('Reason-for-Outage report sent to ACME SAS on request');
      const closed = await act(api.closeUpdate, {
        actor: 'bob (CTO)',
        summary: 'Web shell removed; customers, CNIL and law enforcement informed.',
      });
      step(closed.message);
    });
    // A closed incident's result is its final head, kept by Temporal; the trail must match it.
    temporalHead = (await incidents.handle(incidentId).result()).auditHead;
  } finally {
    mailer.close();
    await connection.close();
    await nativeConnection.close();
    await server?.stop();
  }

  const verdict = verifyTrail({
    incidentId,
    trailText: (await audit.trailText(incidentId)) ?? '',
    checkpointsText: await audit.checkpointsText(incidentId),
    keys: trustedTrailKeys(config),
    temporal: temporalHead ?? { unavailable: 'Temporal recorded no head' },
  });
  const signatures = verifyProofs(await audit.read(incidentId), incidentId);
  const mails = (await readdir(paths.outbox).catch(() => [])).filter((f) => f.includes(incidentId));
  console.log(
    [
      '',
      `Done in ${((Date.now() - started) / 1000).toFixed(1)} s. Where to look:`,
      `  Reports:     ${path.join(paths.reports, incidentId)} (rca, rfo, regulator; .md and .html${atRest ? `, encrypted at rest: incident report ${incidentId} --kind rca --stored` : ''})`,
      `  Evidence:    ${path.join(paths.evidence, incidentId)}${atRest ? ` (encrypted at rest: incident evidence export ${incidentId} ${LAB_SYSTEM} --out ${LAB_SYSTEM}.img)` : ''}`,
      config.smtp
        ? '  Mail:        sent through SMTP'
        : `  Outbox:      ${paths.outbox} (${mails.length} .eml files for this incident)`,
      `  Audit trail: ${audit.location(incidentId)}`,
      verdict.ok
        ? `  The audit trail verifies: ${verdict.entries} entries, ending with the closing entry.`
        : '  THE AUDIT TRAIL DOES NOT VERIFY:',
      ...verdict.checks.map((c) => `    ${c.ok ? 'ok' : c.skipped ? '--' : 'FAILED'} ${c.check}: ${c.message}`),
      signatures.failures.length === 0
        ? `  ${signatures.verified} signed actions verify against the roster recorded in the trail.`
        : `  SIGNATURES DO NOT VERIFY: ${signatures.failures.map((f) => `entry ${f.seq}: ${f.problem}`).join('; ')}`,
      `  Check it yourself: npx incident audit ${incidentId} --verify`,
      '',
    ].join('\n'),
  );
  if (!verdict.ok) process.exitCode = 1;
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof TemporalUnreachableError) console.error(err.message);
  else console.error(`The demo stopped: ${(err as Error).message}`);
  process.exit(1);
});
