import type { Severity } from '../incident';
import type { Adapter } from './alert';
import {
  adapter,
  at,
  categoryOf,
  describe,
  get,
  isSystemName,
  mapSeverity,
  oneOf,
  optArray,
  optString,
  pickTitle,
  readObject,
  readString,
  refuse,
  systemNames,
} from './field-readers';

// OCSF Detection Finding (class_uid 2004): one finding per request, created, updated and closed under the
// same finding_info.uid.

const ACTIVITIES = [0, 1, 2, 3, 99]; // Unknown, Create, Update, Close, Other
const SEVERITY_IDS = [0, 1, 2, 3, 4, 5, 6, 99]; // Unknown, Informational, Low, Medium, High, Critical, Fatal, Other
const SEVERITIES: Record<string, Severity> = { '6': 'SEV1', '5': 'SEV1', '4': 'SEV2', '3': 'SEV3' };
/** Epoch milliseconds below this (March 1973) are taken to be seconds sent by mistake. */
const MIN_MILLIS = 1e11;

export const ocsfAdapter: Adapter = adapter((body, options) => {
  const finding = readObject(body, '');
  oneOf(get(finding, 'class_uid'), [2004], 'class_uid');
  const activity = oneOf(get(finding, 'activity_id'), ACTIVITIES, 'activity_id');
  const severityId = oneOf(get(finding, 'severity_id'), SEVERITY_IDS, 'severity_id');
  const severity = mapSeverity(String(severityId), options, SEVERITIES) ?? 'SEV4';

  const time = get(finding, 'time');
  if (typeof time !== 'number' || !Number.isFinite(time) || Number.isNaN(new Date(time).getTime())) {
    refuse('time', `Expected the time in epoch milliseconds (a number such as 1772330400000), got ${describe(time)}.`);
  }
  if (time < MIN_MILLIS)
    refuse(
      'time',
      `Expected the time in epoch milliseconds; ${time} would be before 1973 (seconds instead of milliseconds?).`,
    );

  const info = readObject(get(finding, 'finding_info'), 'finding_info');
  const uid = readString(get(info, 'uid'), 'finding_info.uid');
  const title = pickTitle(
    [
      [get(info, 'title'), 'finding_info.title'],
      [get(finding, 'message'), 'message'],
      [get(info, 'desc'), 'finding_info.desc'],
    ],
    'finding_info.title',
  );

  // Each resource gives its name, or its uid when the name is missing or not a valid system name.
  const systems = (optArray(get(finding, 'resources'), 'resources') ?? []).map((item, i) => {
    const resource = readObject(item, at('resources', i));
    const name = optString(get(resource, 'name'), at(at('resources', i), 'name'));
    const resourceUid = optString(get(resource, 'uid'), at(at('resources', i), 'uid'));
    return [name, resourceUid].find((n) => n !== undefined && isSystemName(n.trim()));
  });

  return [
    {
      source: 'ocsf',
      dedupKey: uid,
      correlationKey: uid,
      status: activity === 3 ? 'resolved' : 'firing',
      severity,
      category: categoryOf(undefined, options),
      title,
      systems: systemNames(systems),
      observedAt: new Date(Math.trunc(time)).toISOString(),
      raw: body,
    },
  ];
});
