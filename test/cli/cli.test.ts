import { spawn } from 'node:child_process';
import { access, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatInZone } from '../../domain/time-format';
import {
  expectNoStack,
  expectOk,
  pollUntil,
  runCliProcess,
  startCliWorld,
  uniqueId,
  type CliResult,
  type CliWorld,
} from './harness';

// The `incident` CLI end to end, as a responder uses it: the built executable in a child process against
// the dev server, a real worker on its own task queue, a config file and a data dir on disk.

// ---------------------------------------------------------------- JSON output schemas
const iso = z.iso.datetime();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const SEVERITY = z.enum(['SEV1', 'SEV2', 'SEV3', 'SEV4']);
const CATEGORY = z.enum(['intrusion', 'malware', 'data-breach', 'denial-of-service', 'insider', 'other']);
const PHASE = z.enum(['containment', 'assessment', 'response', 'review', 'closed']);
const DATA_IMPACT = z.enum(['none', 'personal', 'project', 'both']);
const STATUS = z.enum([
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TERMINATED',
  'CONTINUED_AS_NEW',
  'TIMED_OUT',
  'PAUSED',
  'UNKNOWN',
]);

const listRowSchema = z
  .object({
    incidentId: z.string().min(1),
    title: z.string(),
    severity: SEVERITY,
    phase: z.string().min(1),
    dataImpact: z.enum([...DATA_IMPACT.options, 'unassessed']),
    awareAt: iso.optional(),
    nextDeadline: iso.optional(),
    status: STATUS,
    startedAt: iso,
  })
  .strict()
  .superRefine((row, ctx) => {
    // A running incident shows its phase; a completed one is "closed"; anything else names its status.
    const ok =
      row.status === 'RUNNING'
        ? PHASE.safeParse(row.phase).success && row.phase !== 'closed'
        : row.status === 'COMPLETED'
          ? row.phase === 'closed'
          : row.phase === row.status.toLowerCase();
    if (!ok)
      ctx.addIssue({
        code: 'custom',
        path: ['phase'],
        message: `phase "${row.phase}" does not fit status ${row.status}`,
      });
  });
const listSchema = z.array(listRowSchema);

const auditEntrySchema = z
  .object({
    incidentId: z.string().min(1),
    seq: z.number().int().positive(),
    at: iso,
    actor: z.string().min(1),
    action: z.string().regex(/^[a-z-]+(\.[a-z-]+)+$/),
    details: z.record(z.string(), z.unknown()),
    prevHash: sha256,
    hash: sha256,
  })
  .strict();

// IncidentState may gain fields (README: "fields may be added, never renamed or removed"), so its objects
// are checked for every documented field without refusing new ones.
const stepStatus = z.object({
  state: z.enum(['pending', 'running', 'done', 'failed', 'awaiting-manual', 'manual']),
  at: iso.optional(),
  detail: z.string().optional(),
  error: z.string().optional(),
  attempts: z.number().int().nonnegative(),
});

const evidenceRecord = z.object({
  id: z.string().min(1),
  system: z.string().min(1),
  source: z.string().min(1),
  location: z.string().min(1),
  sha256,
  sizeBytes: z.number().int().nonnegative(),
  collectedBy: z.string().min(1),
  startedAt: iso,
  finishedAt: iso,
  custody: z.array(z.object({ at: iso, actor: z.string(), action: z.string() })),
});

const systemRecord = z.object({
  name: z.string().min(1),
  addedAt: iso,
  addedBy: z.string().min(1),
  isolation: stepStatus,
  evidence: stepStatus,
  release: stepStatus,
  evidenceRecords: z.array(evidenceRecord),
  evidenceRound: z.number().int().positive(),
  isolationRound: z.number().int().positive(),
});

const obligation = z.object({
  id: z.string().min(1),
  kind: z.enum(['notify-customers', 'notify-regulator', 'inform-law-enforcement', 'send-rfo', 'legal-clock']),
  title: z.string().min(1),
  owedTo: z.string().min(1),
  dueAt: iso,
  status: z.enum(['pending', 'met', 'waived']),
  metAt: iso.optional(),
  metBy: z.string().optional(),
  proof: z.array(z.string()),
  lateReason: z.string().optional(),
  waivedReason: z.string().optional(),
  noticesSent: z.array(z.string()),
  deliveryFailures: z.array(z.string()),
  // The legal rule that produced it: documented fields a reader relies on (README, "Legal clocks").
  clock: z
    .object({
      regime: z.string().min(1),
      rule: z.object({
        id: z.string().min(1),
        version: z.string().min(1),
        citation: z.string().min(1),
        appliesFrom: z.string(),
      }),
      convention: z.string().min(1),
      zone: z.string().min(1),
      anchor: z.object({ event: z.string().min(1), at: iso }),
      why: z.array(z.string()),
      roles: z.array(z.string()),
    })
    .optional(),
});

const customer = z.object({ name: z.string().min(1), email: z.string().min(3) });

