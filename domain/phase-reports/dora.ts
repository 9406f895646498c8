import type { IncidentState } from '../incident';
import type { ReportDocument } from '../report-document';
import {
  appliedMeasures,
  dataImpactText,
  eventText,
  field,
  joined,
  lastEvent,
  notHeld,
  ongoingMeasures,
  phaseDocument,
  utcIso,
  type FieldGroup,
  type PhaseContext,
} from './report-kit';

// DORA's three reports on a major ICT-related incident (Regulation (EU) 2022/2554 Art. 19(4)). Their content
// is set by Delegated Regulation (EU) 2025/301 Arts 1-4 and the template's data fields by Implementing
// Regulation (EU) 2025/302 Annex I (glossary in Annex II). The template takes every date and time in
// ISO 8601 UTC, so this file writes no other form. Implementing Regulation 2025/302 Art. 1(1) lets a later
// report carry fields of an earlier one, and Art. 1(3) asks for estimates where accurate data are missing:
// each report therefore repeats the fields before it.

const START = 'record the event classified-major (DORA reports only major incidents, Art. 19(1))';
const TEMPLATE = 'Implementing Regulation (EU) 2025/302 Annex I (data glossary: Annex II)';

type Submission = 'initial notification' | 'intermediate report' | 'final report';

function generalGroup(ctx: PhaseContext, submission: Submission): FieldGroup {
  return {
    heading: 'General information (Delegated Regulation (EU) 2025/301 Art. 1)',
    fields: [
      field('Type of submission', submission, ''),
      field('Name of the financial entity', ctx.policy.organisation, ''),
      notHeld('LEI code of the financial entity', 'the 20-character ISO 17442 code'),
      field(
        'Type of financial entity',
        ctx.policy.clocks.doraEntityType,
        'set clocks.doraEntityType in the configuration (e.g. credit-institution)',
      ),
      notHeld('Contact persons for the competent authority', 'names, e-mail addresses and telephone numbers'),
    ],
  };
}

function initialGroup(s: IncidentState): FieldGroup {
  const major = lastEvent(s, 'classified-major');
  return {
    heading: 'Initial notification (Delegated Regulation (EU) 2025/301 Art. 2)',
    fields: [
      field('Incident reference code (financial entity)', s.incidentId, ''),
      field('Date and time of detection (UTC)', `${utcIso(s.awareAt)} (awareness recorded)`, ''),
      field(
        'Date and time of classification as major (UTC)',
        major && utcIso(major.at),
        'record the event classified-major',
      ),
      field('Description', s.summary && `${s.title}. ${s.summary}`, 'no summary recorded; describe the incident'),
      field(
        'Classification criteria relied on (Delegated Regulation (EU) 2024/1772 Arts 1-8)',
        major?.reason,
        'name the criteria met (clients, data losses, reputation, duration and downtime, geographical spread, ' +
          'economic impact, critical services); record them as the reason of the classified-major event',
      ),
      notHeld('Member States impacted'),
      field('How the incident was discovered', s.detection, ''),
      notHeld('Origin of the incident (where available)', 'a third-party provider or another financial entity'),
      notHeld('Business continuity plan activated'),
      notHeld('Reclassification from major to non-major (where applicable)'),
    ],
  };
}

