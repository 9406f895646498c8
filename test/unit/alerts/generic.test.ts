import { describe, expect, it } from 'vitest';
import type { AdapterOptions } from '../../../domain/alerts/alert';
import { genericAdapter, genericAlertJsonSchema } from '../../../domain/alerts/generic';
import { CATEGORIES, SEVERITIES } from '../../../domain/incident';
import { alertsOf, fieldOf } from './results';

const options: AdapterOptions = { receivedAt: new Date('2026-03-01T02:11:00Z') };

const alert = {
  id: 'waf-2026-03-01-0042',
  correlationKey: 'shop-credential-stuffing',
  status: 'firing',
  severity: 'SEV2',
  category: 'intrusion',
  title: 'Credential stuffing against shop login (4,100 attempts from 312 IPs)',
  systems: ['shop-web-1', 'shop-web-2'],
  observedAt: '2026-03-01T03:10:00.5+01:00',
  details: { rule: 'rate-limit-login', topSources: ['198.51.100.7', '203.0.113.9'] },
};

describe('generic adapter', () => {
  it('normalises a single alert', () => {
    expect(alertsOf(genericAdapter(alert, options))).toEqual([
      {
        source: 'generic',
        dedupKey: 'waf-2026-03-01-0042',
        correlationKey: 'shop-credential-stuffing',
        status: 'firing',
        severity: 'SEV2',
        category: 'intrusion',
        title: 'Credential stuffing against shop login (4,100 attempts from 312 IPs)',
        systems: ['shop-web-1', 'shop-web-2'],
        observedAt: '2026-03-01T02:10:00.500Z',
        raw: alert,
      },
    ]);
  });

  it('normalises a batch, each alert keeping its own item as raw', () => {
    const second = {
      id: 'av-77',
      severity: 'SEV1',
      category: 'malware',
      title: 'Ransomware note found on fileserver',
      observedAt: '2026-03-01T02:20:00Z',
      status: 'resolved',
      systems: ['fs-1'],
    };
    const alerts = alertsOf(genericAdapter({ alerts: [alert, second] }, options));
    expect(alerts.map((a) => [a.dedupKey, a.correlationKey, a.status, a.severity, a.category])).toEqual([
      ['waf-2026-03-01-0042', 'shop-credential-stuffing', 'firing', 'SEV2', 'intrusion'],
      ['av-77', 'av-77', 'resolved', 'SEV1', 'malware'],
    ]);
    expect(alerts[1].raw).toBe(second);
    expect(alertsOf(genericAdapter({ alerts: [] }, options))).toEqual([]);
  });

  it('fills in the optional fields and ignores unknown ones', () => {
    const minimal = {
      id: 'x-1',
      severity: 'SEV4',
      title: 'Port scan from 198.51.100.7',
      observedAt: '2026-03-01T02:10:00Z',
      vendor: 'acme',
      score: 0.3,
    };
    expect(alertsOf(genericAdapter(minimal, { ...options, defaultCategory: 'other' }))[0]).toEqual({
      source: 'generic',
      dedupKey: 'x-1',
      correlationKey: 'x-1',
      status: 'firing',
      severity: 'SEV4',
      category: 'other',
      title: 'Port scan from 198.51.100.7',
      systems: [],
      observedAt: '2026-03-01T02:10:00.000Z',
      raw: minimal,
    });
    expect(
      alertsOf(
        genericAdapter(
          { ...minimal, correlationKey: null, status: null, category: null, systems: null, details: null },
          options,
        ),
      )[0],
    ).toMatchObject({
      correlationKey: 'x-1',
      status: 'firing',
      category: 'intrusion',
      systems: [],
    });
  });

  it('drops system names that break the rule', () => {
    const systems = ['db-1', 'db 2', '', '../etc/passwd', 'db-1', 'a'.repeat(128), 'a'.repeat(129)];
    expect(alertsOf(genericAdapter({ ...alert, systems }, options))[0].systems).toEqual(['db-1', 'a'.repeat(128)]);
  });

  it('refuses invalid alerts naming the offending field', () => {
    const without = (key: string) => Object.fromEntries(Object.entries(alert).filter(([k]) => k !== key));
    const cases: [unknown, string][] = [
      ['alert', '$'],
      [null, '$'],
      [[alert], '$'],
      [without('id'), 'id'],
      [{ ...alert, id: '' }, 'id'],
      [{ ...alert, id: 42 }, 'id'],
      [{ ...alert, correlationKey: ' ' }, 'correlationKey'],
      [{ ...alert, status: 'acknowledged' }, 'status'],
      [without('severity'), 'severity'],
      [{ ...alert, severity: 'critical' }, 'severity'],
      [{ ...alert, severity: 'sev1' }, 'severity'],
      [{ ...alert, category: 'spam' }, 'category'],
      [without('title'), 'title'],
      [{ ...alert, title: ['x'] }, 'title'],
      [{ ...alert, title: '\u001b[0m\r\n' }, 'title'],
      [{ ...alert, systems: 'db-1' }, 'systems'],
      [{ ...alert, systems: ['db-1', 2] }, 'systems[1]'],
      [without('observedAt'), 'observedAt'],
      [{ ...alert, observedAt: '2026-03-01T02:10:00' }, 'observedAt'],
      [{ ...alert, observedAt: '2026-03-01' }, 'observedAt'],
      [{ ...alert, observedAt: 1772331000000 }, 'observedAt'],
      [{ ...alert, observedAt: '2026-13-01T02:10:00Z' }, 'observedAt'],
      [{ ...alert, details: ['a'] }, 'details'],
      [{ ...alert, details: 'text' }, 'details'],
      [{ alerts: alert }, 'alerts'],
      [{ alerts: [alert, 'x'] }, 'alerts[1]'],
      [{ alerts: [alert, { ...alert, severity: 'SEV5' }] }, 'alerts[1].severity'],
      [{ alerts: [alert, { ...alert, systems: [null] }] }, 'alerts[1].systems[0]'],
    ];
    for (const [body, field] of cases)
      expect(fieldOf(genericAdapter(body, options)), JSON.stringify(body)?.slice(0, 200)).toBe(field);
  });
});

