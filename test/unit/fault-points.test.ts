import { describe, expect, it } from 'vitest';
import { crashingFaultPoints, faultPointsFromEnv, NO_FAULTS, parseFaultPlan } from '../../platform/fault-points';

// The test-only crash points: inert unless INCIDENT_FAULT_CRASH_AT is set, loud when it is, and exact
// about where and on which occurrence the process dies.

describe('fault injection points', () => {
  it('are inert without INCIDENT_FAULT_CRASH_AT, and print no warning', async () => {
    const { faults, warning } = faultPointsFromEnv({});
    expect(faults).toBe(NO_FAULTS);
    expect(warning).toBeUndefined();
    let ran = false;
    await faults.reach('audit-mid-write', async () => {
      ran = true;
    });
    expect(ran).toBe(false);
    expect(faultPointsFromEnv({ INCIDENT_FAULT_CRASH_AT: '' }).faults).toBe(NO_FAULTS);
  });

  it('parses <point>[:<n>] and refuses anything else, naming the valid points', () => {
    expect(parseFaultPlan('audit-after-write')).toEqual({ point: 'audit-after-write', occurrence: 1 });
    expect(parseFaultPlan('mail-after-accept:3')).toEqual({ point: 'mail-after-accept', occurrence: 3 });
    for (const bad of ['audit', 'audit-after-write:0', 'audit-after-write:x', 'mail-after-accept:2:3', 'rm -rf']) {
      expect(() => parseFaultPlan(bad)).toThrow(
        /INCIDENT_FAULT_CRASH_AT=.* is not <point>\[:<n>\]; points: audit-mid-write, audit-after-write, audit-before-checkpoint, mail-before-send, mail-after-accept/,
      );
    }
  });

  it('warns loudly when set', () => {
    const { warning } = faultPointsFromEnv({ INCIDENT_FAULT_CRASH_AT: 'mail-after-accept:2' });
    expect(warning).toMatch(
      /^WARNING: FAULT INJECTION: INCIDENT_FAULT_CRASH_AT=mail-after-accept:2 is set\. This worker will kill itself with SIGKILL/,
    );
    expect(warning).toContain('(occurrence 2 in this process)');
    expect(warning).toContain('crash tests only');
  });

  it('kills on the planned occurrence of the planned point only, after leaving the state the point describes', async () => {
    const events: string[] = [];
    const faults = crashingFaultPoints({ point: 'audit-mid-write', occurrence: 2 }, () => {
      events.push('kill');
      throw new Error('killed');
    });
    await faults.reach('audit-after-write');
    await faults.reach('audit-mid-write', async () => void events.push('half a line (1)'));
    await expect(faults.reach('audit-mid-write', async () => void events.push('half a line (2)'))).rejects.toThrow(
      'killed',
    );
    expect(events).toEqual(['half a line (2)', 'kill']);
  });
});
