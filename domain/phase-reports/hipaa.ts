import { delaysFor, describeDelay } from '../clocks/regimes/us-pack-kit';
import type { ReportDocument } from '../report-document';
import {
  appliedMeasures,
  field,
  joined,
  lastEvent,
  legalTime,
  notHeld,
  ongoingMeasures,
  phaseDocument,
  type PhaseContext,
} from './report-kit';

// The elements of the written notice a covered entity sends each individual (45 CFR 164.404(c)(1)(A)-(E)),
// to be written in plain language (164.404(c)(2)) and sent by first-class mail (164.404(d)(1)). The draft
// gives the writer each element from the incident; the letter itself is theirs to word.

export function hipaaIndividuals(ctx: PhaseContext): ReportDocument {
  const { s, policy } = ctx;
  const ids = ['hipaa-individuals'];
  const time = legalTime(ctx, ids);
  const a = s.assessment;
  const discovered = lastEvent(s, 'discovered');
  const delays = delaysFor(s.clocks?.events ?? [], 'hipaa');
  return phaseDocument(
    {
      title: `HIPAA breach notice to individuals: ${s.title}`,
      contentBasis:
        '45 CFR 164.404(c)(1): (A) a brief description of what happened, including the date of the breach and ' +
        'the date of discovery, if known; (B) the types of unsecured protected health information involved; ' +
        '(C) the steps individuals should take to protect themselves from potential harm; (D) what the covered ' +
        'entity is doing to investigate, mitigate harm and protect against further breaches; (E) contact ' +
        'procedures, which shall include a toll-free telephone number, an e-mail address, Web site, or postal ' +
        'address. Plain language (164.404(c)(2)); first-class mail (164.404(d)(1)); a law-enforcement delay ' +
        '(164.412) postpones it.',
      regime: 'hipaa',
      obligationIds: ids,
      startsWith:
        'record the event discovered and the fact hipaa-role=covered-entity (only a covered entity writes to individuals)',
      groups: [
        {
          heading: '(A) What happened',
          fields: [
            field('Description', joined([s.title, s.summary], '. '), ''),
            notHeld('Date of the breach (if known)', 'when it occurred, which may precede discovery'),
            field(
              'Date of discovery',
              discovered && time(discovered.at),
              `record the event discovered (awareness was recorded at ${time(s.awareAt)})`,
            ),
          ],
        },
        {
          heading: '(B) Types of unsecured protected health information involved',
          fields: [
            field(
              'Types of information',
              a?.dataCategories.length ? a.dataCategories.join(', ') : undefined,
              'no data categories assessed; record the assessment (e.g. name, date of birth, diagnosis)',
            ),
            field(
              'Individuals to notify',
              a?.approxPeople !== undefined ? `about ${a.approxPeople}` : undefined,
              'record the number of people in the assessment',
            ),
          ],
        },
        {
          heading: '(C) Steps individuals should take',
          fields: [
            notHeld(
              'Steps to protect themselves',
              a?.likelyConsequences ? `the assessed consequences: ${a.likelyConsequences}` : undefined,
            ),
          ],
        },
        {
          heading: '(D) What we are doing',
          fields: [
            field(
              'Investigation, mitigation and protection against further breaches',
              joined([appliedMeasures(s), ongoingMeasures(s)]),
              'record the measures taken and the actions decided',
            ),
          ],
        },
        {
          heading: '(E) Contact procedures',
          fields: [
            // The policy's DPO number is the only telephone the system knows; whether it is toll-free, it cannot tell.
            field(
              'Toll-free telephone number',
              policy.dpo.phone && `${policy.dpo.phone} (check that it is toll-free)`,
              'no telephone number in the policy (dpo.phone); a toll-free number is required',
            ),
            field('E-mail address', policy.dpo.email, ''),
            notHeld('Web site or postal address'),
          ],
        },
        {
          heading: 'Law-enforcement delay (45 CFR 164.412)',
          fields: [field('Delay', delays.length ? delays.map(describeDelay).join('; ') : 'none recorded', '')],
        },
      ],
    },
    ctx,
  );
}
