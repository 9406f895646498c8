import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../platform/config/schema';
import { seniorAlertTaskQueue } from '../../workflows/incident-api';
import { refusal } from '../helpers/refusal';

// The senior alert's own slots, as an operator sets them in the file or the environment.

describe('worker settings for the senior alert queue', () => {
  it('gives the senior alert 20 slots and 2 pollers on a queue named after the incident queue', () => {
    const c = parseConfig({}, {}, 'incident.config.json');
    expect(c.worker).toMatchObject({ seniorAlertSlots: 20, seniorAlertPollers: 2 });
    expect(seniorAlertTaskQueue(c.temporal.taskQueue)).toBe('incident-response-senior');
  });

  it('takes the environment over the file', () => {
    const c = parseConfig(
      { worker: { seniorAlertSlots: 8, seniorAlertPollers: 1 } },
      { INCIDENT_SENIOR_ALERT_SLOTS: '40', INCIDENT_SENIOR_ALERT_POLLERS: '4' },
      'incident.config.json',
    );
    expect(c.worker).toMatchObject({ seniorAlertSlots: 40, seniorAlertPollers: 4, maxCachedWorkflows: 600 });
  });

  it('refuses zero slots, naming the setting', () => {
    const err = refusal(ConfigError, () => parseConfig({}, { INCIDENT_SENIOR_ALERT_SLOTS: '0' }, 'environment'));
    expect(err.message).toMatch(/worker\.seniorAlertSlots/);
  });
});
