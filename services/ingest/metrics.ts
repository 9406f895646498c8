import { Counter, Histogram, Registry } from 'prom-client';

// Prometheus metrics of the ingestion service: counters of alerts received, deduplicated and rejected (by
// reason), and a latency histogram from the POST to Temporal's acceptance. One registry per service, so
// two services in one process (tests) never share series.

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type CounterName =
  'alerts_received_total' | 'alerts_deduplicated_total' | 'alerts_rejected_total' | 'incidents_started_total';
type Labels = Record<string, string>;

const HELP: Record<CounterName, string> = {
  alerts_received_total: 'Alerts received, by source.',
  alerts_deduplicated_total: 'Alerts dropped as repeats of one accepted moments before, by source.',
  alerts_rejected_total: 'Alerts refused, by source and reason.',
  incidents_started_total:
    'Incidents the webhook started itself, by source and by whether Temporal handed their first workflow task straight to this worker (eager) or queued it.',
};

const LABELS: Record<CounterName, string[]> = {
  alerts_received_total: ['source'],
  alerts_deduplicated_total: ['source'],
  alerts_rejected_total: ['reason', 'source'],
  incidents_started_total: ['source', 'start'],
};

export class IngestMetrics {
  readonly registry = new Registry();
  private readonly counters: Record<CounterName, Counter>;
  private readonly acceptLatency: Histogram;

  constructor() {
    const counter = (name: CounterName) =>
      new Counter({
        name: `incident_ingest_${name}`,
        help: HELP[name],
        labelNames: LABELS[name],
        registers: [this.registry],
      });
    this.counters = {
      alerts_received_total: counter('alerts_received_total'),
      alerts_deduplicated_total: counter('alerts_deduplicated_total'),
      alerts_rejected_total: counter('alerts_rejected_total'),
      incidents_started_total: counter('incidents_started_total'),
    };
    this.acceptLatency = new Histogram({
      name: 'incident_ingest_accept_seconds',
      help: 'Time from receiving an alert to Temporal accepting it.',
      buckets: BUCKETS,
      registers: [this.registry],
    });
  }

  count(name: CounterName, labels: Labels, by = 1): void {
    // Label values come from the URL and the sender: cut to a sane length so a bad sender cannot bloat them.
    const clean = Object.fromEntries(
      Object.entries(labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, String(v).slice(0, 64)]),
    );
    this.counters[name].inc(clean, by);
  }

  observeLatency(seconds: number): void {
    this.acceptLatency.observe(seconds);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
