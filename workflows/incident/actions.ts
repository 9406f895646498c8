import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { ActorInput } from '../../domain/actions';
import { AccessRefused, type SignedInput } from '../../domain/access';
import { FAILURE_TYPES } from '../../domain/failure-types';
import type { IncidentState } from '../../domain/incident';
import type * as api from '../incident-api';
import type { AccessGate } from './access-gate';
import { SYSTEM_ACTOR, type IncidentRun } from './incident-run';
import type { PolicySource } from './policy-source';

// A responder action is an Update: its signature and role are checked, then its pure validator from
// domain/, before it enters history (a refusal there is recorded through the worker, see AccessSinks).
// In the first moments of a run, before the roster and policy are loaded, the check waits in the handler
// instead, and a refusal is recorded directly.

export type Validator<I> = (state: IncidentState, input: I, now: Date) => void;
export type Transition<I> = (input: I) => Promise<api.ActionResult>;
/** Registers one action; handlers/ builds these, and handlers/index.ts registers them in a fixed order. */
export type ActionRegistration = (onAction: OnAction) => void;
export type OnAction = <I extends ActorInput>(
  def: UpdateDefinition<api.ActionResult, [I]>,
  validate: Validator<I>,
  transition: Transition<I>,
) => void;

export const action =
  <I extends ActorInput>(
    def: UpdateDefinition<api.ActionResult, [I]>,
    validate: Validator<I>,
    transition: Transition<I>,
  ): ActionRegistration =>
  (onAction) =>
    onAction(def, validate, transition);

/** The result of an action, returned once its audit entry is on disk. */
export async function done(
  run: IncidentRun,
  seq: number,
  message: string,
  details?: Record<string, unknown>,
): Promise<api.ActionResult> {
  run.changed();
  await run.audit.recorded(seq);
  return { ok: true, message, auditSeq: seq, details };
}

export function actionGate(run: IncidentRun, access: AccessGate, policy: PolicySource): OnAction {
  const ready = () => access.loaded() && policy.loaded();
  return (def, validate, transition) => {
    setHandler(
      def,
      async (input) => {
        // Only await when needed: an await even on a true condition would move this handler's commands.
        if (!ready()) await condition(ready);
        let roles: string[] | undefined;
        try {
          roles = access.authorize(def.name, input, 'handler');
        } catch (err) {
          if (!(err instanceof AccessRefused)) throw err;
          await run.audit.recorded(
            run.audit.record(SYSTEM_ACTOR, 'access.refused', {
              ...access.refusalDetails(def.name, input, err),
              recordedBy: 'workflow',
            }),
          );
          throw ApplicationFailure.create({
            message: err.message,
            type: FAILURE_TYPES.accessRefused,
            nonRetryable: true,
          });
        }
        if (!roles) return transition(input);
        // Non-repudiation: the request exactly as signed, so anyone with the roster can check it later.
        const { signature, ...signed } = input as typeof input & SignedInput;
        run.audit.attachSignedRequest({
          actor: input.actor,
          proof: { action: def.name, roles, policy: access.policy()!.fingerprint, signature, input: signed },
        });
        const result = transition(input);
        // A handler that records only after waiting (rendering, sending) gets its proof in an entry of its own.
        const unclaimed = run.audit.takeSignedRequest();
        if (unclaimed) run.audit.record(input.actor, 'action.signed', { signedRequest: unclaimed.proof });
        return result;
      },
      {
        validator: (input) => {
          if (access.loaded()) {
            try {
              access.authorize(def.name, input);
            } catch (err) {
              if (err instanceof AccessRefused) access.reportRefusal(access.refusalDetails(def.name, input, err));
              throw err;
            }
          }
          validate(run.s, input, run.now());
        },
      },
    );
  };
}
