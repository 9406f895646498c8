import { condition } from '@temporalio/workflow';
import type { AuditAction } from '../../domain/audit-actions';
import type { AppendedHead, AuditRecord } from '../../domain/audit-entry';
import type { IncidentState } from '../../domain/incident';
import { recordActs } from './activities';

// Entries get their seq here, synchronously, so the order is workflow order whatever runs concurrently;
// one writer drains them in batches, and a step reports success only once its entry is on disk.

export interface SignedRequest {
  actor: string;
  proof: Record<string, unknown>;
}

export type AuditWriter = ReturnType<typeof startAuditWriter>;

/** What the writer reports of the worker's clock at each append: too far from Temporal's, or not. */
export type ClockReport = (skew: AppendedHead['clockSkew']) => void;

export function startAuditWriter(s: IncidentState) {
  let reportClock: ClockReport = () => undefined;
  const unwritten: AuditRecord[] = [];
  let writtenSeq = s.auditSeq;
  /** The signed request of the action being handled; it goes into that action's first audit entry. */
  let pendingSignedRequest: SignedRequest | undefined;
  /** While held, entries gather for one append (the opening's, until the senior alert has left). */
  let held = false;

  function record(actor: string, action: AuditAction, details: Record<string, unknown> = {}): number {
    const seq = ++s.auditSeq;
    if (pendingSignedRequest && pendingSignedRequest.actor === actor) {
      details = { ...details, signedRequest: pendingSignedRequest.proof };
      pendingSignedRequest = undefined;
    }
    unwritten.push({ incidentId: s.incidentId, seq, at: new Date().toISOString(), actor, action, details });
    return seq;
  }

  void (async () => {
    for (;;) {
      await condition(() => unwritten.length > 0 && !held);
      const batch = unwritten.slice(0, 200);
      // Histories from before anchored heads recorded only the last seq (a number).
      const appended: AppendedHead | number = await recordActs.appendAudit(s.incidentId, batch);
      unwritten.splice(0, batch.length);
      writtenSeq = batch[batch.length - 1].seq;
      if (typeof appended === 'object' && appended && appended.seq >= writtenSeq) {
        s.auditHead = { seq: appended.seq, hash: appended.hash, at: new Date().toISOString() };
        reportClock(appended.clockSkew);
      }
    }
  })();

  return {
    record,
    /** Resolves once the entry with this seq is on disk. */
    recorded: (seq: number) => condition(() => writtenSeq >= seq),
    /**
     * Resolves once every entry recorded so far is on disk (including any recorded while waiting), to
     * the head Temporal then holds: the head the next entry follows. Undefined when the appends did not
     * report heads (a worker from before anchored heads).
     */
    async settled(): Promise<{ seq: number; hash: string } | undefined> {
      // Entries recorded by other handlers as this one resumes are waited for too; no await when all is written.
      while (writtenSeq < s.auditSeq) await condition(() => writtenSeq >= s.auditSeq);
      const head = s.auditHead;
      return head && head.seq === s.auditSeq ? { seq: head.seq, hash: head.hash } : undefined;
    },
    /** The next entry this actor writes carries the request exactly as signed. */
    attachSignedRequest(request: SignedRequest): void {
      pendingSignedRequest = request;
    },
    /** The signed request no entry has taken yet, if any; it is cleared. */
    takeSignedRequest(): SignedRequest | undefined {
      const request = pendingSignedRequest;
      pendingSignedRequest = undefined;
      return request;
    },
    drained: () => unwritten.length === 0,
    /** Entries recorded from now on wait, to go in one append once released. */
    hold(): void {
      held = true;
    },
    release(): void {
      held = false;
    },
    onClockReport(report: ClockReport): void {
      reportClock = report;
    },
  };
}
