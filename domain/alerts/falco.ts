import type { Severity } from '../incident';
import type { Adapter } from './alert';
import {
  adapter,
  categoryOf,
  get,
  mapSeverity,
  optObject,
  optString,
  pickTitle,
  readString,
  readObject,
  readTime,
  refuse,
  sha256,
  systemNames,
} from './field-readers';

// Falco events, as Falco's own HTTP output or Falcosidekick send them: one event per request. An event has
// no identity of its own (Falcosidekick's uuid differs on every event), so the same rule firing on the same
// host and container is taken as the same alert.

const PRIORITIES = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'];
const SEVERITIES: Record<string, Severity> = {
  emergency: 'SEV1',
  alert: 'SEV1',
  critical: 'SEV1',
  error: 'SEV2',
  warning: 'SEV3',
  notice: 'SEV4',
  informational: 'SEV4',
  info: 'SEV4',
  debug: 'SEV4',
};

export const falcoAdapter: Adapter = adapter((body, options) => {
  const event = readObject(body, '');
  const rule = readString(get(event, 'rule'), 'rule');
  const priority = readString(get(event, 'priority'), 'priority');
  const severity = mapSeverity(priority, options, SEVERITIES);
  if (severity === undefined)
    refuse('priority', `Expected one of ${PRIORITIES.join(', ')}, got ${JSON.stringify(priority.slice(0, 40))}.`);
  const observedAt = readTime(get(event, 'time'), 'time');
  optString(get(event, 'output'), 'output');
  const fields = optObject(get(event, 'output_fields'), 'output_fields') ?? {};
  const containerId = optString(get(fields, 'container.id'), 'output_fields["container.id"]') ?? '';
  const hostname = optString(get(event, 'hostname'), 'hostname') ?? '';
  const key = sha256([rule, hostname, containerId]);
  return [
    {
      source: 'falco',
      dedupKey: key,
      correlationKey: key,
      status: 'firing',
      severity,
      category: categoryOf(undefined, options),
      title: pickTitle([[rule, 'rule']], 'rule'),
      systems: systemNames([hostname]),
      observedAt,
      raw: body,
    },
  ];
});
