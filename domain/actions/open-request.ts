import {
  CATEGORIES,
  INCIDENT_ID_PATTERN,
  SEVERITIES,
  type Category,
  type OpenIncidentRequest,
  type Severity,
} from '../incident';
import { POLICY_PROFILE_PATTERN } from '../policy';
import { checkSystemName, MAX_LINE, oneOf, refuse, text, time } from './input-checks';

// Opening an incident: the request from a responder's CLI or from alert ingestion, checked before any
// workflow starts.

function checkIncidentId(value: unknown, field: string): string {
  const id = text(value, field, { max: 64 })!;
  if (!INCIDENT_ID_PATTERN.test(id)) refuse(`${field} "${id}" is not valid: letters, digits, . _ - (at most 64).`);
  return id;
}

export function validateOpenRequest(raw: unknown, now: Date): OpenIncidentRequest {
  if (typeof raw !== 'object' || raw === null) return refuse('An incident needs its details as an object.');
  const r = raw as Record<string, unknown>;
  const incidentId = checkIncidentId(r.incidentId, 'incidentId');
  const systems = r.systems === undefined ? [] : r.systems;
  if (!Array.isArray(systems)) refuse('systems must be a list of system names.');
  const names = (systems as unknown[]).map(checkSystemName);
  if (new Set(names).size !== names.length) refuse('systems lists the same system twice.');
  if (names.length > 500) refuse('At most 500 systems per incident; group them or open several incidents.');
  return {
    incidentId,
    title: text(r.title, 'title', { max: MAX_LINE })!,
    severity: oneOf<Severity>(r.severity, SEVERITIES, 'severity'),
    category: oneOf<Category>(r.category, CATEGORIES, 'category'),
    systems: names,
    detection: text(r.detection, 'detection (how the incident was detected)')!,
    awareAt: time(r.awareAt, 'awareAt (when the organisation became aware)', now),
    summary: text(r.summary, 'summary', { required: false }),
    openedBy: text(r.openedBy, 'openedBy', { max: 200 })!,
    ...(r.previousIncidentId === undefined
      ? {}
      : { previousIncidentId: checkIncidentId(r.previousIncidentId, 'previousIncidentId') }),
    ...(r.policyProfile === undefined ? {} : { policyProfile: checkPolicyProfile(r.policyProfile) }),
  };
}

/** Only a name: the profile itself is the worker's, and one it does not have gets its default policy. */
function checkPolicyProfile(value: unknown): string {
  if (typeof value !== 'string' || !POLICY_PROFILE_PATTERN.test(value)) {
    return refuse(
      `policyProfile ${JSON.stringify(value)?.slice(0, 80)} is not a profile name: lower-case letters, digits and . _ - (at most 64), as under policyProfiles in the worker's configuration.`,
    );
  }
  return value;
}
