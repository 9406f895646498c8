import { isMaliciousIntrusion, type IncidentState } from '../incident';
import type { ReportDocument } from '../report-document';
import {
  appliedMeasures,
  dataImpactText,
  eventText,
  field,
  joined,
  lastEvent,
  legalTime,
  notHeld,
  ongoingMeasures,
  phaseDocument,
  systemsText,
  type Field,
  type FieldGroup,
  type PhaseContext,
} from './report-kit';

// The three NIS2 reports to the CSIRT or competent authority (Directive (EU) 2022/2555 Art. 23(4)), each
// with the content its point of Art. 23(4) names. Each later report updates the one before, so the early
// warning's two questions come back in the notification.

const START = 'record the event classified-significant (NIS2 counts from awareness of a significant incident)';

function incidentGroup(s: IncidentState, time: (iso: string) => string): FieldGroup {
  return {
    heading: 'Incident',
    fields: [
      field('Reference', s.incidentId, ''),
      field('Title', s.title, ''),
      field('Category', s.category, ''),
      field('Became aware', time(s.awareAt), ''),
      field(
        'Aware of a significant incident',
        eventText(lastEvent(s, 'classified-significant'), time),
        'record the event classified-significant',
      ),
      field('Systems affected', systemsText(s), 'name the systems affected'),
    ],
  };
}

/** Art. 23(4)(a): "suspected of being caused by unlawful or malicious acts"; the category may answer it. */
function maliciousField(s: IncidentState): Field {
  const police = s.contacts.filter((k) => k.kind === 'law-enforcement').map((k) => k.organisation);
  const reasons = [
    isMaliciousIntrusion(s.category) ? `the incident is categorised as ${s.category}, a malicious act` : undefined,
    police.length ? `law enforcement informed (${police.join(', ')})` : undefined,
  ];
  return field(
    'Suspected of being caused by unlawful or malicious acts',
    reasons.some(Boolean) ? `yes: ${joined(reasons)}` : undefined,
    `the category "${s.category}" does not say; establish whether an unlawful or malicious act is suspected`,
  );
}

const crossBorder = (): Field =>
  notHeld('Could have a cross-border impact', 'which other Member States are or could be affected');

function impactField(s: IncidentState): Field {
  return field(
    'Impact',
    joined([dataImpactText(s), s.assessment?.likelyConsequences]),
    'no breach assessment recorded; record the assessment (data impact, people, consequences)',
  );
}

export function nis2EarlyWarning(ctx: PhaseContext): ReportDocument {
  const ids = ['nis2-early-warning'];
  const time = legalTime(ctx, ids);
  return phaseDocument(
    {
      title: `NIS2 early warning: ${ctx.s.title}`,
      contentBasis:
        'NIS2 Directive (EU) 2022/2555 Art. 23(4)(a): without undue delay and in any event within 24 hours of ' +
        'becoming aware of the significant incident, an early warning which, where applicable, indicates whether ' +
        'the significant incident is suspected of being caused by unlawful or malicious acts or could have a ' +
        'cross-border impact.',
      regime: 'nis2',
      obligationIds: ids,
      startsWith: START,
      groups: [
        incidentGroup(ctx.s, time),
        { heading: 'Early warning (Art. 23(4)(a))', fields: [maliciousField(ctx.s), crossBorder()] },
      ],
    },
    ctx,
  );
}

export function nis2Notification(ctx: PhaseContext): ReportDocument {
  const { s } = ctx;
  const ids = ['nis2-notification'];
  const time = legalTime(ctx, ids);
  return phaseDocument(
    {
      title: `NIS2 incident notification: ${s.title}`,
      contentBasis:
        'NIS2 Directive (EU) 2022/2555 Art. 23(4)(b): within 72 hours of becoming aware of the significant ' +
        'incident (24 hours for a trust service provider), an incident notification which updates the early ' +
        'warning and indicates an initial assessment of the incident, including its severity and impact, and, ' +
        'where available, the indicators of compromise.',
      regime: 'nis2',
      obligationIds: ids,
      startsWith: START,
      groups: [
        incidentGroup(s, time),
        {
          heading: 'Update of the early warning',
          fields: [
            field(
              'Early warning submitted',
              eventText(lastEvent(s, 'submitted:nis2-early-warning'), time),
              'record the event submitted:nis2-early-warning with its reference',
            ),
            maliciousField(s),
            crossBorder(),
          ],
        },
        {
          heading: 'Initial assessment (Art. 23(4)(b))',
          fields: [
            field('Severity', s.severity, ''),
            impactField(s),
            field('Measures applied so far', appliedMeasures(s), 'record the measures taken'),
          ],
        },
        {
          heading: 'Indicators of compromise',
          fields: [
            notHeld('Indicators of compromise (where available)', 'addresses, hashes, domains from the evidence'),
          ],
        },
      ],
    },
    ctx,
  );
}

export function nis2FinalReport(ctx: PhaseContext): ReportDocument {
  const { s } = ctx;
  const ids = ['nis2-final-report', 'nis2-progress-report'];
  const time = legalTime(ctx, ids);
  const c = s.conclusions;
  return phaseDocument(
    {
      title: `NIS2 final report: ${s.title}`,
      contentBasis:
        'NIS2 Directive (EU) 2022/2555 Art. 23(4)(d): not later than one month after the submission of the ' +
        'incident notification, a final report including (i) a detailed description of the incident, including ' +
        'its severity and impact; (ii) the type of threat or root cause that is likely to have triggered it; ' +
        '(iii) applied and ongoing mitigation measures; (iv) where applicable, the cross-border impact. When the ' +
        'incident is still ongoing then, a progress report is due instead and the final report within one month ' +
        'of handling it (Art. 23(4)(e)).',
      regime: 'nis2',
      obligationIds: ids,
      startsWith: 'record the event submitted:nis2-notification (the final report counts from it)',
      groups: [
        {
          heading: 'Incident',
          fields: [
            ...incidentGroup(s, time).fields,
            field(
              'Incident notification submitted',
              eventText(lastEvent(s, 'submitted:nis2-notification'), time),
              'record the event submitted:nis2-notification with its reference',
            ),
            field(
              'Handled',
              eventText(lastEvent(s, 'handled'), time) ?? (s.restoredAt ? time(s.restoredAt) : undefined),
              'the incident is not recorded as handled (event handled) nor restored; if it is ongoing this is a progress report',
            ),
          ],
        },
        {
          heading: '(i) Detailed description, severity and impact',
          fields: [
            field('Description', s.summary, 'no summary recorded; describe the incident in detail'),
            field('Detection', s.detection, ''),
            field('Severity', s.severity, ''),
            impactField(s),
          ],
        },
        {
          heading: '(ii) Type of threat or root cause',
          fields: [
            field('Type of threat', s.category, ''),
            field('Root cause', c?.rootCause, 'no conclusions recorded; record the root cause'),
            field('Contributing factors', joined(c?.contributingFactors ?? []), 'record the contributing factors'),
          ],
        },
        {
          heading: '(iii) Mitigation measures',
          fields: [
            field('Applied', appliedMeasures(s), 'record the measures taken'),
            field('Ongoing', ongoingMeasures(s), "no conclusions' actions recorded; record the ongoing measures"),
          ],
        },
        { heading: '(iv) Cross-border impact', fields: [crossBorder()] },
      ],
    },
    ctx,
  );
}
