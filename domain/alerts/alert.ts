import type { Category, Severity } from '../incident';

// One alert from any detection system, normalised. Adapters (one per source) turn a request body into
// these; the ingestion service correlates them into incidents.

export const ALERT_SOURCES = ['alertmanager', 'pagerduty', 'falco', 'guardduty', 'ocsf', 'generic'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

export interface NormalizedAlert {
  source: AlertSource;
  /** Stable identity of this alert at its source: the same alert re-sent or updated has the same key. */
  dedupKey: string;
  /** Alerts with the same correlation key while an incident is open belong to that incident. */
  correlationKey: string;
  status: 'firing' | 'resolved';
  severity: Severity;
  category: Category;
  title: string;
  systems: string[];
  /** When the source observed it (ISO 8601 UTC); the incident's awareness time comes from here. */
  observedAt: string;
  /** The payload as received, kept as evidence in the audit trail. */
  raw: unknown;
}

/** Per-source mapping from the source's own severity words or numbers to ours; configuration. */
export type SeverityMapping = Record<string, Severity>;

export interface AdapterOptions {
  severityMap?: SeverityMapping;
  defaultSeverity?: Severity;
  defaultCategory?: Category;
  /** Receive time, for sources whose payload has no usable time of its own. */
  receivedAt: Date;
}

export type AdapterResult = { ok: true; alerts: NormalizedAlert[] } | { ok: false; field: string; message: string };

export type Adapter = (body: unknown, options: AdapterOptions) => AdapterResult;
