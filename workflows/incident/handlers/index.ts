import { setHandler } from '@temporalio/workflow';
import { derivePhase } from '../../../domain/incident';
import { earliestOpenDeadline } from '../../../domain/obligations';
import * as api from '../../incident-api';
import type { OnAction } from '../actions';
import type { Containment } from '../containment';
import type { IncidentRun } from '../incident-run';
import type { MailQueue } from '../mail-queue';
import type { PolicySource } from '../policy-source';
import type { Reports } from '../reports';
import type { LegalClocks } from '../legal-clocks';
import { registerBoardViews } from './board-views';
import { clockActions } from './clocks';
import { containmentActions } from './containment';
import { lifecycleActions } from './lifecycle';
import { obligationActions } from './obligations';
import { recordActions } from './records';

export interface HandlerParts {
  onAction: OnAction;
  containment: Containment;
  mail: MailQueue;
  reports: Reports;
  clocks: LegalClocks;
  policy: PolicySource;
  publishSearchAttributes: () => void;
}

export function registerHandlers(run: IncidentRun, parts: HandlerParts): void {
  const { s } = run;
  setHandler(api.stateQuery, () => ({
    state: s,
    phase: derivePhase(s),
    now: run.nowIso(),
    timeZone: parts.policy.loaded() ? run.policy().timeZone : 'UTC',
    nextDeadline: earliestOpenDeadline(s.obligations),
    policy: parts.policy.loaded() ? run.policy() : undefined,
    policyVersion: parts.policy.version(),
  }));

  registerBoardViews(run);
  const systems = containmentActions(run, parts.containment);
  const owed = obligationActions(run, parts.mail, parts.reports, parts.clocks);
  const clocks = clockActions(run, parts.clocks);
  const lifecycle = lifecycleActions(run, parts.mail, parts.reports, parts.publishSearchAttributes);
  const records = recordActions(run);
  // The order is part of replay: an update that arrives with the start runs when its handler is registered.
  const inOrder = [
    lifecycle.acknowledge,
    systems.addSystem,
    systems.collectEvidence,
    systems.retryStep,
    systems.manualStep,
    owed.assess,
    owed.approveNotice,
    owed.regulatorFiling,
    owed.contact,
    records.assignRca,
    records.conclusions,
    systems.restore,
    owed.requestRfo,
    owed.sendRfo,
    records.note,
    owed.waive,
    lifecycle.generateReports,
    lifecycle.close,
    clocks.event,
    clocks.facts,
    clocks.submission,
    clocks.correctAwareness,
  ];
  for (const register of inOrder) register(parts.onAction);
}
