import { describe, expect, it } from 'vitest';
import { ALERT_SOURCES, type AdapterOptions, type AdapterResult, type AlertSource } from '../../../domain/alerts/alert';
import { cleanTitle, MAX_TITLE } from '../../../domain/alerts/field-readers';
import { ADAPTERS } from '../../../domain/alerts/index';
import { CATEGORIES, SEVERITIES } from '../../../domain/incident';
import { alertsOf } from './results';

// What holds for every adapter: the index, titles an attacker wrote, no exceptions, no mutation.

const options: AdapterOptions = { receivedAt: new Date('2026-03-01T02:11:00Z') };

const ESC = '\u001b';
const ATTACK = `${ESC}[31;1mCRITICAL${ESC}[0m db-1 compromised\r\n${ESC}[2K${ESC}[1A[OK] all clear\u0007 ${ESC}]0;pwned\u0007${ESC}]8;;https://evil.example/${ESC}\\click${ESC}]8;;${ESC}\\\t\u202egnp.exe\u2028end\u0085`;
const CLEAN = 'CRITICAL db-1 compromised [OK] all clear click gnp.exe end';

/** A valid body for each source whose title (or the field the title comes from) is `title`. */
function bodyWithTitle(source: AlertSource, title: string): unknown {
  switch (source) {
    case 'alertmanager':
      return {
        version: '4',
        groupKey: 'g',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'X' },
            annotations: { summary: title },
            startsAt: '2026-03-01T02:10:00Z',
            fingerprint: 'f',
          },
        ],
      };
    case 'pagerduty':
      return {
        routing_key: 'r',
        event_action: 'trigger',
        dedup_key: 'd',
        payload: { summary: title, source: 'db-1', severity: 'critical' },
      };
    case 'falco':
      return {
        output: title,
        priority: 'Critical',
        rule: title,
        time: '2026-03-01T02:10:00.000000001Z',
        hostname: 'db-1',
      };
    case 'guardduty':
      return { 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', detail: { id: 'i', severity: 8, title } };
    case 'ocsf':
      return {
        class_uid: 2004,
        activity_id: 1,
        severity_id: 5,
        time: 1772331000000,
        finding_info: { uid: 'u', title },
      };
    case 'generic':
      return { id: 'i', severity: 'SEV1', title, observedAt: '2026-03-01T02:10:00Z' };
  }
}

describe('ADAPTERS', () => {
  it('has an adapter for every source, and each labels its alerts with that source', () => {
    expect(Object.keys(ADAPTERS).sort()).toEqual([...ALERT_SOURCES].sort());
    for (const source of ALERT_SOURCES) {
      const alerts = alertsOf(ADAPTERS[source](bodyWithTitle(source, 'Plain title'), options));
      expect(alerts).toHaveLength(1);
      expect(alerts[0].source).toBe(source);
      expect(alerts[0].title).toBe('Plain title');
      expect(SEVERITIES).toContain(alerts[0].severity);
      expect(CATEGORIES).toContain(alerts[0].category);
      expect(alerts[0].observedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
  });
});

describe('titles', () => {
  it('come out of every adapter on one line, without escape sequences or control characters', () => {
    for (const source of ALERT_SOURCES) {
      const [alert] = alertsOf(ADAPTERS[source](bodyWithTitle(source, ATTACK), options));
      expect(alert.title, source).toBe(CLEAN);
      // eslint-disable-next-line no-control-regex
      expect(alert.title).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    }
  });

  it(`are cut at ${MAX_TITLE} characters`, () => {
    for (const source of ALERT_SOURCES) {
      const [alert] = alertsOf(ADAPTERS[source](bodyWithTitle(source, 'A'.repeat(5000)), options));
      expect(alert.title.length, source).toBe(MAX_TITLE);
      expect(alert.title.endsWith('…')).toBe(true);
    }
    expect(cleanTitle('x'.repeat(MAX_TITLE))).toBe('x'.repeat(MAX_TITLE));
  });

  it('are not cut inside a surrogate pair', () => {
    const title = cleanTitle(`${'x'.repeat(MAX_TITLE - 2)}😀😀😀`);
    expect(title).toBe(`${'x'.repeat(MAX_TITLE - 2)}…`);
    expect(title).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('every adapter', () => {
  const odd: unknown[] = [
    undefined,
    null,
    0,
    Number.NaN,
    '',
    'text',
    true,
    [],
    [{}],
    {},
    Object.create(null),
    JSON.parse('{"__proto__": {"polluted": true}, "alerts": [{"__proto__": {"id": "x"}}]}'),
    { alerts: null },
    { alerts: [null] },
    { alerts: [{ labels: null, annotations: null }] },
    { payload: null, event_action: 'trigger' },
    { detail: null, source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding' },
    { class_uid: 2004, activity_id: 1, severity_id: 1, time: 1772331000000, finding_info: null },
    { id: 'x', severity: 'SEV1', title: 'constructor', observedAt: 'toString' },
    { toString: 'x', valueOf: 1, constructor: 'y', hasOwnProperty: 2 },
  ];

  it('refuses odd bodies with a field and a message instead of throwing', () => {
    for (const source of ALERT_SOURCES) {
      for (const [i, body] of odd.entries()) {
        let result: AdapterResult | undefined;
        expect(() => (result = ADAPTERS[source](body, options)), `${source} odd[${i}]`).not.toThrow();
        expect(result!.ok, `${source} odd[${i}]`).toBe(false);
        if (!result!.ok) {
          expect(result!.field).toMatch(/\S/);
          expect(result!.message).toMatch(/\S/);
        }
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('is pure: the same input gives the same output and is left unchanged', () => {
    for (const source of ALERT_SOURCES) {
      const body = bodyWithTitle(source, ATTACK);
      const before = structuredClone(body);
      const first = ADAPTERS[source](body, options);
      const second = ADAPTERS[source](body, { receivedAt: new Date(options.receivedAt) });
      expect(second).toEqual(first);
      expect(body).toEqual(before);
    }
  });
});
