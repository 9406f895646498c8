import { describe, expect, it } from 'vitest';
import {
  ActionRefused,
  validateClose,
  validateOpenRequest,
  validateRegulatorFiling,
  validateRestore,
  type RegulatorFilingInput,
} from '../../domain/actions';
import { newIncidentState, type IncidentState } from '../../domain/incident';
import { markMet } from '../../domain/obligations';
import { refusal } from '../helpers/refusal';
import { assessedState, openRequest } from './builders';

describe('opening an incident (validateOpenRequest)', () => {
  const now = new Date('2026-03-28T15:00:00.000Z');
  const raw = (over: Record<string, unknown> = {}) => ({ ...openRequest(), ...over });

  it('accepts a complete request and normalises the awareness time to UTC ISO', () => {
    const req = validateOpenRequest(
      raw({ awareAt: '2026-03-28T10:00:00+01:00', title: '  Unauthorised access to the customer database  ' }),
      now,
    );
    expect(req).toEqual({
      incidentId: 'INC-2026-042',
      title: 'Unauthorised access to the customer database',
      severity: 'SEV1',
      category: 'intrusion',
      systems: ['db-1', 'web-1'],
      detection: 'IDS alert on db-1: outbound transfer of 2 GB to an unknown host',
      awareAt: '2026-03-28T09:00:00.000Z',
      summary: 'An attacker used a leaked VPN credential to reach the customer database.',
      openedBy: 'alice',
    });
  });

  it('accepts an incident with no systems yet', () => {
    expect(validateOpenRequest(raw({ systems: undefined }), now).systems).toEqual([]);
  });

  it('refuses an awareness time one hour in the future', () => {
    expect(
      refusal(ActionRefused, () => validateOpenRequest(raw({ awareAt: '2026-03-28T16:00:00Z' }), now)).message,
    ).toBe(
      'awareAt (when the organisation became aware) 2026-03-28T16:00:00Z is in the future; give the time it actually happened.',
    );
  });

  it('tolerates a few minutes of clock skew between hosts', () => {
    expect(validateOpenRequest(raw({ awareAt: '2026-03-28T15:04:00Z' }), now).awareAt).toBe('2026-03-28T15:04:00.000Z');
  });

  it('refuses an awareness time that is not ISO-8601, with an example', () => {
    expect(
      refusal(ActionRefused, () => validateOpenRequest(raw({ awareAt: '28/03/2026 10:00' }), now)).message,
    ).toContain('must be an ISO-8601 time such as 2026-03-01T02:10:00Z');
  });

  it('refuses an unknown severity, listing SEV1 to SEV4', () => {
    expect(refusal(ActionRefused, () => validateOpenRequest(raw({ severity: 'SEV5' }), now)).message).toBe(
      'severity must be one of SEV1, SEV2, SEV3, SEV4 (got "SEV5").',
    );
    expect(refusal(ActionRefused, () => validateOpenRequest(raw({ severity: 'sev1' }), now)).message).toContain(
      'SEV1, SEV2, SEV3, SEV4',
    );
  });

  it('refuses an unknown category, listing the known ones', () => {
    expect(refusal(ActionRefused, () => validateOpenRequest(raw({ category: 'ransomware' }), now)).message).toBe(
      'category must be one of intrusion, malware, data-breach, denial-of-service, insider, other (got "ransomware").',
    );
  });

  it('refuses a system name with path traversal', () => {
    expect(refusal(ActionRefused, () => validateOpenRequest(raw({ systems: ['db-1', '../etc'] }), now)).message).toBe(
      'System name "../etc" is not valid: use letters, digits and . _ : - (at most 128), as in the systems configuration.',
    );
    expect(
      refusal(ActionRefused, () => validateOpenRequest(raw({ systems: ['db-1/../../etc'] }), now)).message,
    ).toContain('is not valid');
  });

  it('refuses the same system listed twice', () => {
    expect(
      refusal(ActionRefused, () => validateOpenRequest(raw({ systems: ['db-1', 'web-1', 'db-1'] }), now)).message,
    ).toBe('systems lists the same system twice.');
  });

  it('refuses a missing title and a malformed incident id', () => {
    expect(refusal(ActionRefused, () => validateOpenRequest(raw({ title: '   ' }), now)).message).toBe(
      'title is required.',
    );
    expect(refusal(ActionRefused, () => validateOpenRequest(raw({ incidentId: '../INC' }), now)).message).toContain(
      'incidentId "../INC" is not valid',
    );
  });
});

