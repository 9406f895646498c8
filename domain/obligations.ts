import { dueAfterHours, isLate } from './deadlines';
import type { Assessment, IncidentState, Obligation, ObligationKind } from './incident';
import { isMaliciousIntrusion } from './incident';
import type { Policy } from './policy';

// Everything the organisation owes someone by a time. The workflow keeps these; reminders, escalations,
// the CLI and the reports all read them.

function obligation(kind: ObligationKind, id: string, title: string, owedTo: string, dueAt: string): Obligation {
  return { id, kind, title, owedTo, dueAt, status: 'pending', proof: [], noticesSent: [], deliveryFailures: [] };
}

/** The customer deadline: the shorter one applies when both personal and project data are hit. */
export function customerNoticeHours(assessment: Pick<Assessment, 'dataImpact'>, policy: Policy): number | undefined {
  switch (assessment.dataImpact) {
    case 'personal':
    case 'both':
      return policy.customerPersonalDataHours;
    case 'project':
      return policy.customerProjectDataHours;
    case 'none':
      return undefined;
  }
}

/** Obligations a breach assessment opens, all counted from the awareness time. */
export function obligationsForAssessment(state: IncidentState, assessment: Assessment, policy: Policy): Obligation[] {
  const result: Obligation[] = [];
  const customerHours = customerNoticeHours(assessment, policy);
  if (customerHours !== undefined && assessment.customers.length > 0) {
    const kindText = assessment.dataImpact === 'project' ? 'project data' : 'personal data';
    result.push(
      obligation(
        'notify-customers',
        'notify-customers',
        `Notify affected customers of the ${kindText} breach (${customerHours} h)`,
        `${assessment.customers.length} affected customer contact(s)`,
        dueAfterHours(state.awareAt, customerHours),
      ),
    );
  }
  if (assessment.regulatorRequired) {
    result.push(
      obligation(
        'notify-regulator',
        'notify-regulator',
        `Notify the ${policy.regulator.name} (${policy.regulator.article}, ${policy.regulatorHours} h)`,
        policy.regulator.name,
        dueAfterHours(state.awareAt, policy.regulatorHours),
      ),
    );
  }
  return result;
}

export function lawEnforcementObligation(state: IncidentState, policy: Policy): Obligation | undefined {
  if (!isMaliciousIntrusion(state.category)) return undefined;
  return obligation(
    'inform-law-enforcement',
    'inform-law-enforcement',
    'Inform law enforcement of the attempted malicious intrusion',
    'law enforcement',
    dueAfterHours(state.awareAt, policy.lawEnforcementHours),
  );
}

export function rfoObligation(requestId: string, customer: string, requestedAt: string, policy: Policy): Obligation {
  return obligation(
    'send-rfo',
    `send-rfo-${requestId}`,
    `Send the Reason-for-Outage report to ${customer}`,
    customer,
    dueAfterHours(requestedAt, policy.rfoHours),
  );
}

export function markMet(ob: Obligation, at: string, by: string, proof: string[], lateReason?: string): void {
  ob.status = 'met';
  ob.metAt = at;
  ob.metBy = by;
  ob.proof.push(...proof);
  if (lateReason) ob.lateReason = lateReason;
}

/** Whether meeting the obligation at `at` would be late and so needs a recorded reason. */
export function needsLateReason(ob: Obligation, at: Date): boolean {
  return isLate(ob, at);
}

export function earliestOpenDeadline(obligations: Obligation[]): string | undefined {
  return obligations
    .filter((o) => o.status === 'pending')
    .map((o) => o.dueAt)
    .sort()[0];
}
