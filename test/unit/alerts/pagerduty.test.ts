import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AdapterOptions } from '../../../domain/alerts/alert';
import { pagerdutyAdapter } from '../../../domain/alerts/pagerduty';
import { alertOf, fieldOf } from './results';

const options: AdapterOptions = { receivedAt: new Date('2026-03-01T02:11:00.250Z') };

// Modelled on the example in PagerDuty's Events API v2 documentation.
const trigger = {
  payload: {
    summary: 'DISK at 99% on machine prod-datapipe03.example.com',
    timestamp: '2026-03-01T02:10:00.315+0000',
    severity: 'critical',
    source: 'prod-datapipe03.example.com',
    component: 'mysql',
    group: 'prod-datapipe',
    class: 'disk',
    custom_details: { 'free space': '1%', 'ping time': '1500ms', 'load avg': 0.75 },
  },
  routing_key: 'e93facc04764012d7bfb002500d5d1a6',
  dedup_key: 'srv01/mysql',
  event_action: 'trigger',
  client: 'Sample Monitoring Service',
  client_url: 'https://monitoring.service.com',
  links: [{ href: 'http://pagerduty.example.com', text: 'An example link.' }],
  images: [
    { src: 'https://chart.googleapis.com/chart?chs=600x400', href: 'https://example.com/', alt: 'An example image.' },
  ],
};
const acknowledge = {
  routing_key: 'e93facc04764012d7bfb002500d5d1a6',
  dedup_key: 'srv01/mysql',
  event_action: 'acknowledge',
};
const resolve = { routing_key: 'e93facc04764012d7bfb002500d5d1a6', dedup_key: 'srv01/mysql', event_action: 'resolve' };

function withPayload(change: (payload: Record<string, any>) => void, event: Record<string, any> = trigger): unknown {
  const copy = structuredClone(event) as any;
  change(copy.payload);
  return copy;
}