const incidentState = z.object({
  incidentId: z.string().min(1),
  title: z.string().min(1),
  severity: SEVERITY,
  category: CATEGORY,
  detection: z.string().min(1),
  summary: z.string().optional(),
  previousIncidentId: z.string().optional(),
  awareAt: iso,
  openedAt: iso,
  openedBy: z.string().min(1),
  systems: z.array(systemRecord),
  acknowledgement: z.object({ by: z.string().min(1), at: iso }).optional(),
  escalationsSent: z.number().int().nonnegative(),
  assessment: z
    .object({
      dataImpact: DATA_IMPACT,
      customers: z.array(customer),
      regulatorRequired: z.boolean(),
      dataCategories: z.array(z.string()),
      approxPeople: z.number().int().nonnegative().optional(),
      approxRecords: z.number().int().nonnegative().optional(),
      likelyConsequences: z.string().optional(),
      measures: z.string().optional(),
      by: z.string().min(1),
      at: iso,
    })
    .optional(),
  obligations: z.array(obligation),
  customerNotice: z
    .object({
      status: z.enum(['awaiting-approval', 'sending', 'sent']),
      subject: z.string().min(1),
      text: z.string().min(1),
      approvedBy: z.string().optional(),
      approvedAt: iso.optional(),
      deliveries: z.array(z.object({ email: z.string(), messageId: z.string().min(1) })),
    })
    .optional(),
  regulatorFilings: z.array(
    z.object({
      phase: z.enum(['initial', 'follow-up']),
      reference: z.string().min(1),
      filedAt: iso,
      by: z.string().min(1),
      lateReason: z.string().optional(),
      notes: z.string().optional(),
    }),
  ),
  regulatorDossier: z.object({ path: z.string().min(1), renderedAt: iso }).optional(),
  contacts: z.array(
    z.object({
      kind: z.enum(['law-enforcement', 'regulator', 'customer', 'vendor', 'insurer', 'legal-counsel', 'other']),
      organisation: z.string().min(1),
      person: z.string().optional(),
      at: iso,
      shared: z.string().min(1),
      reference: z.string().optional(),
      by: z.string().min(1),
    }),
  ),
  rcaAssignedTo: z.enum(['internal', 'law-enforcement']),
  conclusions: z
    .object({
      rootCause: z.string().min(1),
      contributingFactors: z.array(z.string()),
      actions: z.array(z.object({ action: z.string().min(1), owner: z.string().min(1) })),
      conductedBy: z.enum(['internal', 'law-enforcement']),
      by: z.string().min(1),
      at: iso,
    })
    .optional(),
  rfoRequests: z.array(
    z.object({
      id: z.string().min(1),
      customer: z.string().min(1),
      email: z.string().min(3),
      requestedAt: iso,
      requestedBy: z.string().min(1),
      sentAt: iso.optional(),
      messageId: z.string().optional(),
    }),
  ),
  restoreRequested: z.object({ by: z.string().min(1), at: iso }).optional(),
  restoredAt: iso.optional(),
  restoredBy: z.string().optional(),
  alerts: z.array(
    z.object({
      source: z.string(),
      dedupKey: z.string(),
      status: z.enum(['firing', 'resolved']),
      title: z.string(),
      observedAt: iso,
      receivedAt: iso,
    }),
  ),
  closedAt: iso.optional(),
  closedBy: z.string().optional(),
  reports: z.array(
    z.object({ kind: z.string().min(1), format: z.enum(['md', 'html']), path: z.string().min(1), renderedAt: iso }),
  ),
  problems: z.array(z.object({ key: z.string(), at: iso, message: z.string() })),
  auditSeq: z.number().int().nonnegative(),
});

const policy = z
  .object({
    organisation: z.string().min(1),
    timeZone: z.string().min(1),
    regulator: z.object({ name: z.string(), article: z.string() }).strict(),
    customerPersonalDataHours: z.number().positive(),
    customerProjectDataHours: z.number().positive(),
    regulatorHours: z.number().positive(),
  })
  .loose();

/** Which of the worker's policies an incident took; every incident these tests open has one. */
const policyVersion = z.object({ profile: z.string().min(1), version: z.string().min(1), sha256 }).strict();

const showSchema = z
  .object({
    state: incidentState,
    phase: PHASE,
    now: iso,
    timeZone: z.string().min(1),
    nextDeadline: iso.optional(),
    policy,
    policyVersion,
    timeline: z.array(auditEntrySchema),
  })
  .strict();

const verifySchema = z
  .object({
    ok: z.literal(true),
    incidentId: z.string(),
    entries: z.number().int().positive(),
    lastHash: sha256,
    closed: z.boolean(),
    head: z.object({ seq: z.number().int().positive(), hash: sha256 }).strict(),
    checkpoints: z.number().int().positive(),
    checks: z.array(
      z
        .object({
          check: z.enum(['chain', 'checkpoints', 'temporal', 'witness', 'signatures']),
          ok: z.boolean(),
          skipped: z.boolean().optional(),
          message: z.string().min(1),
        })
        .strict(),
    ),
    signatures: z
      .object({
        signed: z.number().int().nonnegative(),
        verified: z.number().int().nonnegative(),
        failures: z.array(z.object({ seq: z.number().int(), problem: z.string() }).strict()),
      })
      .strict(),
  })
  .strict();

