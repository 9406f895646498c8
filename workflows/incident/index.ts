import { allHandlersFinished, condition, continueAsNew, patched, workflowInfo } from '@temporalio/workflow';
import { newIncidentState } from '../../domain/incident';
import { lawEnforcementObligation } from '../../domain/obligations';
import type * as api from '../incident-api';
import { createAccessGate } from './access-gate';
import { actionGate } from './actions';
import { acceptAlerts } from './alert-intake';
import { startAuditWriter } from './audit-writer';
import { createContainment } from './containment';
import { runDeadlineClock } from './deadline-clock';
import { registerHandlers } from './handlers';
import { CLOCK_SKEW_PROBLEM, clockSkewMessage } from '../../domain/trail-clock';
import { announceOpening, createIncidentRun, SYSTEM_ACTOR } from './incident-run';
import { createLegalClocks } from './legal-clocks';
import { createMailQueue } from './mail-queue';
import { addObligation } from './obligation-book';
import { createPolicySource, policyOrigin } from './policy-source';
import { createReports } from './reports';
import { searchAttributePublisher } from './search-attributes';

// One workflow per incident; its id is the incident id. It decides and remembers: every side effect is an
// activity, every step is appended to the audit trail in order, every deadline is a timer. The parts are
// built in a fixed order, which replay depends on: the order of patches, of loads and of handlers.

export async function incidentWorkflow(input: api.IncidentWorkflowInput): Promise<api.IncidentWorkflowResult> {
  // A carried state is trusted only from a run that Temporal itself continued.
  const carried = workflowInfo().continuedFromExecutionRunId !== undefined ? input.carried : undefined;
  const s = carried ?? newIncidentState(input.request, new Date().toISOString());
  const audit = startAuditWriter(s);
  const run = createIncidentRun(s, audit);
  audit.onClockReport((skew) => {
    if (!skew) return run.clearProblem(CLOCK_SKEW_PROBLEM);
    run.addProblem(CLOCK_SKEW_PROBLEM, clockSkewMessage(skew, s.auditHead?.seq ?? s.auditSeq));
  });

  // The opening is the first entry of the chain, before any handler exists: an update or signal that
  // arrives with the start is delivered as soon as its handler is registered, and must come after it.
  // Incidents started before this change replay the old order (the opening entry after the handlers).
  const openingFirst = patched('opening-entry-first');
  // Deadlines go out as calendar invites in incidents opened since; a continued run keeps its incident's choice.
  if (!carried && patched('calendar-invites')) s.calendarInvites = true;
  if (carried) audit.record(SYSTEM_ACTOR, 'workflow.continued', { auditSeq: s.auditSeq });
  else if (openingFirst) announceOpening(run);

  // Decided in the first activation rather than where they are used. A decision taken once the policy's
  // local activity resolves can land in a later workflow task than the replaying code reaches it in, where
  // the patch is not yet known and Temporal reports non-determinism. Incidents from before keep their way.
  const seniorQueueAtStart = patched('senior-queue-at-start');
  const driverHeartbeat = patched('driver-heartbeat');

  const origin = policyOrigin(input, carried);
  // A new incident's opening entries (opened, containment started, policy, senior alert) go to the trail
  // in one append once the alert has left, instead of one before the policy loads and one after: one
  // round trip fewer on the opening path in a storm. Incidents opened before replay two appends.
  const openingInOneAppend = !carried && origin === 'worker' && patched('opening-in-one-append');
  if (openingInOneAppend) audit.hold();
  const access = createAccessGate(run, input, origin === 'worker' ? 'with-settings' : 'activity');
  const policy = createPolicySource(run, input, origin, access);
  const mail = createMailQueue(run);
  const containment = createContainment(run, { driverHeartbeat });
  const reports = createReports(run);
  const publishSearchAttributes = searchAttributePublisher(s);
  registerHandlers(run, {
    onAction: actionGate(run, access, policy),
    containment,
    mail,
    reports,
    clocks: createLegalClocks(run, mail),
    policy,
    publishSearchAttributes,
  });
  // Only a new incident's own input opens with alerts; those a run continued with are already in its state.
  acceptAlerts(run, containment, carried ? undefined : input.alerts);

  if (!carried && !openingFirst) announceOpening(run);
  const opening = () => {
    const le = carried ? undefined : lawEnforcementObligation(s, run.policy());
    if (le) addObligation(run, le);
  };
  const clock = () =>
    runDeadlineClock(run, {
      mail,
      publishSearchAttributes,
      seniorAlertAlways: openingFirst,
      seniorQueue: seniorQueueAtStart ? () => true : () => patched('senior-alert-queue'),
    });
  if (policy.loaded()) opening();
  publishSearchAttributes();
  for (const sys of s.systems) containment.startPipeline(sys, s.openedBy);
  // Incidents whose policy came with them start their clock at once; the others once the worker's arrives.
  if (policy.loaded()) void clock();
  else {
    void policy.whenLoaded().then(() => {
      opening();
      const running = clock();
      audit.release();
      return running;
    });
  }

  const maxEvents = input.maxHistoryEvents ?? 10_000;
  await condition(
    () => !!s.closedAt || workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= maxEvents,
  );
  await condition(
    () =>
      allHandlersFinished() &&
      audit.drained() &&
      mail.inFlight() === 0 &&
      containment.activeCount() === 0 &&
      access.loadsInFlight() === 0 &&
      policy.loaded(),
  );
  if (!s.closedAt) {
    await continueAsNew<api.IncidentWorkflow>({
      request: input.request,
      policy: run.policy(),
      policyVersion: policy.version(),
      carried: s,
      maxHistoryEvents: input.maxHistoryEvents,
      access: { policy: access.policy(), links: access.links() },
    });
  }
  return { incidentId: s.incidentId, closedAt: s.closedAt, auditEntries: s.auditSeq, auditHead: s.auditHead };
}
