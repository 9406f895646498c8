import { CATEGORIES, SEVERITIES } from '../incident';
import type { Adapter, AdapterOptions, NormalizedAlert } from './alert';
import {
  absent,
  adapter,
  at,
  categoryOf,
  describe,
  get,
  isObject,
  MAX_TITLE,
  oneOf,
  optArray,
  optObject,
  pickTitle,
  readArray,
  readObject,
  readString,
  readTime,
  refuse,
  systemNames,
} from './field-readers';

// The project's own alert format, for detection systems without an adapter of their own.

const ALERT_PROPERTIES = {
  id: {
    type: 'string',
    minLength: 1,
    pattern: '\\S',
    description:
      'Stable identity of the alert at its source; the same alert re-sent or updated has the same id (the dedup key).',
  },
  correlationKey: {
    type: 'string',
    minLength: 1,
    pattern: '\\S',
    description: 'Alerts with the same key while an incident is open join that incident. Defaults to id.',
  },
  status: { enum: ['firing', 'resolved'], default: 'firing' },
  severity: { enum: [...SEVERITIES] },
  category: {
    enum: [...CATEGORIES],
    description: 'Defaults to the configured category for this source (intrusion when none is configured).',
  },
  title: {
    type: 'string',
    minLength: 1,
    pattern: '\\S',
    description: `One line; control characters are removed and it is cut at ${MAX_TITLE} characters.`,
  },
  systems: {
    type: 'array',
    items: { type: 'string' },
    description:
      'Affected systems. Names that are not valid system names (letters, digits and . _ : -, at most 128, starting with a letter or digit) are dropped.',
  },
  observedAt: {
    type: 'string',
    format: 'date-time',
    pattern: '^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}(:\\d{2}([.,]\\d+)?)?([Zz]|[+-]\\d{2}(:?\\d{2})?)$',
    description:
      'When the source observed it: ISO 8601 with a zone, such as 2026-03-01T02:10:00Z or 2026-03-01T03:10:00.5+01:00.',
  },
  details: { type: 'object', description: 'Anything else; kept with the alert as evidence.' },
  alerts: false,
} as const;

/** JSON Schema (draft 2020-12) of the generic format: one alert, or { alerts: [alert, ...] }. */
export const genericAlertJsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Generic alert',
  description:
    'One alert, or a batch { "alerts": [...] }. Properties not listed here are accepted and kept as evidence.',
  oneOf: [{ $ref: '#/$defs/alert' }, { $ref: '#/$defs/batch' }],
  $defs: {
    alert: {
      type: 'object',
      required: ['id', 'severity', 'title', 'observedAt'],
      properties: ALERT_PROPERTIES,
    },
    batch: {
      type: 'object',
      required: ['alerts'],
      properties: { alerts: { type: 'array', items: { $ref: '#/$defs/alert' } } },
    },
  },
} as const;

function genericAlert(item: unknown, path: string, options: AdapterOptions): NormalizedAlert {
  const alert = readObject(item, path);
  const field = (key: string) => at(path, key);
  const id = readString(get(alert, 'id'), field('id'));
  const correlationKey = absent(get(alert, 'correlationKey'))
    ? id
    : readString(get(alert, 'correlationKey'), field('correlationKey'));
  const status = absent(get(alert, 'status'))
    ? 'firing'
    : oneOf(get(alert, 'status'), ['firing', 'resolved'] as const, field('status'));
  const severity = oneOf(get(alert, 'severity'), SEVERITIES, field('severity'));
  const category = absent(get(alert, 'category'))
    ? categoryOf(undefined, options)
    : oneOf(get(alert, 'category'), CATEGORIES, field('category'));
  const title = pickTitle([[readString(get(alert, 'title'), field('title')), field('title')]], field('title'));
  const systems = (optArray(get(alert, 'systems'), field('systems')) ?? []).map((name, i) => {
    if (typeof name !== 'string')
      refuse(at(field('systems'), i), `Expected a system name (a string), got ${describe(name)}.`);
    return name;
  });
  const observedAt = readTime(get(alert, 'observedAt'), field('observedAt'));
  optObject(get(alert, 'details'), field('details'));
  return {
    source: 'generic',
    dedupKey: id,
    correlationKey,
    status,
    severity,
    category,
    title,
    systems: systemNames(systems),
    observedAt,
    raw: item,
  };
}

export const genericAdapter: Adapter = adapter((body, options) => {
  if (isObject(body) && Object.hasOwn(body, 'alerts')) {
    return readArray(body.alerts, 'alerts').map((item, i) => genericAlert(item, at('alerts', i), options));
  }
  return [genericAlert(body, '', options)];
});
