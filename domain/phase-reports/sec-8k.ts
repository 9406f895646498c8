import { delaysFor, describeDelay } from '../clocks/regimes/us-pack-kit';
import { list, para, type ReportDocument } from '../report-document';
import {
  dataImpactText,
  field,
  joined,
  lastEvent,
  legalTime,
  notHeld,
  phaseDocument,
  systemsText,
  type PhaseContext,
} from './report-kit';

// A draft of Form 8-K Item 1.05 (material cybersecurity incidents). Item 1.05(a) asks for the material
// aspects of the nature, scope and timing of the incident and its material or reasonably likely material
// impact, including on financial condition and results of operations; the clock runs from the materiality
// determination, so its date and recorded reason head the draft. The delays are read by the SEC pack's
// own function, so the draft and the deadline never disagree about which delay is in force.

export function sec8kDraft(ctx: PhaseContext): ReportDocument {
  const { s, policy } = ctx;
  const ids = ['sec-8k'];
  const time = legalTime(ctx, ids);
  const determination = lastEvent(s, 'materiality-determined');
  const discovered = lastEvent(s, 'discovered');
  const delays = delaysFor(s.clocks?.events ?? [], 'sec-8k');
  const amendments = s.obligations.filter((o) => o.id.startsWith('sec-8k-amendment'));
  return phaseDocument(
    {
      title: `Form 8-K Item 1.05 draft: ${s.title}`,
      contentBasis:
        'Form 8-K Item 1.05(a): describe the material aspects of the nature, scope, and timing of the incident, ' +
        'and the material impact or reasonably likely material impact on the registrant, including its financial ' +
        'condition and results of operations; filed within four business days after the registrant determines ' +
        'the incident is material. Instruction 4: technical information about the planned response or the ' +
        "registrant's systems that would impede the response need not be disclosed. Item 1.05(c): a delay the " +
        'Attorney General determines for national security or public safety.',
      regime: 'sec-8k',
      obligationIds: ids,
      startsWith: 'record the event materiality-determined with its reason (the four business days run from it)',
      groups: [
        {
          heading: 'Registrant',
          fields: [
            field('Registrant', policy.organisation, ''),
            field('Item', '1.05 Material Cybersecurity Incidents', ''),
            field('Incident reference', s.incidentId, ''),
          ],
        },
        {
          heading: 'Materiality determination',
          fields: [
            field(
              'Date of the determination',
              determination && time(determination.at),
              'record the event materiality-determined (date and reason)',
            ),
            field('Recorded by', determination?.by, 'record the event materiality-determined'),
            field('Reason', determination?.reason, 'record the reason with the event materiality-determined'),
          ],
        },
        {
          heading: 'Item 1.05(a): nature, scope and timing',
          fields: [
            field('Nature', joined([`${s.category}: ${s.title}`, s.summary], '. '), ''),
            field(
              'Scope',
              joined([systemsText(s) && `systems affected: ${systemsText(s)}`, dataImpactText(s)]),
              'no breach assessment recorded; record the assessment',
            ),
            field(
              'Timing',
              joined([
                discovered ? `discovered ${time(discovered.at)}` : undefined,
                `became aware ${time(s.awareAt)}`,
                s.restoredAt ? `service restored ${time(s.restoredAt)}` : 'ongoing',
              ]),
              '',
            ),
          ],
        },
        {
          heading: 'Item 1.05(a): material impact',
          fields: [
            field(
              'Material impact or reasonably likely material impact',
              determination?.reason && `as recorded with the determination: ${determination.reason}`,
              'state the impact that made the incident material',
            ),
            notHeld('Impact on financial condition and results of operations'),
          ],
        },
        {
          heading: 'Item 1.05(c): delay for national security or public safety',
          fields: [field('Delay', delays.length ? delays.map(describeDelay).join('; ') : 'none recorded', '')],
        },
        {
          heading: 'Information not determined or unavailable (Instruction 2)',
          fields: [],
          blocks: [
            para(
              'Say in the filing which required information is not determined or is unavailable; an amendment ' +
                '(Form 8-K/A) is due within four business days after it becomes available.',
            ),
            ...(amendments.length ? [list(amendments.map((o) => `${o.title}: due ${time(o.dueAt)}`))] : []),
          ],
        },
      ],
    },
    ctx,
  );
}