describe('recording the regulator filing (validateRegulatorFiling)', () => {
  // Aware 2026-03-28T09:00Z: the CNIL notification is due 2026-03-31T09:00Z.
  const now = new Date('2026-03-31T12:00:00.000Z');
  const filing = (over: Partial<RegulatorFilingInput> = {}): RegulatorFilingInput => ({
    actor: 'dpo-bob',
    reference: 'CNIL-2026-0042',
    ...over,
  });

  it('accepts an initial filing made within 72 h', () => {
    expect(() =>
      validateRegulatorFiling(assessedState(), filing({ filedAt: '2026-03-30T10:00:00Z' }), now),
    ).not.toThrow();
  });

  it('accepts a filing made exactly at the deadline', () => {
    expect(() =>
      validateRegulatorFiling(assessedState(), filing({ filedAt: '2026-03-31T09:00:00Z' }), now),
    ).not.toThrow();
  });

  it('refuses a late initial filing without the reasons for the delay, citing Art. 33(1)', () => {
    expect(
      refusal(ActionRefused, () =>
        validateRegulatorFiling(assessedState(), filing({ filedAt: '2026-03-31T11:30:00Z' }), now),
      ).message,
    ).toBe(
      'This notification is late (overdue by 2 h 30 min): GDPR Art. 33(1) requires the reasons for the delay. Record them with --late-reason.',
    );
  });

  it('a filing with no time given is taken as filed now, and so late here', () => {
    expect(refusal(ActionRefused, () => validateRegulatorFiling(assessedState(), filing(), now)).message).toContain(
      'overdue by 3 h 00 min',
    );
  });

  it('refuses a blank reason for the delay', () => {
    expect(
      refusal(ActionRefused, () =>
        validateRegulatorFiling(assessedState(), filing({ filedAt: '2026-03-31T11:30:00Z', lateReason: '   ' }), now),
      ).message,
    ).toContain('Art. 33(1)');
  });

  it('accepts a late initial filing with the reasons for the delay', () => {
    const input = filing({
      filedAt: '2026-03-31T11:30:00Z',
      lateReason: 'Scope of the exfiltration was only established on 31 March',
    });
    expect(() => validateRegulatorFiling(assessedState(), input, now)).not.toThrow();
  });

  it('refuses a follow-up before the initial filing, and accepts it after', () => {
    const s = assessedState();
    expect(
      refusal(ActionRefused, () =>
        validateRegulatorFiling(s, filing({ phase: 'follow-up', filedAt: '2026-03-30T10:00:00Z' }), now),
      ).message,
    ).toBe('A follow-up filing (Art. 33(4)) needs the initial filing first.');
    s.regulatorFilings.push({
      phase: 'initial',
      reference: 'CNIL-2026-0042',
      filedAt: '2026-03-30T10:00:00.000Z',
      by: 'dpo-bob',
    });
    expect(() =>
      validateRegulatorFiling(
        s,
        filing({ phase: 'follow-up', reference: 'CNIL-2026-0042-2', filedAt: '2026-03-31T11:00:00Z' }),
        now,
      ),
    ).not.toThrow();
  });

  it('refuses a second initial filing, pointing to follow-up', () => {
    const s = assessedState();
    s.regulatorFilings.push({
      phase: 'initial',
      reference: 'CNIL-2026-0042',
      filedAt: '2026-03-30T10:00:00.000Z',
      by: 'dpo-bob',
    });
    expect(
      refusal(ActionRefused, () => validateRegulatorFiling(s, filing({ filedAt: '2026-03-30T11:00:00Z' }), now))
        .message,
    ).toBe('The initial filing is already recorded (CNIL-2026-0042); record more information as --phase follow-up.');
  });

  it('refuses a filing time before awareness or in the future', () => {
    expect(
      refusal(ActionRefused, () =>
        validateRegulatorFiling(assessedState(), filing({ filedAt: '2026-03-27T10:00:00Z' }), now),
      ).message,
    ).toBe('filedAt is before the incident was known; check the time.');
    expect(
      refusal(ActionRefused, () =>
        validateRegulatorFiling(assessedState(), filing({ filedAt: '2026-04-01T10:00:00Z' }), now),
      ).message,
    ).toContain('is in the future');
  });
});

/** Isolation and evidence settled on every system, as after containment. */
function contained(s: IncidentState): IncidentState {
  for (const sys of s.systems) {
    sys.isolation = { state: 'done', at: '2026-03-28T15:10:00.000Z', attempts: 1 };
    sys.evidence = { state: 'done', at: '2026-03-28T15:40:00.000Z', attempts: 1 };
  }
  return s;
}

