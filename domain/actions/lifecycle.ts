import type { IncidentState } from '../incident';
import { linkIdOf } from '../links/link-token';
import { checkActor, checkOpen, refuse, text, type ActorInput } from './input-checks';

// An incident from acknowledgement to closing: the acknowledgement that stops escalation, notes along the
// way, and the close, refused while an obligation is pending or a step is still running.

export interface AcknowledgeInput extends ActorInput {
  note?: string;
  /** A signed link from a leadership mail, given by the board; recorded by its id, never in full. */
  link?: { token: string };
}
export function validateAcknowledge(state: IncidentState, input: AcknowledgeInput): void {
  checkActor(input);
  checkOpen(state);
  text(input.note, 'note', { required: false });
  if (input.link !== undefined && (typeof input.link?.token !== 'string' || !linkIdOf(input.link.token)))
    refuse('link.token must be the token of a link from a mail.');
  if (state.acknowledgement)
    refuse(
      `Incident ${state.incidentId} was already acknowledged by ${state.acknowledgement.by} at ${state.acknowledgement.at}.`,
    );
}

export interface NoteInput extends ActorInput {
  text: string;
}
export function validateNote(state: IncidentState, input: NoteInput): void {
  checkActor(input);
  checkOpen(state);
  text(input.text, 'text');
}

export interface CloseInput extends ActorInput {
  summary?: string;
}
export function validateClose(state: IncidentState, input: CloseInput): void {
  checkActor(input);
  checkOpen(state);
  text(input.summary, 'summary', { required: false });
  const open = state.obligations.filter((o) => o.status === 'pending');
  if (open.length) {
    refuse(
      `Incident ${state.incidentId} still has open obligations: ${open.map((o) => `${o.id} (due ${o.dueAt})`).join(', ')}. Meet them, or waive each with a reason (incident waive).`,
    );
  }
  const busy = (st: string) => st === 'running' || st === 'pending';
  const running = state.systems.filter(
    (s) =>
      busy(s.isolation.state) || busy(s.evidence.state) || (state.restoreRequested && s.release.state === 'running'),
  );
  if (running.length)
    refuse(
      `Steps are still under way on ${running.map((s) => s.name).join(', ')}; wait for them to finish, or record them as manual steps.`,
    );
}
