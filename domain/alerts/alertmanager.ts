import type { Severity } from '../incident';
import type { Adapter } from './alert';
import {
  adapter,
  at,
  categoryOf,
  defaultSeverity,
  describe,
  get,
  mapSeverity,
  oneOf,
  optObject,
  optString,
  pickTitle,
  readArray,
  readObject,
  readString,
  readTime,
  refuse,
  systemNames,
} from './field-readers';

// Prometheus Alertmanager webhook, payload version 4: one group of alerts per request. Each alert carries
// its own status; the group's status is "resolved" only when all of them are, so it is not used.

const SEVERITIES: Record<string, Severity> = {
  critical: 'SEV1',
  error: 'SEV2',
  high: 'SEV2',
  warning: 'SEV3',
  medium: 'SEV3',
  info: 'SEV4',
  low: 'SEV4',
};

/** The host of an instance label: "10.0.0.5:9100" → "10.0.0.5", "[fe80::1]:9100" → "fe80::1", a URL → its host. */
export function instanceHost(instance: string): string {
  const value = instance.trim();
  if (value.includes('://')) {
    try {
      return new URL(value).hostname.replace(/^\[(.*)\]$/, '$1');
    } catch {
      return value;
    }
  }
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) return bracketed[1];
  const hostPort = /^([^:]+):\d+$/.exec(value);
  return hostPort ? hostPort[1] : value;
}

export const alertmanagerAdapter: Adapter = adapter((body, options) => {
  const group = readObject(body, '');
  const version = get(group, 'version');
  if (version !== undefined && version !== '4')
    refuse('version', `Expected "4" (Alertmanager webhook payload version 4), got ${describe(version)}.`);
  const groupKey = readString(get(group, 'groupKey'), 'groupKey');
  const truncated = get(group, 'truncatedAlerts');
  if (truncated !== undefined && !(typeof truncated === 'number' && Number.isInteger(truncated) && truncated >= 0)) {
    refuse('truncatedAlerts', `Expected a whole number of alerts left out, got ${describe(truncated)}.`);
  }
  return readArray(get(group, 'alerts'), 'alerts').map((item, i) => {
    const path = at('alerts', i);
    const alert = readObject(item, path);
    const status = oneOf(get(alert, 'status'), ['firing', 'resolved'] as const, at(path, 'status'));
    const labelsPath = at(path, 'labels');
    const labels = readObject(get(alert, 'labels'), labelsPath);
    const label = (name: string) => optString(get(labels, name), at(labelsPath, name));
    const annotationsPath = at(path, 'annotations');
    const annotations = optObject(get(alert, 'annotations'), annotationsPath) ?? {};
    const fingerprint = readString(get(alert, 'fingerprint'), at(path, 'fingerprint'));
    const observedAt = readTime(get(alert, 'startsAt'), at(path, 'startsAt'));
    const title = pickTitle(
      [
        [get(annotations, 'summary'), at(annotationsPath, 'summary')],
        [get(annotations, 'description'), at(annotationsPath, 'description')],
        [get(labels, 'alertname'), at(labelsPath, 'alertname')],
      ],
      at(labelsPath, 'alertname'),
    );
    const severityWord = label('severity');
    const severity =
      (severityWord === undefined ? undefined : mapSeverity(severityWord, options, SEVERITIES)) ??
      defaultSeverity(options);
    const instance = label('instance');
    return {
      source: 'alertmanager' as const,
      dedupKey: fingerprint,
      correlationKey: groupKey,
      status,
      severity,
      category: categoryOf(label('category'), options),
      title,
      systems: systemNames([
        instance === undefined ? undefined : instanceHost(instance),
        label('host'),
        label('hostname'),
        label('node'),
      ]),
      observedAt,
      raw: item,
    };
  });
});
