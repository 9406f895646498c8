import { hostname } from 'node:os';
import { Context } from '@temporalio/activity';
import { GENESIS_HASH, type AuditRecord } from '../domain/audit-chain';
import type { AppendedHead } from '../domain/audit-entry';
import type { Config } from '../platform/config/schema';
import type { EvidenceRecord, IncidentState } from '../domain/incident';
import type { MailMessage } from '../domain/notices';
import type { Policy } from '../domain/policy';
import type { SystemConfig } from '../domain/systems';
import { FAILURE_TYPES } from '../domain/failure-types';
import { permanent } from './permanent-failure';
import { incidentSettingsActivities } from './incident-settings';
import { legalClockActivities } from './legal-clocks';
import { renderHtml, renderMarkdown } from '../domain/report-document';
import type { ReportKind } from '../domain/reports';
import { reportOfKind } from '../domain/report-of-kind';
import type { AuditStore } from '../stores/audit-store';
import { CommandFailedError } from './drivers/command-runner';
import { evidenceDriver } from './drivers/evidence';
import { isolationDriver } from './drivers/isolation';
import { EvidenceError, type EvidenceCopier } from '../stores/evidence-record';
import type { EvidenceManifests } from '../stores/postgres/pg-evidence-manifests';
import { MailRejectedError, type MailDelivery, type Mailer } from './mailer';
import { sealBuffer } from '../platform/encryption/at-rest/buffers';
import { SEALED_SUFFIX } from '../platform/encryption/at-rest/format';
import type { KeyRing } from '../platform/encryption/key-ring';
import type { ReportStore } from '../stores/report-store';

// Every side effect of the incident workflow. Each activity is idempotent on the keys the workflow
// chooses (incident id, audit seq, mail key, system and round), so a retry after a crash repeats nothing.

export interface ActivityDeps {
  config: Pick<Config, 'systems' | 'dataDir' | 'policyProfiles'> & Partial<Pick<Config, 'access' | 'trail'>>;
  audit: AuditStore;
  mailer: Mailer;
  evidence: EvidenceCopier;
  /** The installation's index of copies (PostgreSQL); absent with the embedded default's files. */
  manifests?: EvidenceManifests;
  /** Where rendered reports are kept: the data dir, or the object store. */
  reports: ReportStore;
  /** Reads the access section of the configuration again, for a reload without restarting the worker. */
  rereadAccess?: () => Config['access'];
  /** Public link keys: with a roster, a mail link is proof for acknowledging (incident-settings.ts). */
  linkKeys?: string[];
  /** Rendered reports are encrypted at rest with this ring (the evidence store is given its own). */
  reportsAtRest?: KeyRing;
  /** The worker's clock, compared with Temporal's at each audit append; a test may set it wrong. */
  clock?: () => Date;
}

/** A gap between the worker's clock and Temporal's larger than the limit, as the workflow records it. */
function clockSkew(workerAt: Date, temporalAt: Date, limitSeconds = 120): Pick<AppendedHead, 'clockSkew'> {
  const gapSeconds = Math.round((workerAt.getTime() - temporalAt.getTime()) / 1000);
  if (Math.abs(gapSeconds) <= limitSeconds) return {};
  return {
    clockSkew: { workerAt: workerAt.toISOString(), temporalAt: temporalAt.toISOString(), gapSeconds, limitSeconds },
  };
}

export interface SystemStepRequest {
  incidentId: string;
  system: string;
  round: number;
}

export type StepOutcome = { kind: 'done'; detail: string } | { kind: 'manual'; instruction: string };

export type EvidenceOutcome = { kind: 'done'; record: EvidenceRecord } | { kind: 'manual'; instruction: string };

export interface RenderedReport {
  kind: ReportKind;
  format: 'md' | 'html';
  path: string;
}

/** What a system outside the inventory gets: both steps for a person. */
const UNLISTED_SYSTEM: SystemConfig = { isolation: { driver: 'manual' }, evidence: { driver: 'manual' } };

/** Well inside the heartbeat timeout the workflow gives isolation and release. */
const DRIVER_HEARTBEAT_MS = 5_000;