describe('closing an incident (validateClose)', () => {
  it('refuses while obligations are pending, naming each with its due time', () => {
    const s = contained(assessedState());
    expect(refusal(ActionRefused, () => validateClose(s, { actor: 'alice' })).message).toBe(
      'Incident INC-2026-042 still has open obligations: notify-customers (due 2026-03-29T09:00:00.000Z), notify-regulator (due 2026-03-31T09:00:00.000Z). ' +
        'Meet them, or waive each with a reason (incident waive).',
    );
  });

  it('names only the obligations still pending', () => {
    const s = contained(assessedState());
    markMet(
      s.obligations.find((o) => o.id === 'notify-customers')!,
      '2026-03-29T08:00:00.000Z',
      'carol',
      ['mail sent'],
    );
    const message = refusal(ActionRefused, () => validateClose(s, { actor: 'alice' })).message;
    expect(message).toContain('notify-regulator (due 2026-03-31T09:00:00.000Z)');
    expect(message).not.toContain('notify-customers');
  });

  it('accepts once every obligation is met or waived and containment is done', () => {
    const s = contained(assessedState());
    markMet(s.obligations[0], '2026-03-29T08:00:00.000Z', 'carol', ['mail sent']);
    s.obligations[1].status = 'waived';
    s.obligations[1].waivedReason = 'Encrypted data, no risk to people';
    expect(() => validateClose(s, { actor: 'alice' })).not.toThrow();
  });

  it('refuses while isolation or evidence collection is still under way', () => {
    const s = newIncidentState(openRequest(), '2026-03-28T15:00:00.000Z');
    expect(refusal(ActionRefused, () => validateClose(s, { actor: 'alice' })).message).toBe(
      'Steps are still under way on db-1, web-1; wait for them to finish, or record them as manual steps.',
    );
  });

  it('refuses closing twice', () => {
    const s = contained(newIncidentState(openRequest(), '2026-03-28T15:00:00.000Z'));
    s.closedAt = '2026-04-02T09:00:00.000Z';
    expect(refusal(ActionRefused, () => validateClose(s, { actor: 'alice' })).message).toBe(
      'Incident INC-2026-042 is closed; open a new incident for new activity.',
    );
  });
});

describe('restoring service (validateRestore)', () => {
  it('refuses while no evidence is preserved, naming each system and its state', () => {
    const s = newIncidentState(openRequest(), '2026-03-28T15:00:00.000Z');
    expect(refusal(ActionRefused, () => validateRestore(s, { actor: 'alice' })).message).toBe(
      'Forensic evidence of "db-1" (pending), "web-1" (pending) is not preserved yet; releasing now would destroy it. ' +
        'Wait for the copy, retry it (incident retry), or record a manual copy (incident manual-step).',
    );
  });

  it('refuses while one copy failed, naming only that system', () => {
    const s = newIncidentState(openRequest(), '2026-03-28T15:00:00.000Z');
    s.systems[0].evidence = { state: 'done', attempts: 1 };
    s.systems[1].evidence = { state: 'failed', error: 'ssh: connection refused', attempts: 3 };
    const message = refusal(ActionRefused, () => validateRestore(s, { actor: 'alice' })).message;
    expect(message).toContain('Forensic evidence of "web-1" (failed) is not preserved yet');
    expect(message).not.toContain('db-1');
  });

  it('accepts once every copy is done or recorded as manual', () => {
    const s = newIncidentState(openRequest(), '2026-03-28T15:00:00.000Z');
    s.systems[0].evidence = { state: 'done', attempts: 1 };
    s.systems[1].evidence = { state: 'manual', detail: 'Disk image taken by hand, kept in safe 3', attempts: 0 };
    expect(() => validateRestore(s, { actor: 'alice' })).not.toThrow();
  });

  it('refuses a second restore request and a restore without an actor', () => {
    const s = contained(newIncidentState(openRequest(), '2026-03-28T15:00:00.000Z'));
    expect(refusal(ActionRefused, () => validateRestore(s, { actor: '' })).message).toBe(
      'actor (who is acting) is required.',
    );
    s.restoreRequested = { by: 'alice', at: '2026-03-29T10:00:00.000Z' };
    expect(refusal(ActionRefused, () => validateRestore(s, { actor: 'bob' })).message).toContain(
      'Restoration was already requested by alice',
    );
  });
});
