import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { JsonlAuditStore } from '../../stores/audit-store';
import { ActionRefused } from '../../domain/actions';
import type { Config } from '../../platform/config/schema';
import { IncidentClient, type UpdateDef } from '../../client/incident-client';
import type { WorkerPair } from '../../worker/worker-pair';
import { createIncidentWorker } from '../../worker/create-worker';
import * as api from '../../workflows/incident-api';
import { labConfig, uniqueId } from '../helpers/fixtures';
import { startIngestHarness, type IngestHarness } from '../helpers/ingest-harness';

// Bad input at scale: every responder action and every webhook route gets at least 200 malformed inputs.
// Each must be refused with a clear message, nothing may crash, and nothing may reach the audit trail or
// the outbox.

const PER_TARGET = 200;
/** Temporal admits at most 10 updates in flight per workflow; more at once are refused by the server. */
const BATCH = 10;
const HUGE = 'x'.repeat(1_000_001);
const WRONG_TYPES: unknown[] = [null, 42, -1.5, true, false, [], ['a'], {}, { nested: 'object' }];

type Kind =
  'text' | 'optionalText' | 'system' | 'enum' | 'optionalEnum' | 'time' | 'email' | 'count' | 'ref' | 'list' | 'flag';

/** Values that must be refused for a field of this kind, cycled with an index so there are enough of them. */
function badValues(kind: Kind, i: number): unknown[] {
  // One 1 MB string per field is enough to show it is refused; more only costs encoding time.
  const huge = i === 0 ? [HUGE] : [];
  const common = [...WRONG_TYPES, ...huge];
  switch (kind) {
    case 'text':
      return [...common, undefined, '', '   '];
    case 'optionalText':
      return [...WRONG_TYPES.filter((v) => v !== null), ...huge];
    case 'system':
      return [
        ...common,
        undefined,
        '../../etc/passwd',
        `../${i}`,
        '<script>alert(1)</script>',
        '\u001b[31mred',
        'a b',
        `web-${i}/..`,
        '',
        '-leading',
        'x'.repeat(129),
      ];
    case 'enum':
      return [...common, undefined, `bogus-${i}`, '<img src=x onerror=alert(1)>', '\u0000', 'SEV0', ''];
    case 'optionalEnum':
      return [
        ...WRONG_TYPES.filter((v) => v !== null),
        ...huge,
        `bogus-${i}`,
        '<img src=x onerror=alert(1)>',
        '\u0000',
        '',
      ];
    case 'time':
      return [
        ...WRONG_TYPES,
        `2999-01-0${(i % 9) + 1}T00:00:00Z`,
        '1900-01-01T00:00:00Z',
        'yesterday',
        `${i}`,
        '2026-13-45T99:99:99Z',
      ];
    case 'email':
      return [...common, undefined, 'not-an-email', `a${i}@`, '<script>@x.y', 'a b@c.d', ''];
    case 'count':
      return [-1, 1.5, '12', NaN, [], {}, true];
    case 'ref':
      return [...common, undefined, `unknown-${i}`, '', '../../x'];
    case 'list':
      return [42, 'text', {}, true, [42], [null], [{ name: 1, email: 2 }]];
    case 'flag':
      return ['yes', 1, [], {}];
  }
}

interface Target {
  name: string;
  update: UpdateDef<any>;
  valid: Record<string, unknown>;
  fields: Record<string, Kind>;
}

function malformedInputs(target: Target): unknown[] {
  const inputs: unknown[] = [null, 'a string', 42, [], true];
  for (let i = 0; inputs.length < PER_TARGET; i++) {
    for (const [field, kind] of Object.entries({ actor: 'text' as Kind, ...target.fields })) {
      for (const value of badValues(kind, i)) {
        const input = { ...target.valid, [field]: value };
        if (value === undefined) delete input[field];
        inputs.push(input);
      }
    }
  }
  return inputs;
}

let connection: Connection;
let nativeConnection: NativeConnection;
let config: Config;
let worker: WorkerPair;
let running: Promise<void>;
let incidents: IncidentClient;

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('devServerAddress') });
  nativeConnection = await NativeConnection.connect({ address: inject('devServerAddress') });
  ({ config } = await labConfig({ systems: ['web-01'] }));
  config.temporal.taskQueue = uniqueId('malformed');
  ({ worker } = await createIncidentWorker(nativeConnection, config, {
    workflowBundle: { codePath: inject('workflowBundlePath') },
  }));
  running = worker.run();
  incidents = new IncidentClient(new Client({ connection }), config.temporal.taskQueue);
});

/** One incident per action, so that the actions' refusals are checked in parallel. */
async function targetIncident(): Promise<string> {
  const incidentId = uniqueId('MAL');
  await incidents.open({
    incidentId,
    title: 'Target of malformed input',
    severity: 'SEV3',
    category: 'intrusion',
    systems: ['web-01'],
    detection: 'test',
    awareAt: new Date().toISOString(),
    openedBy: 'alice',
  });
  await incidents.waitFor(incidentId, (v) => v.phase === 'assessment');
  await incidents.act(incidentId, api.acknowledgeUpdate, { actor: 'bob' });
  return incidentId;
}

