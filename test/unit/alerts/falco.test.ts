import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AdapterOptions } from '../../../domain/alerts/alert';
import { falcoAdapter } from '../../../domain/alerts/falco';
import { alertOf, fieldOf } from './results';

const options: AdapterOptions = { receivedAt: new Date('2026-03-01T14:35:00Z') };

// As Falcosidekick forwards it.
const event = {
  uuid: '2e5bcb4d-8c0b-4b0e-9f5f-1f0b5a6c7d8e',
  output:
    '14:34:10.264069377: Warning Sensitive file opened for reading by non-trusted program (user=root user_loginuid=-1 program=cat command=cat /etc/shadow pid=31337 file=/etc/shadow parent=bash gparent=<NA> container_id=3ad1c4a0b2f1 image=nginx)',
  priority: 'Warning',
  rule: 'Read sensitive file untrusted',
  time: '2026-03-01T14:34:10.264069377Z',
  output_fields: {
    'container.id': '3ad1c4a0b2f1',
    'container.image.repository': 'nginx',
    'container.name': 'web',
    'evt.time': 1772375650264069400,
    'fd.name': '/etc/shadow',
    'proc.cmdline': 'cat /etc/shadow',
    'proc.name': 'cat',
    'proc.pid': 31337,
    'user.loginuid': -1,
    'user.name': 'root',
  },
  source: 'syscall',
  tags: ['filesystem', 'mitre_credential_access', 'T1555'],
  hostname: 'web-7.prod',
};

const sha = (parts: string[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

describe('falco adapter', () => {
  it('normalises an event, parsing its nanosecond time', () => {
    const key = sha(['Read sensitive file untrusted', 'web-7.prod', '3ad1c4a0b2f1']);
    expect(alertOf(falcoAdapter(event, options))).toEqual({
      source: 'falco',
      dedupKey: key,
      correlationKey: key,
      status: 'firing',
      severity: 'SEV3',
      category: 'intrusion',
      title: 'Read sensitive file untrusted',
      systems: ['web-7.prod'],
      observedAt: '2026-03-01T14:34:10.264Z',
      raw: event,
    });
    expect(key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same rule on the same host and container the same key, whatever else differs', () => {
    const again = {
      ...event,
      uuid: '9b1f3c2a-0000-4000-8000-000000000001',
      time: '2026-03-01T14:39:52.000000001Z',
      output:
        '14:39:52.000000001: Warning Sensitive file opened for reading by non-trusted program (user=root command=head /etc/shadow ...)',
      output_fields: { ...event.output_fields, 'proc.cmdline': 'head /etc/shadow', 'proc.pid': 31400 },
    };
    const first = alertOf(falcoAdapter(event, options));
    const second = alertOf(falcoAdapter(again, options));
    expect(second.dedupKey).toBe(first.dedupKey);
    expect(second.correlationKey).toBe(first.correlationKey);
    expect(second.observedAt).toBe('2026-03-01T14:39:52.000Z');

    const otherContainer = alertOf(
      falcoAdapter({ ...event, output_fields: { ...event.output_fields, 'container.id': 'ffeeddccbbaa' } }, options),
    );
    const otherHost = alertOf(falcoAdapter({ ...event, hostname: 'web-8.prod' }, options));
    const otherRule = alertOf(falcoAdapter({ ...event, rule: 'Terminal shell in container' }, options));
    expect(new Set([first.dedupKey, otherContainer.dedupKey, otherHost.dedupKey, otherRule.dedupKey]).size).toBe(4);
  });

  it('keys a host event (no container) by rule and host', () => {
    const hostEvent = {
      output: '09:00:01.5: Critical Known system binary sent/received network traffic (user=root command=sshd ...)',
      priority: 'Critical',
      rule: 'System procs network activity',
      time: '2026-03-01T09:00:01.5Z',
      output_fields: { 'proc.name': 'sshd', 'container.id': null },
      source: 'syscall',
      tags: ['network'],
      hostname: 'bastion-1',
    };
    const alert = alertOf(falcoAdapter(hostEvent, options));
    expect(alert.dedupKey).toBe(sha(['System procs network activity', 'bastion-1', '']));
    expect(alert).toMatchObject({ severity: 'SEV1', systems: ['bastion-1'], observedAt: '2026-03-01T09:00:01.500Z' });
    const { output_fields: _fields, ...noFields } = hostEvent;
    expect(alertOf(falcoAdapter(noFields, options)).dedupKey).toBe(alert.dedupKey);
  });

  it('maps the eight Falco priorities, and the configured map first', () => {
    const severityOf = (priority: string, opts: AdapterOptions = options) =>
      alertOf(falcoAdapter({ ...event, priority }, opts)).severity;
    expect(
      ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'].map((p) =>
        severityOf(p),
      ),
    ).toEqual(['SEV1', 'SEV1', 'SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV4', 'SEV4']);
    expect(severityOf('critical')).toBe('SEV1');
    expect(severityOf('Warning', { ...options, severityMap: { Warning: 'SEV2' } })).toBe('SEV2');
    expect(severityOf('Notice', { ...options, severityMap: { notice: 'SEV3' } })).toBe('SEV3');
  });

  it('accepts an event without hostname, uuid, output, tags or output_fields', () => {
    const bare = {
      priority: 'Error',
      rule: 'Write below binary dir',
      time: '2026-03-01T14:34:10Z',
      source: 'syscall',
      extra: { anything: true },
    };
    expect(alertOf(falcoAdapter(bare, options))).toMatchObject({
      systems: [],
      severity: 'SEV2',
      dedupKey: sha(['Write below binary dir', '', '']),
    });
  });

  it('drops a hostname that is not a system name', () => {
    expect(alertOf(falcoAdapter({ ...event, hostname: 'web 7; rm -rf /' }, options)).systems).toEqual([]);
  });

  it('refuses invalid events naming the offending field', () => {
    const cases: [unknown, string][] = [
      [[event], '$'],
      [{ ...event, rule: undefined }, 'rule'],
      [{ ...event, rule: 3 }, 'rule'],
      [{ ...event, priority: 'Severe' }, 'priority'],
      [{ ...event, priority: undefined }, 'priority'],
      [{ ...event, time: undefined }, 'time'],
      [{ ...event, time: 1772375650264069400 }, 'time'],
      [{ ...event, time: '14:34:10.264069377' }, 'time'],
      [{ ...event, output: { text: 'x' } }, 'output'],
      [{ ...event, output_fields: 'container.id=3ad1c4a0b2f1' }, 'output_fields'],
      [{ ...event, output_fields: { 'container.id': 12 } }, 'output_fields["container.id"]'],
      [{ ...event, hostname: ['web-7'] }, 'hostname'],
    ];
    for (const [body, field] of cases)
      expect(fieldOf(falcoAdapter(body, options)), JSON.stringify(body)?.slice(0, 200)).toBe(field);
  });
});