describe('genericAlertJsonSchema', () => {
  const { alert: alertSchema, batch } = genericAlertJsonSchema.$defs;

  it('is a draft 2020-12 schema for one alert or a batch', () => {
    expect(genericAlertJsonSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(genericAlertJsonSchema.oneOf).toEqual([{ $ref: '#/$defs/alert' }, { $ref: '#/$defs/batch' }]);
    expect(batch.required).toEqual(['alerts']);
    expect(batch.properties.alerts.items).toEqual({ $ref: '#/$defs/alert' });
    expect(alertSchema.properties.alerts).toBe(false);
    expect(JSON.parse(JSON.stringify(genericAlertJsonSchema))).toEqual(genericAlertJsonSchema);
  });

  it('requires and enumerates what the adapter requires and accepts', () => {
    expect([...alertSchema.required].sort()).toEqual(['id', 'observedAt', 'severity', 'title']);
    expect(alertSchema.properties.severity.enum).toEqual([...SEVERITIES]);
    expect(alertSchema.properties.category.enum).toEqual([...CATEGORIES]);
    expect(alertSchema.properties.status.enum).toEqual(['firing', 'resolved']);
  });

  it('has an observedAt pattern that agrees with the adapter', () => {
    const pattern = new RegExp(alertSchema.properties.observedAt.pattern);
    const accepted = [
      '2026-03-01T02:10:00Z',
      '2026-03-01T02:10:00.123456789Z',
      '2026-03-01T03:10:00+01:00',
      '2026-03-01T02:10:00.315+0000',
      '2026-03-01t02:10z',
    ];
    const refused = ['2026-03-01T02:10:00', '2026-03-01', '1772331000', '01/03/2026 02:10 UTC'];
    for (const time of accepted) {
      expect(pattern.test(time), time).toBe(true);
      expect(genericAdapter({ ...alert, observedAt: time }, options).ok, time).toBe(true);
    }
    for (const time of refused) {
      expect(pattern.test(time), time).toBe(false);
      expect(genericAdapter({ ...alert, observedAt: time }, options).ok, time).toBe(false);
    }
  });
});