afterAll(async () => {
  worker?.shutdown();
  await running;
  await connection?.close();
  await nativeConnection?.close();
});

const targets: Target[] = [
  {
    name: 'addSystem',
    update: api.addSystemUpdate,
    valid: { actor: 'a', system: 'db-09' },
    fields: { system: 'system' },
  },
  {
    name: 'collectEvidence',
    update: api.collectEvidenceUpdate,
    valid: { actor: 'a', system: 'web-01' },
    fields: { system: 'system' },
  },
  {
    name: 'retryStep',
    update: api.retryStepUpdate,
    valid: { actor: 'a', system: 'web-01', step: 'isolation' },
    fields: { system: 'system', step: 'enum' },
  },
  {
    name: 'manualStep',
    update: api.manualStepUpdate,
    valid: { actor: 'a', system: 'web-01', step: 'release', detail: 'd' },
    fields: { system: 'system', step: 'enum', detail: 'text' },
  },
  {
    name: 'assess',
    update: api.assessUpdate,
    valid: { actor: 'a', dataImpact: 'personal', customers: [{ name: 'C', email: 'c@c.example' }] },
    fields: {
      dataImpact: 'enum',
      customers: 'list',
      regulatorRequired: 'flag',
      approxPeople: 'count',
      approxRecords: 'count',
      dataCategories: 'list',
      likelyConsequences: 'optionalText',
      measures: 'optionalText',
    },
  },
  {
    name: 'approveNotice',
    update: api.approveNoticeUpdate,
    valid: { actor: 'a' },
    fields: { subject: 'optionalText', text: 'optionalText' },
  },
  {
    name: 'regulatorFiling',
    update: api.regulatorFilingUpdate,
    valid: { actor: 'a', reference: 'R-1' },
    fields: { reference: 'text', filedAt: 'time', phase: 'optionalEnum', notes: 'optionalText' },
  },
  {
    name: 'contact',
    update: api.contactUpdate,
    valid: { actor: 'a', kind: 'vendor', organisation: 'O', shared: 's' },
    fields: { kind: 'enum', organisation: 'text', shared: 'text', at: 'time', person: 'optionalText' },
  },
  { name: 'assignRca', update: api.assignRcaUpdate, valid: { actor: 'a', to: 'internal' }, fields: { to: 'enum' } },
  {
    name: 'conclusions',
    update: api.conclusionsUpdate,
    valid: { actor: 'a', rootCause: 'r' },
    fields: { rootCause: 'text', conductedBy: 'optionalEnum', contributingFactors: 'list', actions: 'list' },
  },
  {
    name: 'requestRfo',
    update: api.requestRfoUpdate,
    valid: { actor: 'a', customer: 'C', email: 'c@c.example' },
    fields: { customer: 'text', email: 'email' },
  },
  {
    name: 'sendRfo',
    update: api.sendRfoUpdate,
    valid: { actor: 'a', requestId: 'rfo-404' },
    fields: { requestId: 'ref' },
  },
  { name: 'note', update: api.noteUpdate, valid: { actor: 'a', text: 't' }, fields: { text: 'text' } },
  {
    name: 'waive',
    update: api.waiveUpdate,
    valid: { actor: 'a', obligationId: 'inform-law-enforcement', reason: 'r' },
    fields: { obligationId: 'ref', reason: 'text' },
  },
  { name: 'close', update: api.closeUpdate, valid: { actor: 'a' }, fields: { summary: 'optionalText' } },
  { name: 'restore', update: api.restoreUpdate, valid: { actor: 'a' }, fields: {} },
  { name: 'acknowledge', update: api.acknowledgeUpdate, valid: { actor: 'a' }, fields: { note: 'optionalText' } },
  {
    name: 'recordClockEvent',
    update: api.clockEventUpdate,
    valid: { actor: 'a', event: 'classified-major' },
    fields: { event: 'enum', at: 'time', reason: 'optionalText', reference: 'optionalText', regime: 'optionalEnum' },
  },
  {
    name: 'recordClockFacts',
    update: api.clockFactsUpdate,
    valid: { actor: 'a', facts: ['people=3'] },
    fields: { facts: 'list' },
  },
  {
    name: 'recordSubmission',
    update: api.submissionUpdate,
    valid: { actor: 'a', obligationId: 'inform-law-enforcement', reference: 'r' },
    fields: { obligationId: 'ref', reference: 'text', at: 'time', lateReason: 'optionalText' },
  },
  {
    name: 'correctAwareness',
    update: api.correctAwarenessUpdate,
    valid: { actor: 'a', at: new Date(Date.now() - 3_600_000).toISOString(), reason: 'r' },
    fields: { at: 'time', reason: 'text' },
  },
];

