import type { Severity } from '../incident';
import type { Adapter } from './alert';
import {
  adapter,
  at,
  categoryOf,
  defaultSeverity,
  get,
  mapSeverity,
  oneOf,
  optObject,
  optString,
  optTime,
  pickTitle,
  readObject,
  readString,
  refuse,
  sha256,
  systemNames,
} from './field-readers';

// PagerDuty Events API v2: one event per request. A trigger opens (or repeats) the alert, acknowledge leaves
// it firing, resolve ends it; all three name it by dedup_key. Only a trigger carries a payload for sure.

const SEVERITIES: Record<string, Severity> = { critical: 'SEV1', error: 'SEV2', warning: 'SEV3', info: 'SEV4' };
const ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;

export const pagerdutyAdapter: Adapter = adapter((body, options) => {
  const event = readObject(body, '');
  const action = oneOf(get(event, 'event_action'), ACTIONS, 'event_action');
  const trigger = action === 'trigger';
  const givenKey = get(event, 'dedup_key');
  const payload = trigger ? readObject(get(event, 'payload'), 'payload') : optObject(get(event, 'payload'), 'payload');

  // A trigger needs summary, source and severity; acknowledge and resolve may repeat them or leave them out.
  const field = (name: string) => at('payload', name);
  const read = (name: string) =>
    payload === undefined
      ? undefined
      : trigger
        ? readString(get(payload, name), field(name))
        : optString(get(payload, name), field(name));
  const summary = read('summary');
  const source = read('source');
  const severityWord = read('severity');

  let dedupKey: string;
  if (givenKey !== undefined && givenKey !== null) dedupKey = readString(givenKey, 'dedup_key');
  else if (trigger) dedupKey = sha256([source ?? '', summary ?? '']);
  else
    return refuse('dedup_key', `Expected the dedup_key of the alert to ${action} (a non-empty string), got nothing.`);

  let severity: Severity = defaultSeverity(options);
  if (severityWord !== undefined && (trigger || severityWord !== '')) {
    const mapped = mapSeverity(severityWord, options, SEVERITIES);
    if (mapped === undefined)
      refuse(
        field('severity'),
        `Expected one of "critical", "error", "warning", "info", got ${JSON.stringify(severityWord.slice(0, 40))}.`,
      );
    severity = mapped;
  }

  return [
    {
      source: 'pagerduty',
      dedupKey,
      correlationKey: dedupKey,
      status: action === 'resolve' ? 'resolved' : 'firing',
      severity,
      category: categoryOf(undefined, options),
      title: pickTitle(
        [
          [summary, field('summary')],
          [`PagerDuty ${action}: ${dedupKey}`, 'dedup_key'],
        ],
        field('summary'),
      ),
      systems: systemNames([source]),
      observedAt:
        (payload && optTime(get(payload, 'timestamp'), field('timestamp'))) ?? options.receivedAt.toISOString(),
      raw: body,
    },
  ];
});