describe('pagerduty adapter', () => {
  it('normalises a trigger', () => {
    expect(alertOf(pagerdutyAdapter(trigger, options))).toEqual({
      source: 'pagerduty',
      dedupKey: 'srv01/mysql',
      correlationKey: 'srv01/mysql',
      status: 'firing',
      severity: 'SEV1',
      category: 'intrusion',
      title: 'DISK at 99% on machine prod-datapipe03.example.com',
      systems: ['prod-datapipe03.example.com'],
      observedAt: '2026-03-01T02:10:00.315Z',
      raw: trigger,
    });
  });

  it('keeps trigger, acknowledge and resolve of one dedup_key on one alert: firing, firing, resolved', () => {
    const [t, a, r] = [trigger, acknowledge, resolve].map((event) => alertOf(pagerdutyAdapter(event, options)));
    expect([t.dedupKey, a.dedupKey, r.dedupKey]).toEqual(['srv01/mysql', 'srv01/mysql', 'srv01/mysql']);
    expect([t.correlationKey, a.correlationKey, r.correlationKey]).toEqual([
      'srv01/mysql',
      'srv01/mysql',
      'srv01/mysql',
    ]);
    expect([t.status, a.status, r.status]).toEqual(['firing', 'firing', 'resolved']);
    // Without a payload there is no time, summary or source of the source's own.
    expect(a).toMatchObject({
      title: 'PagerDuty acknowledge: srv01/mysql',
      systems: [],
      severity: 'SEV3',
      observedAt: '2026-03-01T02:11:00.250Z',
      raw: acknowledge,
    });
    expect(r.title).toBe('PagerDuty resolve: srv01/mysql');
  });

  it('uses the payload of an acknowledge or resolve when it repeats one', () => {
    const resolveWithPayload = {
      ...resolve,
      payload: { ...trigger.payload, severity: 'warning', timestamp: '2026-03-01T03:00:00Z' },
    };
    expect(alertOf(pagerdutyAdapter(resolveWithPayload, options))).toMatchObject({
      status: 'resolved',
      severity: 'SEV3',
      title: 'DISK at 99% on machine prod-datapipe03.example.com',
      systems: ['prod-datapipe03.example.com'],
      observedAt: '2026-03-01T03:00:00.000Z',
    });
  });

  it('derives a stable dedup key from source and summary for a trigger without one', () => {
    const { dedup_key: _omitted, ...withoutKey } = trigger;
    const first = alertOf(pagerdutyAdapter(withoutKey, options));
    const again = alertOf(
      pagerdutyAdapter(structuredClone(withoutKey), { receivedAt: new Date('2026-03-02T00:00:00Z') }),
    );
    const expected = createHash('sha256')
      .update(JSON.stringify(['prod-datapipe03.example.com', 'DISK at 99% on machine prod-datapipe03.example.com']))
      .digest('hex');
    expect(first.dedupKey).toBe(expected);
    expect(again.dedupKey).toBe(expected);
    expect(first.correlationKey).toBe(expected);
    const other = alertOf(
      pagerdutyAdapter(
        withPayload((p) => (p.summary = 'DISK at 98% on machine prod-datapipe03.example.com'), withoutKey),
        options,
      ),
    );
    expect(other.dedupKey).not.toBe(expected);
    expect(alertOf(pagerdutyAdapter({ ...withoutKey, dedup_key: null }, options)).dedupKey).toBe(expected);
  });

  it('maps the four PagerDuty severities, and the configured map first', () => {
    const severityOf = (severity: string, opts: AdapterOptions = options) =>
      alertOf(
        pagerdutyAdapter(
          withPayload((p) => (p.severity = severity)),
          opts,
        ),
      ).severity;
    expect(severityOf('critical')).toBe('SEV1');
    expect(severityOf('error')).toBe('SEV2');
    expect(severityOf('warning')).toBe('SEV3');
    expect(severityOf('info')).toBe('SEV4');
    expect(severityOf('error', { ...options, severityMap: { error: 'SEV1' } })).toBe('SEV1');
    expect(severityOf('info', { ...options, defaultSeverity: 'SEV1' })).toBe('SEV4');
  });

  it('uses the receive time when the trigger has no timestamp, and the configured category', () => {
    const alert = alertOf(
      pagerdutyAdapter(
        withPayload((p) => delete p.timestamp),
        { ...options, defaultCategory: 'denial-of-service' },
      ),
    );
    expect(alert.observedAt).toBe('2026-03-01T02:11:00.250Z');
    expect(alert.category).toBe('denial-of-service');
  });

  it('accepts a minimal trigger and drops a source that is not a system name', () => {
    const minimal = {
      routing_key: 'r',
      event_action: 'trigger',
      dedup_key: 'k-1',
      payload: { summary: 'Login from TOR exit node', source: 'Okta System Log', severity: 'error' },
    };
    expect(alertOf(pagerdutyAdapter(minimal, options))).toMatchObject({
      dedupKey: 'k-1',
      systems: [],
      severity: 'SEV2',
      observedAt: '2026-03-01T02:11:00.250Z',
    });
  });

  it('refuses invalid events naming the offending field', () => {
    const cases: [unknown, string][] = [
      [undefined, '$'],
      [42, '$'],
      [{ ...trigger, event_action: 'escalate' }, 'event_action'],
      [{ ...trigger, event_action: undefined }, 'event_action'],
      [{ service_key: 'x', event_type: 'trigger', description: 'v1 event' }, 'event_action'],
      [{ ...trigger, payload: undefined }, 'payload'],
      [{ ...trigger, payload: 'DISK at 99%' }, 'payload'],
      [{ ...resolve, payload: [] }, 'payload'],
      [withPayload((p) => delete p.summary), 'payload.summary'],
      [withPayload((p) => (p.summary = ' ')), 'payload.summary'],
      [withPayload((p) => delete p.source), 'payload.source'],
      [withPayload((p) => (p.source = 7)), 'payload.source'],
      [withPayload((p) => delete p.severity), 'payload.severity'],
      [withPayload((p) => (p.severity = 'urgent')), 'payload.severity'],
      [withPayload((p) => (p.timestamp = 'yesterday')), 'payload.timestamp'],
      [withPayload((p) => (p.timestamp = 1772331000)), 'payload.timestamp'],
      [{ ...acknowledge, dedup_key: undefined }, 'dedup_key'],
      [{ ...resolve, dedup_key: '' }, 'dedup_key'],
      [{ ...trigger, dedup_key: 12345 }, 'dedup_key'],
      [{ ...resolve, payload: { summary: ['x'] } }, 'payload.summary'],
    ];
    for (const [body, field] of cases)
      expect(fieldOf(pagerdutyAdapter(body, options)), JSON.stringify(body)?.slice(0, 200)).toBe(field);
  });
});