describe('malformed input at scale', () => {
  it(`refuses at least ${PER_TARGET} malformed inputs to each of ${targets.length} responder actions, writing nothing`, async () => {
    const audit = new JsonlAuditStore(path.join(config.dataDir, 'audit'));
    const ids = await Promise.all(targets.map(() => targetIncident()));
    // Each incident's CTO mail is written to the trail asynchronously; let those land before counting.
    await expect
      .poll(
        async () =>
          (
            await Promise.all(ids.map(async (id) => (await audit.read(id)).some((e) => e.action === 'mail.sent')))
          ).every(Boolean),
        { timeout: 30_000 },
      )
      .toBe(true);
    const before = await Promise.all(ids.map(async (id) => (await audit.read(id)).length));
    const outboxBefore = (await readdir(path.join(config.dataDir, 'outbox'))).length;
    let tried = 0;
    await Promise.all(
      targets.map(async (target, t) => {
        const incidentId = ids[t];
        const inputs = malformedInputs(target);
        expect(inputs.length).toBeGreaterThanOrEqual(PER_TARGET);
        for (let i = 0; i < inputs.length; i += BATCH) {
          const batch = inputs.slice(i, i + BATCH);
          const outcomes = await Promise.all(
            batch.map((input) =>
              incidents.act(incidentId, target.update, input).then(
                () => 'accepted',
                (err: unknown) => err,
              ),
            ),
          );
          outcomes.forEach((outcome, j) => {
            if (!(outcome instanceof ActionRefused)) {
              throw new Error(
                `${target.name} did not refuse ${JSON.stringify(batch[j])?.slice(0, 200)}: ${outcome instanceof Error ? `${outcome.name}: ${outcome.message}${outcome.cause ? ` (cause: ${String((outcome.cause as Error).message ?? outcome.cause)})` : ''}` : outcome}`,
              );
            }
            expect(outcome.message.length).toBeGreaterThan(10);
            expect(outcome.message).not.toMatch(/\n\s+at /);
          });
          tried += batch.length;
        }
      }),
    );
    expect(tried).toBeGreaterThanOrEqual(PER_TARGET * targets.length);
    // Still alive and answering, with nothing recorded or sent.
    const views = await Promise.all(ids.map((id) => incidents.view(id)));
    expect(views.every((v) => v.state.closedAt === undefined)).toBe(true);
    expect(await Promise.all(ids.map(async (id) => (await audit.read(id)).length))).toEqual(before);
    expect((await readdir(path.join(config.dataDir, 'outbox'))).length).toBe(outboxBefore);
    console.log(`malformed responder inputs tried: ${tried}`);
  });
});

describe('malformed webhook requests at scale', () => {
  let h: IngestHarness;
  const TOKEN = 'malformed-token-0123456789';
  beforeAll(async () => {
    const source = { bearerTokens: [TOKEN], webhookSecrets: [], openAtOrAbove: 'SEV4' as const };
    h = await startIngestHarness({
      alertmanager: source,
      pagerduty: source,
      falco: source,
      guardduty: source,
      ocsf: source,
      generic: source,
    });
  });
  afterAll(async () => h?.stop());

  it(`answers at least ${PER_TARGET} malformed bodies per route with a 4xx naming the problem, starting nothing`, async () => {
    const routes = ['alertmanager', 'pagerduty', 'falco', 'guardduty', 'ocsf', 'generic'];
    const bodies: string[] = ['', '{', 'null', '[]', '"text"', '42', 'true', '{"a":', '\u0000', '<html></html>'];
    for (let i = 0; bodies.length < PER_TARGET; i++) {
      for (const value of [
        ...WRONG_TYPES,
        `bogus-${i}`,
        '<script>alert(1)</script>',
        '../../etc/passwd',
        '\u001b[2J',
      ]) {
        bodies.push(JSON.stringify({ [`field${i}`]: value }));
        // An empty list is a valid empty batch for the generic format; every other value here is not.
        if (!(Array.isArray(value) && value.length === 0))
          bodies.push(
            JSON.stringify({ alerts: value, id: value, detail: value, payload: value, class_uid: value, rule: value }),
          );
      }
    }
    let tried = 0;
    for (const route of routes) {
      for (let i = 0; i < bodies.length; i += 25) {
        const statuses = await Promise.all(
          bodies.slice(i, i + 25).map(async (body) => {
            const res = await fetch(`${h.ingest.url}/v1/alerts/${route}`, {
              method: 'POST',
              headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
              body,
            });
            const answer = (await res.json()) as { error?: string };
            expect(answer.error, `${route} ${body.slice(0, 80)}`).toBeTruthy();
            return res.status;
          }),
        );
        for (const status of statuses) expect([400, 422]).toContain(status);
        tried += statuses.length;
      }
    }
    expect(tried).toBeGreaterThanOrEqual(PER_TARGET * routes.length);
    expect((await fetch(`${h.ingest.url}/healthz`)).status).toBe(200);
    let started = 0;
    for await (const wf of new Client({ connection: h.connection }).workflow.list({
      query: `TaskQueue = '${h.config.temporal.taskQueue}'`,
    }))
      started += wf ? 1 : 0;
    expect(started).toBe(0);
    console.log(`malformed webhook bodies tried: ${tried}`);
  });
});
