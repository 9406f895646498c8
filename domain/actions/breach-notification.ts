import { describeTimeLeft } from '../deadlines';
import {
  CONTACT_KINDS,
  DATA_IMPACTS,
  type ContactKind,
  type CustomerContact,
  type DataImpact,
  type IncidentState,
} from '../incident';
import { checkActor, checkOpen, EMAIL, MAX_LINE, oneOf, refuse, text, time, type ActorInput } from './input-checks';

// The breach assessment and what it obliges: the customer notice's approval, the regulator's filing,
// contacts with third parties such as law enforcement, and the waiver of an obligation that does not apply.

export interface AssessInput extends ActorInput {
  dataImpact: DataImpact;
  customers: CustomerContact[];
  regulatorRequired?: boolean;
  dataCategories?: string[];
  approxPeople?: number;
  approxRecords?: number;
  likelyConsequences?: string;
  measures?: string;
}
export function validateAssess(state: IncidentState, input: AssessInput): void {
  checkActor(input);
  checkOpen(state);
  const impact = oneOf<DataImpact>(input.dataImpact, DATA_IMPACTS, 'dataImpact');
  if (!Array.isArray(input.customers)) refuse('customers must be a list of {name, email}.');
  if (input.customers.length > 10_000) refuse('At most 10,000 customer contacts per assessment.');
  input.customers.forEach((c, i) => {
    if (typeof c !== 'object' || c === null) refuse(`customers[${i}] must be {name, email}.`);
    text(c.name, `customers[${i}].name`, { max: 200 });
    if (typeof c.email !== 'string' || !EMAIL.test(c.email) || c.email.length > 254)
      refuse(`customers[${i}].email ${JSON.stringify(c.email)?.slice(0, 80)} is not an email address.`);
  });
  if (impact !== 'none' && input.customers.length === 0)
    refuse(`A ${impact} data breach needs the affected customers and their contacts, so that they can be notified.`);
  if (input.regulatorRequired !== undefined && typeof input.regulatorRequired !== 'boolean')
    refuse('regulatorRequired must be true or false.');
  if (input.regulatorRequired === false && (impact === 'personal' || impact === 'both') && !input.likelyConsequences) {
    refuse(
      'Not notifying the regulator of a personal-data breach needs the assessment that it is unlikely to result in a risk to people (likelyConsequences).',
    );
  }
  for (const field of ['approxPeople', 'approxRecords'] as const) {
    const v = input[field];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0))
      refuse(`${field} must be a whole number of at least 0.`);
  }
  if (
    input.dataCategories !== undefined &&
    (!Array.isArray(input.dataCategories) ||
      input.dataCategories.some((c) => typeof c !== 'string' || c.length > MAX_LINE))
  ) {
    refuse('dataCategories must be a list of short texts such as "email addresses".');
  }
  text(input.likelyConsequences, 'likelyConsequences', { required: false });
  text(input.measures, 'measures', { required: false });
  if (state.customerNotice && state.customerNotice.status !== 'awaiting-approval')
    refuse('The customer notice has already been sent; record a follow-up as a note or a contact instead.');
}

export interface ApproveNoticeInput extends ActorInput {
  subject?: string;
  text?: string;
}
export function validateApproveNotice(state: IncidentState, input: ApproveNoticeInput): void {
  checkActor(input);
  checkOpen(state);
  text(input.subject, 'subject', { required: false, max: MAX_LINE });
  text(input.text, 'text', { required: false });
  if (!state.customerNotice)
    refuse(
      'There is no customer notice to approve: record the breach assessment with its affected customers first (incident assess).',
    );
  if (state.customerNotice!.status !== 'awaiting-approval')
    refuse(`The customer notice is already ${state.customerNotice!.status}.`);
}

export interface RegulatorFilingInput extends ActorInput {
  reference: string;
  filedAt?: string;
  lateReason?: string;
  phase?: 'initial' | 'follow-up';
  notes?: string;
}
export function validateRegulatorFiling(state: IncidentState, input: RegulatorFilingInput, now: Date): void {
  checkActor(input);
  checkOpen(state);
  text(input.reference, 'reference (the filing number the regulator gave)', { max: 200 });
  const phase = input.phase === undefined ? 'initial' : oneOf(input.phase, ['initial', 'follow-up'] as const, 'phase');
  const filedAt = input.filedAt === undefined ? now : new Date(time(input.filedAt, 'filedAt', now));
  text(input.notes, 'notes', { required: false });
  const ob = state.obligations.find((o) => o.kind === 'notify-regulator');
  const initial = state.regulatorFilings.find((f) => f.phase === 'initial');
  if (phase === 'follow-up') {
    if (!initial) refuse('A follow-up filing (Art. 33(4)) needs the initial filing first.');
    return;
  }
  if (initial)
    refuse(
      `The initial filing is already recorded (${initial.reference}); record more information as --phase follow-up.`,
    );
  if (ob && filedAt.getTime() < new Date(state.awareAt).getTime())
    refuse('filedAt is before the incident was known; check the time.');
  if (
    ob &&
    filedAt.getTime() > new Date(ob.dueAt).getTime() &&
    !text(input.lateReason, 'lateReason', { required: false })
  ) {
    refuse(
      `This notification is late (${describeTimeLeft(ob.dueAt, filedAt)}): GDPR Art. 33(1) requires the reasons for the delay. Record them with --late-reason.`,
    );
  }
}

export interface ContactInput extends ActorInput {
  kind: ContactKind;
  organisation: string;
  person?: string;
  at?: string;
  shared: string;
  reference?: string;
}
export function validateContact(state: IncidentState, input: ContactInput, now: Date): void {
  checkActor(input);
  checkOpen(state);
  oneOf<ContactKind>(input.kind, CONTACT_KINDS, 'kind');
  text(input.organisation, 'organisation', { max: MAX_LINE });
  text(input.person, 'person', { required: false, max: MAX_LINE });
  text(input.shared, 'shared (what was shared with them)');
  text(input.reference, 'reference', { required: false, max: MAX_LINE });
  if (input.at !== undefined) {
    const at = time(input.at, 'at', now);
    if (new Date(at).getTime() < new Date(state.awareAt).getTime() - 30 * 86_400_000)
      refuse('at is more than 30 days before the incident; check the date.');
  }
}

export interface WaiveInput extends ActorInput {
  obligationId: string;
  reason: string;
}
export function validateWaive(state: IncidentState, input: WaiveInput): void {
  checkActor(input);
  checkOpen(state);
  text(input.reason, 'reason (why the obligation does not apply)');
  const ob = state.obligations.find((o) => o.id === input.obligationId);
  if (!ob)
    refuse(
      `There is no obligation "${String(input.obligationId).slice(0, 60)}". Obligations: ${state.obligations.map((o) => o.id).join(', ') || 'none'}.`,
    );
  if (ob!.status !== 'pending') refuse(`Obligation ${ob!.id} is already ${ob!.status}.`);
}
