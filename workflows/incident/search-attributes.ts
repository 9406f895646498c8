import { upsertSearchAttributes } from '@temporalio/workflow';
import { derivePhase, type IncidentState } from '../../domain/incident';
import { earliestOpenDeadline } from '../../domain/obligations';
import * as api from '../incident-api';

// What `incident list` filters and sorts on. Upserted only when a value changed, since each upsert is a
// command in history.

export function searchAttributePublisher(s: IncidentState): () => void {
  let published = '';
  return () => {
    const next = earliestOpenDeadline(s.obligations);
    const values = { phase: derivePhase(s), next, impact: s.assessment?.dataImpact ?? 'unassessed' };
    const key = JSON.stringify(values);
    if (key === published) return;
    published = key;
    upsertSearchAttributes([
      { key: api.SA_SEVERITY, value: s.severity },
      { key: api.SA_PHASE, value: values.phase },
      { key: api.SA_DATA_IMPACT, value: values.impact },
      { key: api.SA_NEXT_DEADLINE, value: next ? new Date(next) : null },
    ]);
  };
}
