import type { Severity } from '../incident';
import type { Adapter } from './alert';
import {
  adapter,
  at,
  categoryOf,
  describe,
  get,
  mapSeverity,
  optObject,
  optString,
  optTime,
  pickTitle,
  readObject,
  readString,
  refuse,
  systemNames,
} from './field-readers';

// Amazon GuardDuty findings as EventBridge delivers them. GuardDuty sends the finding again when it is seen
// again (a later updatedAt, a higher service.count) under the same detail.id: that is the same alert.

// GuardDuty's own bands: Critical 9.0–10.0, High 7.0–8.9, Medium 4.0–6.9, Low 1.0–3.9.
const BANDS: [min: number, band: string][] = [
  [9, 'critical'],
  [7, 'high'],
  [4, 'medium'],
  [1, 'low'],
  [0, 'informational'],
];
const SEVERITIES: Record<string, Severity> = {
  critical: 'SEV1',
  high: 'SEV1',
  medium: 'SEV2',
  low: 'SEV3',
  informational: 'SEV4',
};

export const guarddutyAdapter: Adapter = adapter((body, options) => {
  const event = readObject(body, '');
  if (get(event, 'source') !== 'aws.guardduty')
    refuse('source', `Expected "aws.guardduty", got ${describe(get(event, 'source'))}.`);
  if (get(event, 'detail-type') !== 'GuardDuty Finding')
    refuse('detail-type', `Expected "GuardDuty Finding", got ${describe(get(event, 'detail-type'))}.`);
  const detail = readObject(get(event, 'detail'), 'detail');
  const field = (name: string) => at('detail', name);
  const id = readString(get(detail, 'id'), field('id'));

  const score = get(detail, 'severity');
  if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 10) {
    refuse(
      field('severity'),
      `Expected a number from 0 to 10 (GuardDuty severity, such as 8.0), got ${describe(score)}.`,
    );
  }
  const band = BANDS.find(([min]) => score >= min)![1];
  const severity = mapSeverity(band, options, SEVERITIES)!;

  const title = pickTitle(
    [
      [get(detail, 'title'), field('title')],
      [get(detail, 'type'), field('type')],
    ],
    field('title'),
  );

  const resourcePath = field('resource');
  const resource = optObject(get(detail, 'resource'), resourcePath);
  const instancePath = at(resourcePath, 'instanceDetails');
  const instance = resource && optObject(get(resource, 'instanceDetails'), instancePath);
  const instanceId = instance && optString(get(instance, 'instanceId'), at(instancePath, 'instanceId'));

  const service = optObject(get(detail, 'service'), field('service'));
  const firstSeen = service && optTime(get(service, 'eventFirstSeen'), at(field('service'), 'eventFirstSeen'));
  const observedAt =
    firstSeen ??
    optTime(get(detail, 'createdAt'), field('createdAt')) ??
    optTime(get(event, 'time'), 'time') ??
    options.receivedAt.toISOString();

  return [
    {
      source: 'guardduty',
      dedupKey: id,
      correlationKey: id,
      status: 'firing',
      severity,
      category: categoryOf(undefined, options),
      title,
      systems: systemNames([instanceId]),
      observedAt,
      raw: body,
    },
  ];
});