const actionResultSchema = z
  .object({
    ok: z.literal(true),
    message: z.string().min(1),
    auditSeq: z.number().int().positive(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const openResultSchema = z
  .object({
    incidentId: z.string().min(1),
    awareAt: iso,
    deadlineHours: z
      .object({
        customersPersonal: z.number().positive(),
        customersProject: z.number().positive(),
        regulator: z.number().positive(),
      })
      .strict(),
    policyVersion,
  })
  .strict();

/** Parses JSON text and validates it, failing with zod's description of every mismatch. */
function parseWith<T>(schema: z.ZodType<T>, text: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message}): ${text.slice(0, 500)}`, { cause: err });
  }
  const result = schema.safeParse(value);
  if (!result.success)
    throw new Error(`JSON does not match its schema:\n${z.prettifyError(result.error)}\n${text.slice(0, 2000)}`);
  return result.data;
}

// ---------------------------------------------------------------- the world every test here shares

let world: CliWorld;
const cli = (...args: string[]) => world.run(args);

beforeAll(async () => {
  world = await startCliWorld('main');
});

afterAll(async () => {
  await world?.stop();
});

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const lines = (text: string) => text.split('\n');
const HOUR = 3_600_000;

/** `incident open` with every flag given, as a script would run it. */
function openArgs(
  id: string,
  o: { title?: string; severity?: string; category?: string; systems?: string[]; aware?: string; json?: boolean } = {},
): string[] {
  return [
    'open',
    '--id',
    id,
    '--title',
    o.title ?? `Test incident ${id}`,
    '--severity',
    o.severity ?? 'SEV2',
    '--category',
    o.category ?? 'other',
    ...(o.systems ?? []).flatMap((s) => ['--system', s]),
    '--detection',
    'EDR alert',
    ...(o.aware ? ['--aware', o.aware] : []),
    ...(o.json ? ['--json'] : []),
  ];
}

/** A refusal as the user sees it: the given exit code, nothing on stdout, one message on stderr, no stack. */
function expectRefused(r: CliResult, code: number): void {
  expectNoStack(r);
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code, stdout: '' });
  expect(r.stderr.length).toBeGreaterThan(0);
}

/**
 * What `incident close` prints once the incident is closed: the final head, which must be the trail's
 * last entry, the closing one, with the command that checks it.
 */
async function closedLine(id: string): Promise<string> {
  const entries = z.array(auditEntrySchema).parse(JSON.parse(expectOk(await cli('audit', id, '--json')).stdout));
  const last = entries.at(-1)!;
  expect(last.action).toBe('incident.closed');
  const short = last.hash.slice(0, 16);
  return `Incident ${id} closed; reports rendered. Final audit head: audit seq ${last.seq}, head ${short}… — check with: incident audit ${id} --verify --head ${last.seq}:${short}`;
}

async function sha256File(file: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

// ---------------------------------------------------------------- 1. the whole lifecycle

describe('incident CLI: from open to closed with every command', () => {
  it('walks a SEV1 intrusion with a personal-data breach through every command, then refuses to act on it once closed', async () => {
    const id = uniqueId('INC-WALK');
    const title = 'Web shell on web-01';
    const before = Date.now();

    // open
    const opened = expectOk(
      await cli(
        ...openArgs(id, { title, severity: 'SEV1', category: 'intrusion', systems: ['web-01'], aware: '2h ago' }),
      ),
    );
    const after = Date.now();
    const initial = parseWith(showSchema, expectOk(await cli('show', id, '--json')).stdout);
    const awareAt = new Date(initial.state.awareAt).getTime();
    expect(awareAt).toBeGreaterThanOrEqual(before - 2 * HOUR - 1000);
    expect(awareAt).toBeLessThanOrEqual(after - 2 * HOUR);
    const tz = initial.timeZone;
    expect(tz).toBe('Europe/Paris');
    const due = (h: number) => formatInZone(new Date(awareAt + h * HOUR).toISOString(), tz);
    expect(lines(opened.stdout)).toEqual([
      `Opened ${id}: ${title} (SEV1, intrusion)`,
      `Senior personnel are being told now; escalation every 15 min until someone runs: incident ack ${id}`,
      `Clocks run from awareness, ${formatInZone(initial.state.awareAt, tz)}. Once a breach is assessed:`,
      `  customers, personal data   due ${due(24)}`,
      `  customers, project data    due ${due(72)}`,
      `  CNIL (GDPR Art. 33)   due ${due(72)}`,
      `Policy: default, version 1 (sha256 ${initial.policyVersion.sha256.slice(0, 16)}…)`,
      '',
    ]);

    // list: the row shows the id, SEV1, the phase, how long we have been aware and the next deadline
    const listed = await pollUntil(
      'the incident in `incident list` with its deadline',
      () => cli('list'),
      (r) =>
        r.code === 0 &&
        new RegExp(
          `^${escapeRe(id)}\\s+SEV1\\s+(containment|assessment)\\s+2 h 0\\d min\\s+2 d 2[12] h left\\s+${escapeRe(title)}$`,
          'm',
        ).test(r.stdout),
    );
    expect(lines(listed.stdout)[0]).toMatch(/^ID\s+SEV\s+PHASE\s+AWARE FOR\s+NEXT DEADLINE\s+TITLE$/);

    // show, before anyone acknowledged
    const shown = expectOk(await cli('show', id));
    const shownLines = lines(shown.stdout);
    expect(shownLines[0]).toBe(`${id}  ${title}`);
    expect(shownLines[1]).toMatch(
      new RegExp(
        `^SEV1  intrusion  phase (containment|assessment)  aware since ${escapeRe(formatInZone(initial.state.awareAt, tz))} \\(2 h 0\\d min ago\\)$`,
      ),
    );
    expect(shownLines[2]).toBe('detected by: EDR alert');
    expect(shownLines[3]).toMatch(
      new RegExp(`^NOT ACKNOWLEDGED: \\d+ notice\\(s\\) sent; acknowledge with: incident ack ${escapeRe(id)}$`),
    );
    for (const section of ['Obligations', 'Systems', 'Timeline']) expect(shownLines).toContain(section);
    expect(shown.stdout).toMatch(
      /^inform-law-enforcement\s+.*Inform law enforcement of the attempted malicious intrusion$/m,
    );
    expect(shown.stdout).toMatch(/^web-01\s+/m);
    expect(shown.stdout).toMatch(
      new RegExp(
        `^1\\s+\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} [+-]\\d{2}:\\d{2}\\s+alice\\s+incident\\.opened \\(title=${escapeRe(title)}\\)$`,
        'm',
      ),
    );

    // ack
    expect(expectOk(await cli('ack', id)).stdout).toBe('Acknowledged by alice; escalation stopped.\n');
    expect((await cli('show', id)).stdout).toMatch(
      /^acknowledged by alice at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC[+-]\d{2}:\d{2} \(Europe\/Paris\)$/m,
    );

    // add-system: a second configured system
    expect(expectOk(await cli('add-system', id, 'web-02')).stdout).toBe(
      'System web-02 added; isolation and evidence collection started.\n',
    );

    // collect: a new copy of web-01 once the first one is done
    await pollUntil(
      'the first copy of web-01',
      () => world.view(id),
      (v) => v.state.systems.find((s: any) => s.name === 'web-01')?.evidence.state === 'done',
    );
    expect(expectOk(await cli('collect', id, 'web-01')).stdout).toBe(
      'A new copy of web-01 is being taken (round 2).\n',
    );
    const contained = await pollUntil(
      'containment of web-01 (2 copies) and web-02',
      () => world.view(id),
      (v) =>
        v.phase !== 'containment' &&
        v.state.systems.length === 2 &&
        v.state.systems.every((s: any) => s.evidence.state === 'done'),
    );
    expect(contained.phase).toBe('assessment');
    const web01 = contained.state.systems.find((s: any) => s.name === 'web-01');
    expect(web01.evidenceRecords).toHaveLength(2);
    const image01 = world.config.systems['web-01'].evidence as { path: string };
    const imageHash = await sha256File(image01.path);
    for (const record of web01.evidenceRecords) expect(record.sha256).toBe(imageHash);
    expect((await cli('show', id)).stdout).toMatch(
      new RegExp(`^web-01\\s+done\\s+done\\s+${imageHash}\\s+pending$`, 'm'),
    );

    // note
    expect(expectOk(await cli('note', id, 'Attacker IP 203.0.113.7 blocked at the edge')).stdout).toBe('Note added.\n');

    // assess
    const assessed = expectOk(
      await cli('assess', id, '--impact', 'personal', '--customer', 'ACME <security@acme.example>'),
    );
    expect(assessed.stdout).toMatch(
      /^Assessment recorded\. Open obligations: .*contract:policy due \S+.*gdpr-art33-notification due \S+\. Undecided: gdpr-art34: answer high-risk=yes\|no\.\n$/,
    );
    const afterAssess = await world.view(id);
    expect(afterAssess.phase).toBe('response');
    expect(afterAssess.state.assessment.customers).toEqual([{ name: 'ACME', email: 'security@acme.example' }]);
    expect(afterAssess.state.customerNotice.status).toBe('awaiting-approval');
    expect((await cli('show', id)).stdout).toContain(
      `Customer notice: awaiting-approval (approve with: incident approve-notice ${id})`,
    );

    // approve-notice: no SMTP is configured, so the mail lands in the outbox
    expect(expectOk(await cli('approve-notice', id)).stdout).toBe('Notice approved and sent to 1 contact(s).\n');
    const outbox = path.join(world.dataDir, 'outbox');
    const mails = await Promise.all((await readdir(outbox)).map((f) => readFile(path.join(outbox, f), 'utf8')));
    expect(mails.some((m) => m.includes('security@acme.example') && m.includes(id))).toBe(true);

    // file-regulator, contact, assign-rca, conclude
    expect(expectOk(await cli('file-regulator', id, '--reference', 'CNIL-123')).stdout).toBe(
      'Filing CNIL-123 recorded.\n',
    );
    expect(
      expectOk(
        await cli(
          'contact',
          id,
          '--kind',
          'law-enforcement',
          '--org',
          'Gendarmerie C3N',
          '--shared',
          'IOCs and timeline',
        ),
      ).stdout,
    ).toBe('Contact with Gendarmerie C3N recorded.\n');
    expect(expectOk(await cli('assign-rca', id, 'law-enforcement')).stdout).toBe(
      'Root-cause analysis assigned to law enforcement.\n',
    );
    expect(
      expectOk(
        await cli(
          'conclude',
          id,
          '--root-cause',
          'Unpatched CMS plugin allowed file upload',
          '--factor',
          'No WAF rule',
          '--action',
          'Patch::web team',
        ),
      ).stdout,
    ).toBe('Root-cause conclusions recorded.\n');
    const concluded = await world.view(id);
    expect(concluded.state.conclusions).toMatchObject({
      rootCause: 'Unpatched CMS plugin allowed file upload',
      contributingFactors: ['No WAF rule'],
      actions: [{ action: 'Patch', owner: 'web team' }],
      conductedBy: 'law-enforcement',
      by: 'alice',
    });
    expect(Object.fromEntries(concluded.state.obligations.map((o: any) => [o.id, o.status]))).toEqual({
      'inform-law-enforcement': 'met',
      'contract:policy': 'met',
      'gdpr-art33-notification': 'met',
    });

    // restore, request-rfo, send-rfo
    expect(expectOk(await cli('restore', id)).stdout).toBe('Every system is released; normal operations restored.\n');
    expect(
      expectOk(await cli('request-rfo', id, '--customer', 'ACME', '--email', 'security@acme.example')).stdout,
    ).toBe('RFO request rfo-1 from ACME recorded.\n');
    expect(expectOk(await cli('send-rfo', id, 'rfo-1')).stdout).toBe('RFO sent to security@acme.example.\n');
    const review = await world.view(id);
    expect(review.phase).toBe('review');
    expect(review.state.obligations.find((o: any) => o.id === 'send-rfo-rfo-1')?.status).toBe('met');

    // report: every kind, both formats, to files
    const outDir = path.join(world.dataDir, 'out');
    await import('node:fs/promises').then((fs) => fs.mkdir(outDir, { recursive: true }));
    const expected: Record<string, { heading: string; texts: string[] }> = {
      rca: {
        heading: `Root-cause analysis: ${title}`,
        texts: ['Root cause: Unpatched CMS plugin allowed file upload', 'web team', 'note.added', 'Gendarmerie C3N'],
      },
      rfo: {
        heading: `Reason for Outage: ${title}`,
        texts: ['Unpatched CMS plugin allowed file upload', 'Patch', 'Law enforcement was informed.'],
      },
      regulator: {
        heading: 'Personal data breach notification to the CNIL',
        texts: ['initial CNIL-123', 'personal', 'Data protection officer'],
      },
    };
    for (const kind of ['rca', 'rfo', 'regulator']) {
      for (const format of ['md', 'html']) {
        const file = path.join(outDir, `${kind}.${format}`);
        expect(expectOk(await cli('report', id, '--kind', kind, '--format', format, '--out', file)).stdout).toBe(
          `Wrote ${file}\n`,
        );
        await access(file);
        const body = await readFile(file, 'utf8');
        if (format === 'md') expect(body.startsWith(`# ${expected[kind].heading}\n`)).toBe(true);
        else {
          expect(body.startsWith('<!doctype html>')).toBe(true);
          expect(body).toContain(`<h1>${expected[kind].heading}</h1>`);
        }
        for (const text of expected[kind].texts) expect(body).toContain(text);
      }
    }
    // without --out the report goes to standard output
    expect(expectOk(await cli('report', id, '--kind', 'rfo')).stdout).toContain(`# Reason for Outage: ${title}`);

    // audit: the table, --verify, --export
    const table = expectOk(await cli('audit', id));
    expect(lines(table.stdout)[0]).toMatch(/^#\s+WHEN \(Europe\/Paris\)\s+WHO\s+WHAT$/);
    expect(table.stdout).toMatch(
      /^1\s+\S+ \S+ [+-]\d{2}:\d{2}\s+alice\s+incident\.opened \(title=Web shell on web-01\)$/m,
    );
    expect(table.stdout).toMatch(
      /^\d+\s+\S+ \S+ [+-]\d{2}:\d{2}\s+alice\s+note\.added \(note=Attacker IP 203\.0\.113\.7 blocked at the edge\)$/m,
    );
    expect(table.stdout).toMatch(/^\d+\s+\S+ \S+ [+-]\d{2}:\d{2}\s+alice\s+regulator\.filed \(reference=CNIL-123\)$/m);
    const verified = expectOk(await cli('audit', id, '--verify'));
    expect(lines(verified.stdout)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Audit trail of ${escapeRe(id)}: (\\d+) entries, head [0-9a-f]{16}… at seq \\1 \\(\\S+\\.jsonl\\)$`,
        ),
      ),
      expect.stringMatching(/^ {2}✓ chain +\d+ entries link from the first to the last \(incident still open\)$/),
      expect.stringMatching(/^ {2}✓ checkpoints +\d+ signed checkpoints \(key [0-9a-f]{16}\) cover all \d+ entries$/),
      expect.stringMatching(/^ {2}✓ temporal +entry \d+ matches the head Temporal recorded at \S+/),
      `The audit trail of ${id} verifies.`,
      '',
    ]);
    const exportFile = path.join(outDir, 'audit.jsonl');
    const exported = expectOk(await cli('audit', id, '--export', exportFile));
    expect(exported.stdout).toMatch(
      new RegExp(
        `^Exported \\S+${escapeRe(id)}\\S* to ${escapeRe(exportFile)} and its checkpoints to ${escapeRe(path.join(outDir, 'audit.checkpoints.jsonl'))}\\n$`,
      ),
    );
    const exportedEntries = (await readFile(exportFile, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => auditEntrySchema.parse(JSON.parse(l)));
    expect(exportedEntries[0]).toMatchObject({ incidentId: id, seq: 1, action: 'incident.opened', actor: 'alice' });
    // The export verifies offline too, with its checkpoints beside it.
    expect(expectOk(await cli('audit', id, '--verify', '--offline', '--file', exportFile)).stdout).toContain(
      `The audit trail of ${id} verifies.`,
    );

    // waive: on an obligation of a second incident, which can then be closed
    const second = uniqueId('INC-WAIVE');
    expectOk(await cli(...openArgs(second, { category: 'intrusion', aware: '1h ago' })));
    expect(
      expectOk(
        await cli('waive', second, 'inform-law-enforcement', '--reason', 'Legal advised no report: no malicious act'),
      ).stdout,
    ).toBe('Obligation inform-law-enforcement waived.\n');
    const waived = (await world.view(second)).state.obligations.find((o: any) => o.id === 'inform-law-enforcement');
    expect(waived).toMatchObject({ status: 'waived', waivedReason: 'Legal advised no report: no malicious act' });
    const secondClosed = expectOk(await cli('close', second)).stdout;
    expect(secondClosed).toBe(`${await closedLine(second)}\n`);

    // close
    const closedOut = expectOk(await cli('close', id, '--summary', 'Web shell removed; customers and CNIL notified'));
    expect(closedOut.stdout).toBe(`${await closedLine(id)}\n`);
    const closedVerdict = expectOk(await cli('audit', id, '--verify')).stdout;
    expect(closedVerdict).toMatch(
      /^ {2}✓ chain +\d+ entries link from the first to the last, ending with the closing entry$/m,
    );
    expect(closedVerdict).toMatch(/^ {2}✓ temporal +entry (\d+) matches the head Temporal recorded at \S+$/m);
    expect(closedVerdict).toContain(`The audit trail of ${id} verifies.`);
    const closedView = parseWith(showSchema, expectOk(await cli('show', id, '--json')).stdout);
    expect(closedView.phase).toBe('closed');
    expect(closedView.state).toMatchObject({
      closedBy: 'alice',
      summary: 'Web shell removed; customers and CNIL notified',
    });
    expect(closedView.state.obligations.every((o) => o.status === 'met')).toBe(true);
    expect(closedView.timeline.at(-1)?.action).toBe('incident.closed');
    expect((await cli('show', id)).stdout).toMatch(new RegExp(`^SEV1  intrusion  phase closed  `, 'm'));

    // list --all shows it closed; the plain list no longer shows it
    await pollUntil(
      'the closed incident in `incident list --all`',
      () => cli('list', '--all'),
      (r) =>
        r.code === 0 &&
        new RegExp(`^${escapeRe(id)}\\s+SEV1\\s+closed\\s+\\S.*\\s+—\\s+${escapeRe(title)}$`, 'm').test(r.stdout),
    );
    expect(expectOk(await cli('list')).stdout).not.toContain(id);

    // acting on the closed incident is refused
    const late = await cli('note', id, 'one more thing');
    expectRefused(late, 1);
    expect(late.stderr).toBe(`Incident ${id} is closed; open a new incident for new activity.\n`);
  });
});

// ---------------------------------------------------------------- 2. bad input

describe('incident CLI: mistakes get one plain message and the documented exit code', () => {
  it('an unknown incident id: exit 1 and how to list incidents', async () => {
    for (const args of [
      ['show', 'NOPE-1'],
      ['ack', 'NOPE-1'],
      ['report', 'NOPE-1', '--kind', 'rca'],
    ]) {
      const r = await cli(...args);
      expectRefused(r, 1);
      expect(r.stderr).toBe('There is no incident "NOPE-1". List incidents with: incident list --all\n');
    }
  });

  it('an invalid severity: exit 2, commander names the allowed choices, nothing is opened', async () => {
    const id = uniqueId('INC-BADSEV');
    const r = await cli(...openArgs(id, { severity: 'SEV9' }));
    expectRefused(r, 2);
    expect(r.stderr).toBe(
      "error: option '--severity <sev>' argument 'SEV9' is invalid. Allowed choices are SEV1, SEV2, SEV3, SEV4.\n(run with --help for usage)\n",
    );
    expect((await cli('show', id)).stderr).toBe(
      `There is no incident "${id}". List incidents with: incident list --all\n`,
    );
  });

  it('other usage errors: exit 2 with the reason', async () => {
    const missing = await cli('open', '--id', uniqueId('INC-MISSING'));
    expectRefused(missing, 2);
    expect(missing.stderr).toBe(
      'incident: incident open needs --title, --severity, --category, --detection (or run it on a terminal to be asked).\n',
    );
    const badTime = await cli(...openArgs(uniqueId('INC-BADTIME'), { aware: 'yesterday-ish' }));
    expectRefused(badTime, 2);
    expect(badTime.stderr).toMatch(
      /^incident: "yesterday-ish" is not a time I understand \(not ISO 8601 nor "… ago"\)\. /,
    );
    const unknownCommand = await cli('frobnicate');
    expectRefused(unknownCommand, 2);
    expect(unknownCommand.stderr).toContain("error: unknown command 'frobnicate'");
  });

  it('an awareness time in the future: exit 1, nothing is opened', async () => {
    const id = uniqueId('INC-FUTURE');
    const r = await cli(...openArgs(id, { aware: '2030-01-01T00:00:00Z' }));
    expectRefused(r, 1);
    expect(r.stderr).toContain('is in the future');
    expect(r.stderr).toBe(
      'awareAt (when the organisation became aware) 2030-01-01T00:00:00.000Z is in the future; give the time it actually happened.\n',
    );
    expect((await cli('show', id)).code).toBe(1);
  });

  it('acting on a closed incident: exit 1', async () => {
    const id = uniqueId('INC-CLOSED');
    expectOk(await cli(...openArgs(id)));
    const closedOut = expectOk(await cli('close', id)).stdout;
    expect(closedOut).toBe(`${await closedLine(id)}\n`);
    for (const args of [
      ['ack', id],
      ['close', id],
      ['note', id, 'too late'],
    ]) {
      const r = await cli(...args);
      expectRefused(r, 1);
      expect(r.stderr).toBe(`Incident ${id} is closed; open a new incident for new activity.\n`);
    }
  });

  it('closing with open obligations: exit 1, naming them', async () => {
    const id = uniqueId('INC-OPENOB');
    expectOk(await cli(...openArgs(id, { category: 'intrusion', aware: '1h ago' })));
    const dueAt = (await world.view(id)).state.obligations.find((o: any) => o.id === 'inform-law-enforcement').dueAt;
    const r = await cli('close', id);
    expectRefused(r, 1);
    expect(r.stderr).toContain('still has open obligations');
    expect(r.stderr).toBe(
      `Incident ${id} still has open obligations: inform-law-enforcement (due ${dueAt}). Meet them, or waive each with a reason (incident waive).\n`,
    );
    expect((await world.view(id)).phase).not.toBe('closed');
  });

  it('a late regulator filing needs the reasons for the delay (Art. 33(1)); with them it is recorded', async () => {
    const id = uniqueId('INC-LATE');
    expectOk(await cli(...openArgs(id, { category: 'data-breach', aware: '80h ago' })));
    expectOk(await cli('assess', id, '--impact', 'personal', '--customer', 'ACME <security@acme.example>'));
    const refused = await cli('file-regulator', id, '--reference', 'CNIL-LATE-1');
    expectRefused(refused, 1);
    expect(refused.stderr).toContain('Art. 33(1) requires the reasons for the delay');
    expect(refused.stderr).toMatch(
      /^This notification is late \(overdue by 8 h \d{2} min\): GDPR Art\. 33\(1\) requires the reasons for the delay\. Record them with --late-reason\.\n$/,
    );
    expect((await world.view(id)).state.regulatorFilings).toEqual([]);

    const filed = await cli(
      'file-regulator',
      id,
      '--reference',
      'CNIL-LATE-1',
      '--late-reason',
      'Breach scope only established on day 4',
    );
    expect(expectOk(filed).stdout).toBe('Filing CNIL-LATE-1 recorded.\n');
    const ob = (await world.view(id)).state.obligations.find((o: any) => o.id === 'gdpr-art33-notification');
    expect(ob).toMatchObject({ status: 'met', metBy: 'alice', lateReason: 'Breach scope only established on day 4' });
  });

  it('an unreachable server: exit 3 and how to start one', async () => {
    const r = await world.run(['list'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expectRefused(r, 3);
    expect(r.stderr).toContain('npm start');
    expect(r.stderr).toMatch(
      /^Temporal is not reachable at 127\.0\.0\.1:1 \(.+\)\. Start the embedded server with `npm start`, or set TEMPORAL_ADDRESS to your cluster\.\n$/,
    );
  });

  it('a namespace the server does not have: exit 2 and which setting to change', async () => {
    const r = await world.run(['list'], { TEMPORAL_NAMESPACE: 'no-such-tenant' });
    expectRefused(r, 2);
    expect(r.stderr).toMatch(
      /^incident: Temporal at 127\.0\.0\.1:\d+ has no namespace "no-such-tenant" \(Namespace no-such-tenant is not found\.\): set TEMPORAL_NAMESPACE to one it has\.\n$/,
    );
  });

  it('an unreachable server is reported within the configured 5 s connect timeout, not after the gRPC retries', async () => {
    // platform/connection.ts gives every client connection connectTimeout: '5s'; a person who forgot
    // `npm start` should learn it in about that time. Allow twice that for process start-up and load.
    const started = Date.now();
    const r = await world.run(['show', 'NOPE-1'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    const elapsedMs = Date.now() - started;
    expectRefused(r, 3);
    expect(r.stderr).toContain('npm start');
    expect(elapsedMs).toBeLessThan(10_000);
  });
});

// ---------------------------------------------------------------- 3. --json outputs

describe('incident CLI: --json outputs match their schemas', () => {
  it('open, list, show, actions and audit --verify print the documented JSON', async () => {
    const id = uniqueId('INC-JSON');
    const opened = parseWith(
      openResultSchema,
      expectOk(
        await cli(
          ...openArgs(id, {
            severity: 'SEV2',
            category: 'malware',
            systems: ['web-01'],
            aware: '30 min ago',
            json: true,
          }),
        ),
      ).stdout,
    );
    expect(opened).toMatchObject({
      incidentId: id,
      deadlineHours: { customersPersonal: 24, customersProject: 72, regulator: 72 },
    });

    const rows = await pollUntil(
      'the incident in `incident list --json`',
      async () => parseWith(listSchema, expectOk(await cli('list', '--json')).stdout),
      (list) => list.some((row) => row.incidentId === id && row.nextDeadline !== undefined),
    );
    expect(rows.find((row) => row.incidentId === id)).toMatchObject({
      incidentId: id,
      title: `Test incident ${id}`,
      severity: 'SEV2',
      dataImpact: 'unassessed',
      status: 'RUNNING',
      awareAt: opened.awareAt,
    });
    const filtered = parseWith(listSchema, expectOk(await cli('list', '--severity', 'SEV2', '--json')).stdout);
    expect(filtered.every((row) => row.severity === 'SEV2')).toBe(true);

    const ack = parseWith(actionResultSchema, expectOk(await cli('ack', id, '--json')).stdout);
    expect(ack.message).toBe('Acknowledged by alice; escalation stopped.');
    await pollUntil(
      'containment',
      () => world.view(id),
      (v) => v.phase === 'assessment',
    );
    const assess = parseWith(
      actionResultSchema,
      expectOk(
        await cli('assess', id, '--impact', 'both', '--customer', 'security@acme.example', '--people', '12', '--json'),
      ).stdout,
    );
    expect(assess.auditSeq).toBeGreaterThan(ack.auditSeq);
    expect(assess.details?.obligations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'contract:policy', kind: 'notify-customers' }),
        expect.objectContaining({ id: 'gdpr-art33-notification', kind: 'notify-regulator' }),
      ]),
    );
    const note = parseWith(actionResultSchema, expectOk(await cli('note', id, 'JSON note', '--json')).stdout);
    expect(note).toEqual({ ok: true, message: 'Note added.', auditSeq: note.auditSeq });
    expect(note.auditSeq).toBeGreaterThan(assess.auditSeq);

    const view = parseWith(showSchema, expectOk(await cli('show', id, '--json')).stdout);
    expect(view.state).toMatchObject({
      incidentId: id,
      severity: 'SEV2',
      category: 'malware',
      acknowledgement: { by: 'alice' },
    });
    expect(view.state.assessment).toMatchObject({
      dataImpact: 'both',
      customers: [{ name: 'security@acme.example', email: 'security@acme.example' }],
      approxPeople: 12,
    });
    expect(view.phase).toBe('response');
    expect(view.nextDeadline).toBe(
      view.state.obligations
        .filter((o) => o.status === 'pending')
        .map((o) => o.dueAt)
        .sort()[0],
    );
    view.timeline.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      expect(e.incidentId).toBe(id);
      if (i > 0) expect(e.prevHash).toBe(view.timeline[i - 1].hash);
    });
    expect(
      view.timeline.some((e) => e.seq === note.auditSeq && e.action === 'note.added' && e.details.note === 'JSON note'),
    ).toBe(true);

    const open = parseWith(verifySchema, expectOk(await cli('audit', id, '--verify', '--json')).stdout);
    expect(open.closed).toBe(false);
    expect(open.entries).toBeGreaterThanOrEqual(view.timeline.length);

    for (const ob of ['inform-law-enforcement', 'contract:policy', 'gdpr-art33-notification']) {
      parseWith(actionResultSchema, expectOk(await cli('waive', id, ob, '--reason', 'test', '--json')).stdout);
    }
    const closed = parseWith(actionResultSchema, expectOk(await cli('close', id, '--json')).stdout);
    expect(closed.message).toBe(await closedLine(id));
    expect(Array.isArray(closed.details?.reports)).toBe(true);
    const final = parseWith(verifySchema, expectOk(await cli('audit', id, '--verify', '--json')).stdout);
    const entries = z.array(auditEntrySchema).parse(JSON.parse(expectOk(await cli('audit', id, '--json')).stdout));
    expect(closed.details?.finalHead).toEqual({ seq: entries.at(-1)!.seq, hash: entries.at(-1)!.hash });
    expect(final).toEqual({
      ok: true,
      incidentId: id,
      entries: entries.length,
      lastHash: entries.at(-1)!.hash,
      closed: true,
      head: { seq: entries.length, hash: entries.at(-1)!.hash },
      checkpoints: expect.any(Number),
      checks: [
        {
          check: 'chain',
          ok: true,
          message: `${entries.length} entries link from the first to the last, ending with the closing entry`,
        },
        { check: 'checkpoints', ok: true, message: expect.stringMatching(/ cover all \d+ entries$/) },
        {
          check: 'temporal',
          ok: true,
          message: expect.stringMatching(new RegExp(`^entry ${entries.length} matches the head Temporal recorded at `)),
        },
      ],
      signatures: { signed: 0, verified: 0, failures: [] },
    });
    expect(entries.at(-1)!.seq).toBe(closed.auditSeq);

    const all = await pollUntil(
      'the closed incident in `incident list --all --json`',
      async () => parseWith(listSchema, expectOk(await cli('list', '--all', '--json')).stdout),
      (list) => list.some((row) => row.incidentId === id && row.status === 'COMPLETED'),
    );
    expect(all.find((row) => row.incidentId === id)).toMatchObject({
      phase: 'closed',
      status: 'COMPLETED',
      dataImpact: 'both',
    });
  });
});

// ---------------------------------------------------------------- 5. help and completion

describe('incident CLI: help and completion', () => {
  const plainEnv = () => ({ ...process.env, NO_COLOR: '1' });

  it('incident --help shows every command and the walk from open to closed', async () => {
    const r = await runCliProcess(['--help'], plainEnv());
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^Usage: incident \[options\] \[command\]/);
    for (const command of [
      'open',
      'list',
      'show',
      'ack',
      'assess',
      'file-regulator',
      'report',
      'audit',
      'close',
      'completion',
    ])
      expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(r.stdout).toContain('From open to closed:');
    expect(r.stdout).toContain(
      '  incident open --title "Web shell on web-01" --severity SEV1 --category intrusion --system web-01 --detection "EDR alert" --aware "2h ago"',
    );
    expect(r.stdout).toContain(
      'Exit codes: 0 done, 1 refused (the reason is printed), 2 usage error, 3 Temporal unreachable, 4 unexpected error.',
    );
  });

  it('incident open --help lists its options and an example', async () => {
    const r = await runCliProcess(['open', '--help'], plainEnv());
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^Usage: incident open \[options\]/);
    expect(r.stdout).toContain('--severity <sev>');
    expect(r.stdout).toContain('(choices: "SEV1", "SEV2", "SEV3", "SEV4")');
    expect(r.stdout).toContain('Example:\n  incident open --title "Web shell on web-01" --severity SEV1');
  });

  it('incident completion bash prints a script bash can load', async () => {
    const r = await runCliProcess(['completion', 'bash'], plainEnv());
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain('complete -F _incident_complete incident');
    expect(r.stdout).toMatch(
      /^\s+open\) opts="--id --title --severity --category --system --detection --aware --summary --policy-profile --json --help --as" ;;$/m,
    );
    const syntax = await new Promise<number>((resolve) => {
      const bash = spawn('bash', ['-n'], { stdio: ['pipe', 'ignore', 'ignore'] });
      bash.on('close', (code) => resolve(code ?? -1));
      bash.stdin.end(r.stdout);
    });
    expect(syntax).toBe(0);
  });
});
