import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../platform/config/schema';
import { checkClockSettings } from '../../worker/clock-settings';
import { refusal } from '../helpers/refusal';

// The legal-clock settings a worker refuses to start with: each message names the setting and what to do,
// so an operator fixes the configuration before any incident could count a deadline from it.

const config = (policy: Record<string, unknown>, policyProfiles: Record<string, unknown> = {}) =>
  parseConfig({ policy, policyProfiles }, {}, 'incident.config.json');

describe('legal clock settings at worker start', () => {
  it('accepts the default: GDPR Art. 33 and 34 and the contract clocks, counted in France', () => {
    const c = config({});
    expect(c.policy.regimes).toEqual(['gdpr-art33', 'gdpr-art34', 'contract']);
    expect(c.policy.clocks.memberState).toBe('FR');
    expect(() => checkClockSettings(c.policyProfiles)).not.toThrow();
  });

  it('refuses a regime it does not know, listing the ones it does', () => {
    const err = refusal(ConfigError, () => config({ regimes: ['gdpr-art33', 'ccpa'] }));
    expect(err.message).toMatch(/policy\.regimes\.1.*not a known regime; the regimes are gdpr-art33, gdpr-art34, nis2/);
  });

  it('refuses a customer whose contract clock is zero hours', () => {
    const err = refusal(ConfigError, () => config({ customers: [{ id: 'acme', name: 'ACME', personalDataHours: 0 }] }));
    expect(err.message).toMatch(/policy\.customers\.0\.personalDataHours.*a contract clock cannot be zero/);
  });

  it('refuses a Member State with no holiday calendar, in the profile that names it', () => {
    const c = config({}, { bank: { regimes: ['dora'], clocks: { memberState: 'ZZ' } } });
    const err = refusal(ConfigError, () => checkClockSettings(c.policyProfiles));
    expect(err.message).toMatch(/policyProfiles\.bank: memberState: no public-holiday calendar is known for "ZZ"/);
    expect(err.message).toMatch(/Fix these and start again/);
  });

  it('refuses a legal zone that is not an IANA zone', () => {
    const err = refusal(ConfigError, () => config({ clocks: { zones: { 'sec-8k': 'Eastern' } } }));
    expect(err.message).toMatch(/policy\.clocks\.zones\.sec-8k.*not an IANA time zone/);
  });
});
