import { defaultPolicy, type Policy } from '../../domain/policy-schema';
import { obligationsForAssessment } from '../../domain/obligations';
import { newIncidentState, type Assessment, type IncidentState, type OpenIncidentRequest } from '../../domain/incident';

// Small builders for the unit tests: a realistic incident as a responder would open it, and its
// obligations, so that each test only states what differs.

export const HOUR = 3_600_000;
export const MINUTE = 60_000;

export const at = (iso: string): Date => new Date(iso);
export const plusHours = (iso: string, h: number): Date => new Date(Date.parse(iso) + h * HOUR);

export function openRequest(over: Partial<OpenIncidentRequest> = {}): OpenIncidentRequest {
  return {
    incidentId: 'INC-2026-042',
    title: 'Unauthorised access to the customer database',
    severity: 'SEV1',
    category: 'intrusion',
    systems: ['db-1', 'web-1'],
    detection: 'IDS alert on db-1: outbound transfer of 2 GB to an unknown host',
    // 10:00 in Paris (CET, UTC+01:00), the day before the spring daylight-saving change.
    awareAt: '2026-03-28T09:00:00.000Z',
    summary: 'An attacker used a leaked VPN credential to reach the customer database.',
    openedBy: 'alice',
    ...over,
  };
}

export function incidentState(
  over: Partial<OpenIncidentRequest> = {},
  openedAt = '2026-03-28T15:00:00.000Z',
): IncidentState {
  return newIncidentState(openRequest(over), openedAt);
}

export function personalDataAssessment(over: Partial<Assessment> = {}): Assessment {
  return {
    dataImpact: 'personal',
    customers: [{ name: 'Acme Corp', email: 'security@acme.example' }],
    regulatorRequired: true,
    dataCategories: ['email addresses', 'hashed passwords'],
    approxPeople: 1200,
    approxRecords: 45000,
    likelyConsequences: 'Phishing aimed at the people concerned',
    measures: 'Credentials rotated; VPN access now requires a hardware key',
    by: 'dpo-bob',
    at: '2026-03-28T16:00:00.000Z',
    ...over,
  };
}

/** An incident whose breach assessment opened the customer and regulator obligations. */
export function assessedState(
  policy: Policy = defaultPolicy(),
  over: Partial<OpenIncidentRequest> = {},
): IncidentState {
  const s = incidentState(over);
  s.assessment = personalDataAssessment();
  s.obligations = obligationsForAssessment(s, s.assessment, policy);
  return s;
}

/** What a reader sees once Markdown is rendered: every backslash escape of ASCII punctuation removed. */
export const markdownText = (md: string): string => md.replace(/\\([!-/:-@[-`{-~])/g, '$1');

/** Whether `ch` occurs outside a backslash escape, i.e. where a Markdown renderer would treat it as markup. */
export const hasUnescaped = (md: string, ch: string): boolean => md.replace(/\\[!-/:-@[-`{-~]/g, '').includes(ch);
