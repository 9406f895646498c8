import { describeTimeLeft } from '../deadlines';
import type { IncidentState } from '../incident';
import { plainEvents } from '../clocks/incident-clocks';
import { parseIncidentFacts } from '../clocks/incident-facts';
import { ClockInputError } from '../clocks/input-error';
import { checkClockEvents } from '../clocks/clock-input';
import { EVENT_NAMES, REGIME_IDS, type ClockEvent, type RegimeId } from '../clocks/types';
import {
  checkActor,
  checkOpen,
  CLOCK_SKEW_MS,
  MAX_LINE,
  oneOf,
  refuse,
  text,
  time,
  type ActorInput,
} from './input-checks';

// The events that start, chain and pause the legal clocks, as responders record them: each with the
// instant it happened (earlier than now, never later), who recorded it, and what the law asks with it.

/** Awareness is corrected (its own action) and submissions are recorded with the obligation they meet. */
export const RECORDABLE_EVENTS = EVENT_NAMES.filter((e) => e !== 'awareness');

export interface ClockEventInput extends ActorInput {
  event: string;
  /** When it happened; now when absent. */
  at?: string;
  reason?: string;
  reference?: string;
  /** authority-request: the deadline the authority gave. */
  dueAt?: string;
  regime?: string;
}

/** The engine's own checks over every event the incident would then hold; a refusal names the field. */
function checkTimeline(state: IncidentState, awareAt: string, added: ClockEvent[], now: Date): void {
  // Submissions are the workflow's own entries, each naming an obligation it had.
  const recorded = plainEvents(state.clocks).filter((e) => !e.name.startsWith('submitted:'));
  try {
    // The CLI's "now" may run a little ahead of the workflow's; time() has already bounded the skew.
    const later = new Date(now.getTime() + CLOCK_SKEW_MS);
    checkClockEvents([{ name: 'awareness', at: awareAt }, ...recorded, ...added], {
      now: later,
      packs: [],
      regimes: [],
    });
  } catch (err) {
    if (err instanceof ClockInputError) refuse(err.message);
    throw err;
  }
}

export function validateClockEvent(state: IncidentState, input: ClockEventInput, now: Date): void {
  checkActor(input);
  checkOpen(state);
  if (input.event === 'awareness')
    refuse('Awareness is corrected, not recorded again: use incident correct-awareness with --at and --reason.');
  if (typeof input.event === 'string' && input.event.startsWith('submitted:'))
    refuse('A submission is recorded with incident submitted <obligation> --reference, which also meets it.');
  const name = oneOf(input.event, RECORDABLE_EVENTS, 'event');
  const at = input.at === undefined ? now.toISOString() : time(input.at, 'at', now);
  if (input.regime !== undefined) oneOf<RegimeId>(input.regime, REGIME_IDS, 'regime');
  text(input.reference, 'reference', { required: false, max: MAX_LINE });
  const reason = text(input.reason, 'reason', { required: false });
  if (name === 'delay-start' && !input.reference)
    refuse('A granted delay needs the reference of the document that grants it (--reference).');
  const dueAt = input.dueAt === undefined ? undefined : time(input.dueAt, 'dueAt', now, { notFuture: false });
  const event: ClockEvent = {
    name,
    at,
    ...(reason ? { reason } : {}),
    ...(dueAt ? { dueAt } : {}),
    ...(input.regime ? { regime: input.regime as RegimeId } : {}),
  };
  checkTimeline(state, state.awareAt, [event], now);
}

export interface ClockFactsInput extends ActorInput {
  /** `name=value` pairs, as `incident clocks --fact` takes them. */
  facts: string[];
}

export function validateClockFacts(state: IncidentState, input: ClockFactsInput): void {
  checkActor(input);
  checkOpen(state);
  if (!Array.isArray(input.facts) || input.facts.length === 0 || input.facts.some((f) => typeof f !== 'string'))
    refuse('facts must be a list of name=value such as people=600 or hipaa-role=covered-entity.');
  try {
    parseIncidentFacts(input.facts);
  } catch (err) {
    if (err instanceof ClockInputError) refuse(err.message);
    throw err;
  }
}

export interface SubmissionInput extends ActorInput {
  obligationId: string;
  reference: string;
  at?: string;
  lateReason?: string;
}

export function validateSubmission(state: IncidentState, input: SubmissionInput, now: Date): void {
  checkActor(input);
  checkOpen(state);
  text(input.reference, 'reference (the filing or message reference)', { max: 200 });
  const lateReason = text(input.lateReason, 'lateReason', { required: false });
  const at = input.at === undefined ? now : new Date(time(input.at, 'at', now));
  const ob = state.obligations.find((o) => o.id === input.obligationId);
  if (!ob)
    refuse(
      `There is no obligation "${String(input.obligationId).slice(0, 60)}". Obligations: ${state.obligations.map((o) => o.id).join(', ') || 'none'}.`,
    );
  if (ob!.status !== 'pending') refuse(`Obligation ${ob!.id} is already ${ob!.status}.`);
  if (at.getTime() < Date.parse(state.awareAt)) refuse('at is before the incident was known; check the time.');
  if (at.getTime() > Date.parse(ob!.dueAt) && !lateReason)
    refuse(
      `This submission is late (${describeTimeLeft(ob!.dueAt, at)}): record the reasons for the delay with --late-reason.`,
    );
}

export interface CorrectAwarenessInput extends ActorInput {
  at: string;
  reason: string;
}

export function validateCorrectAwareness(state: IncidentState, input: CorrectAwarenessInput, now: Date): void {
  checkActor(input);
  checkOpen(state);
  text(input.reason, 'reason (why the awareness time was wrong)');
  const at = time(input.at, 'at', now);
  if (at === new Date(state.awareAt).toISOString()) refuse(`Awareness is already ${at}.`);
  checkTimeline(state, at, [], now);
}