export function createActivities(deps: ActivityDeps) {
  const workerName = `${hostname()}/${process.pid}`;
  const clock = deps.clock ?? (() => new Date());

  /**
   * A system nobody put in the inventory (an alert can name any host) is a step for a person, not a
   * failure: the instruction says why no driver acts and how to record what the person did.
   */
  function systemConfig(system: string): { config: SystemConfig; why?: string } {
    const found = deps.config.systems[system];
    if (found) return { config: found };
    return {
      config: UNLISTED_SYSTEM,
      why: `${system} is not in this worker's systems inventory (configuration "systems"), so no driver acts on it.`,
    };
  }

  function explained<T extends { kind: string }>(outcome: T, why?: string): T {
    if (!why || outcome.kind !== 'manual') return outcome;
    const manual = outcome as T & { instruction: string };
    return { ...manual, instruction: `${why} ${manual.instruction}` };
  }

  async function runIsolation(req: SystemStepRequest, which: 'isolate' | 'release'): Promise<StepOutcome> {
    const { config, why } = systemConfig(req.system);
    const driver = isolationDriver(config.isolation);
    const ctx = Context.current();
    // Alive while the command runs, so a worker that dies mid-command is noticed (workflow's driverActs).
    const alive = setInterval(() => ctx.heartbeat(), DRIVER_HEARTBEAT_MS);
    try {
      return explained(await driver[which](req.system, req.incidentId, ctx.cancellationSignal), why);
    } catch (err) {
      if (err instanceof CommandFailedError && err.permanent)
        throw permanent(err.message, FAILURE_TYPES.driverMisconfigured);
      throw err;
    } finally {
      clearInterval(alive);
    }
  }

  return {
    ...incidentSettingsActivities(deps),
    ...legalClockActivities(),

    async appendAudit(incidentId: string, records: AuditRecord[]): Promise<AppendedHead> {
      const workerAt = clock();
      const temporalAt = new Date(Context.current().info.currentAttemptScheduledTimestampMs);
      try {
        const result = await deps.audit.append(incidentId, records, { temporalAt: temporalAt.toISOString() });
        return {
          seq: result.lastSeq,
          hash: result.head?.hash ?? GENESIS_HASH,
          ...clockSkew(workerAt, temporalAt, deps.config.trail?.maxClockSkewSeconds),
        };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // Retried without end by the workflow: a step is never reported done with its audit entry missing.
        throw new Error(
          `The audit store cannot be written (${code ?? 'error'}): ${(err as Error).message}. ${deps.audit.remedy(incidentId)}; the incident waits.`,
          { cause: err },
        );
      }
    },

    async sendMail(message: MailMessage): Promise<MailDelivery> {
      try {
        return await deps.mailer.send(message);
      } catch (err) {
        if (err instanceof MailRejectedError) throw permanent(err.message, FAILURE_TYPES.mailRejected);
        throw err;
      }
    },

    isolateSystem: (req: SystemStepRequest) => runIsolation(req, 'isolate'),
    releaseSystem: (req: SystemStepRequest) => runIsolation(req, 'release'),

    async collectEvidence(req: SystemStepRequest & { collector: string }): Promise<EvidenceOutcome> {
      const ctx = Context.current();
      const { config, why } = systemConfig(req.system);
      const driver = evidenceDriver(config.evidence, deps.evidence);
      const dir = deps.evidence.dirFor(req.incidentId, req.system, req.round);
      let outcome;
      try {
        outcome = await driver.snapshot(
          { incidentId: req.incidentId, system: req.system, dir },
          { onProgress: (bytes) => ctx.heartbeat({ bytes }), signal: ctx.cancellationSignal },
        );
      } catch (err) {
        if ((err instanceof EvidenceError || err instanceof CommandFailedError) && err.permanent)
          throw permanent(err.message, FAILURE_TYPES.evidenceSourceUnavailable);
        throw err;
      }
      if (outcome.kind === 'manual') return explained(outcome, why);
      const s = outcome.stored;
      const collectedBy = `${req.collector} (worker ${workerName})`;
      await deps.manifests?.record({
        incidentId: req.incidentId,
        system: req.system,
        round: req.round,
        record: { ...s, collectedBy },
      });
      return {
        kind: 'done',
        record: {
          id: `${req.incidentId}/${req.system}/round-${req.round}`,
          system: req.system,
          source: s.source,
          location: s.location,
          sha256: s.sha256,
          sizeBytes: s.sizeBytes,
          collectedBy,
          startedAt: s.startedAt,
          finishedAt: s.finishedAt,
          custody: [
            { at: s.startedAt, actor: collectedBy, action: `copy started from ${s.source} (${s.kind})` },
            {
              at: s.finishedAt,
              actor: collectedBy,
              action: `SHA-256 computed while copying and verified on the stored copy: ${s.sha256}`,
            },
            { at: s.finishedAt, actor: collectedBy, action: `stored read-only at ${s.location}` },
            ...(s.encryption
              ? [
                  {
                    at: s.finishedAt,
                    actor: collectedBy,
                    action: `encrypted at rest (${s.encryption.cipher}, key "${s.encryption.keyId}"); the SHA-256 is of the original bytes, verified by decrypting the stored copy`,
                  },
                ]
              : []),
          ],
          ...(s.encryption
            ? { encryption: { cipher: s.encryption.cipher, format: s.encryption.format, keyId: s.encryption.keyId } }
            : {}),
        },
      };
    },

    async renderReports(input: {
      state: IncidentState;
      policy: Policy;
      kinds: ReportKind[];
      renderedAt: string;
    }): Promise<RenderedReport[]> {
      const { state, policy, renderedAt } = input;
      const audit = input.kinds.includes('rca') ? await deps.audit.read(state.incidentId) : [];
      const out: RenderedReport[] = [];
      const ring = deps.reportsAtRest;
      for (const kind of input.kinds) {
        const doc = reportOfKind(kind, state, audit, policy, renderedAt);
        for (const [format, body] of [
          ['md', renderMarkdown(doc)],
          ['html', renderHtml(doc)],
        ] as const) {
          // Encrypted at rest, a report is <kind>.<format>.enc, and the plaintext variant is retired.
          const plain = `${kind}.${format}`;
          const bytes = Buffer.from(body, 'utf8');
          const where = ring
            ? await deps.reports.write(state.incidentId, plain + SEALED_SUFFIX, sealBuffer(ring, bytes), plain)
            : await deps.reports.write(state.incidentId, plain, bytes, plain + SEALED_SUFFIX);
          out.push({ kind, format, path: where });
        }
      }
      return out;
    },
  };
}

export type IncidentActivities = ReturnType<typeof createActivities>;