function hours(fromIso: string, toIso: string): string {
  const minutes = Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 60_000);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function intermediateGroup(s: IncidentState): FieldGroup {
  const a = s.assessment;
  const initial = lastEvent(s, 'submitted:dora-initial');
  const recovered = lastEvent(s, 'activities-recovered')?.at ?? s.restoredAt;
  const firstAlert = s.alerts.map((x) => x.observedAt).sort()[0];
  return {
    heading: 'Intermediate report (Delegated Regulation (EU) 2025/301 Art. 3)',
    fields: [
      field(
        'Incident reference code (competent authority)',
        initial?.reference,
        "record the authority's reference with the event submitted:dora-initial",
      ),
      notHeld(
        'Date and time of occurrence (UTC)',
        firstAlert ? `the first alert was observed at ${utcIso(firstAlert)}` : 'it may precede detection',
      ),
      field(
        'Date and time regular activities were recovered (UTC)',
        recovered && utcIso(recovered),
        'record the event activities-recovered when regular activities are recovered',
      ),
      field(
        'Clients affected',
        a &&
          joined([
            `${a.customers.length} customer(s) named in the assessment`,
            a.approxPeople !== undefined ? `about ${a.approxPeople} people` : undefined,
          ]),
        'no breach assessment recorded; record the assessment',
      ),
      notHeld('Financial counterparts affected'),
      notHeld('Transactions affected (number and value)'),
      notHeld(
        'Duration of the incident and service downtime',
        recovered ? `awareness to recovery was ${hours(s.awareAt, recovered)}; occurrence is not recorded` : undefined,
      ),
      field('Data losses', dataImpactText(s), 'no breach assessment recorded; record the assessment'),
      notHeld('Economic impact (estimates of direct and indirect costs and losses)'),
      field('Type of incident', s.category, ''),
      field(
        'Root cause hypothesis',
        s.conclusions?.rootCause,
        'no conclusions recorded yet; state the current hypothesis',
      ),
      field('Actions taken or planned to recover', appliedMeasures(s), 'record the measures taken'),
      notHeld('Indicators of compromise (where applicable)'),
    ],
  };
}

function finalGroup(s: IncidentState): FieldGroup {
  const c = s.conclusions;
  const intermediate =
    lastEvent(s, 'submitted:dora-intermediate') ?? lastEvent(s, 'submitted:dora-intermediate-recovered');
  const resolved = lastEvent(s, 'handled')?.at ?? s.restoredAt;
  return {
    heading: 'Final report (Delegated Regulation (EU) 2025/301 Art. 4)',
    fields: [
      field(
        'Latest intermediate report submitted',
        eventText(intermediate, utcIso),
        'record the event submitted:dora-intermediate (the final report counts from it)',
      ),
      field('Root causes', c?.rootCause, 'no conclusions recorded; record the root cause'),
      field('Contributing factors', joined(c?.contributingFactors ?? []), 'record the contributing factors'),
      field(
        'Resolution',
        joined([appliedMeasures(s), ongoingMeasures(s)]),
        'record the measures taken and the actions decided',
      ),
      field(
        'Date and time the incident was resolved (UTC)',
        resolved && utcIso(resolved),
        'record the event handled, or restore the service',
      ),
      notHeld('Date and time the root cause was addressed (UTC)'),
      field(
        'Lessons learnt and actions against recurrence',
        ongoingMeasures(s),
        "no conclusions' actions recorded; record them",
      ),
      notHeld('Costs and losses (gross direct and indirect, amounts recovered, currency)'),
    ],
  };
}

function doraReport(ctx: PhaseContext, submission: Submission, ids: string[], groups: FieldGroup[], basis: string) {
  return phaseDocument(
    {
      title: `DORA ${submission} on a major ICT-related incident: ${ctx.s.title}`,
      contentBasis: `${basis} Data fields per ${TEMPLATE}; dates and times in ISO 8601 UTC.`,
      regime: 'dora',
      obligationIds: ids,
      startsWith: START,
      groups: [generalGroup(ctx, submission), ...groups],
    },
    ctx,
  );
}

export function doraInitial(ctx: PhaseContext): ReportDocument {
  return doraReport(
    ctx,
    'initial notification',
    ['dora-initial'],
    [initialGroup(ctx.s)],
    'DORA Art. 19(4)(a); content per Delegated Regulation (EU) 2025/301 Arts 1 and 2.',
  );
}

export function doraIntermediate(ctx: PhaseContext): ReportDocument {
  return doraReport(
    ctx,
    'intermediate report',
    ['dora-intermediate', 'dora-intermediate-recovered'],
    [initialGroup(ctx.s), intermediateGroup(ctx.s)],
    'DORA Art. 19(4)(b); content per Delegated Regulation (EU) 2025/301 Arts 1 to 3.',
  );
}

export function doraFinal(ctx: PhaseContext): ReportDocument {
  return doraReport(
    ctx,
    'final report',
    ['dora-final'],
    [initialGroup(ctx.s), intermediateGroup(ctx.s), finalGroup(ctx.s)],
    'DORA Art. 19(4)(c); content per Delegated Regulation (EU) 2025/301 Arts 1 to 4.',
  );
}
