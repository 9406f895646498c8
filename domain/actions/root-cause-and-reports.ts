import type { IncidentState } from '../incident';
import { checkActor, checkOpen, EMAIL, MAX_TEXT, oneOf, refuse, text, type ActorInput } from './input-checks';

// The root-cause analysis, its conclusions, and the reports drawn from them: Reason-for-Outage reports
// requested by customers, and the incident's reports rendered again.

export interface AssignRcaInput extends ActorInput {
  to: 'internal' | 'law-enforcement';
}
export function validateAssignRca(state: IncidentState, input: AssignRcaInput): void {
  checkActor(input);
  checkOpen(state);
  oneOf(input.to, ['internal', 'law-enforcement'] as const, 'to');
  if (state.conclusions) refuse('The root-cause conclusions are already recorded.');
}

export interface ConclusionsInput extends ActorInput {
  rootCause: string;
  contributingFactors?: string[];
  actions?: { action: string; owner: string }[];
  conductedBy?: 'internal' | 'law-enforcement';
}
export function validateConclusions(state: IncidentState, input: ConclusionsInput): void {
  checkActor(input);
  checkOpen(state);
  text(input.rootCause, 'rootCause');
  if (input.conductedBy !== undefined)
    oneOf(input.conductedBy, ['internal', 'law-enforcement'] as const, 'conductedBy');
  if (
    input.contributingFactors !== undefined &&
    (!Array.isArray(input.contributingFactors) ||
      input.contributingFactors.some((f) => typeof f !== 'string' || f.length > MAX_TEXT))
  ) {
    refuse('contributingFactors must be a list of texts.');
  }
  if (input.actions !== undefined) {
    if (!Array.isArray(input.actions)) refuse('actions must be a list of {action, owner}.');
    input.actions.forEach((a, i) => {
      if (typeof a !== 'object' || a === null) refuse(`actions[${i}] must be {action, owner}.`);
      text(a.action, `actions[${i}].action`);
      text(a.owner, `actions[${i}].owner`, { max: 200 });
    });
  }
}

export interface RfoRequestInput extends ActorInput {
  customer: string;
  email: string;
}
export function validateRequestRfo(state: IncidentState, input: RfoRequestInput): void {
  checkActor(input);
  checkOpen(state);
  text(input.customer, 'customer', { max: 200 });
  if (typeof input.email !== 'string' || !EMAIL.test(input.email))
    refuse(`email ${JSON.stringify(input.email)?.slice(0, 80)} is not an email address.`);
  if (state.rfoRequests.length >= 1000) refuse('At most 1,000 RFO requests per incident.');
}

export interface SendRfoInput extends ActorInput {
  requestId: string;
}
export function validateSendRfo(state: IncidentState, input: SendRfoInput): void {
  checkActor(input);
  checkOpen(state);
  const req = state.rfoRequests.find((r) => r.id === input.requestId);
  if (!req)
    refuse(
      `There is no RFO request "${String(input.requestId).slice(0, 40)}". Requests: ${state.rfoRequests.map((r) => r.id).join(', ') || 'none'}.`,
    );
  if (req!.sentAt) refuse(`The RFO for request ${req!.id} was already sent at ${req!.sentAt}.`);
  if (!state.conclusions)
    refuse('The RFO states the cause: record the root-cause conclusions first (incident conclude).');
}

export function validateGenerateReports(state: IncidentState, input: ActorInput): void {
  checkActor(input);
  void state;
}
