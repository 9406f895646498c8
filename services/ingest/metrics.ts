// Prometheus metrics of the ingestion service in the text exposition format: counters of alerts received,
// deduplicated and rejected (by reason), and a latency histogram from the POST to Temporal's acceptance.

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type Labels = Record<string, string>;

const key = (labels: Labels) =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
    .join(',');

export class IngestMetrics {
  private readonly counters = new Map<string, Map<string, number>>();
  private readonly histogram = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };

  count(
    name: 'alerts_received_total' | 'alerts_deduplicated_total' | 'alerts_rejected_total',
    labels: Labels,
    by = 1,
  ): void {
    const series = this.counters.get(name) ?? new Map<string, number>();
    this.counters.set(name, series);
    const k = key(labels);
    series.set(k, (series.get(k) ?? 0) + by);
  }

  observeLatency(seconds: number): void {
    this.histogram.sum += seconds;
    this.histogram.count++;
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) this.histogram.buckets[i]++;
    });
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, series] of this.counters) {
      lines.push(`# TYPE incident_ingest_${name} counter`);
      for (const [labels, value] of series) lines.push(`incident_ingest_${name}{${labels}} ${value}`);
    }
    lines.push('# HELP incident_ingest_accept_seconds Time from receiving an alert to Temporal accepting it.');
    lines.push('# TYPE incident_ingest_accept_seconds histogram');
    BUCKETS.forEach((b, i) =>
      lines.push(`incident_ingest_accept_seconds_bucket{le="${b}"} ${this.histogram.buckets[i]}`),
    );
    lines.push(`incident_ingest_accept_seconds_bucket{le="+Inf"} ${this.histogram.count}`);
    lines.push(`incident_ingest_accept_seconds_sum ${this.histogram.sum}`);
    lines.push(`incident_ingest_accept_seconds_count ${this.histogram.count}`);
    return `${lines.join('\n')}\n`;
  }
}
