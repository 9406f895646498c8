import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

// The SDK logs every bundle statistic and worker state change at INFO; an operator's terminal gets WARN
// and above unless INCIDENT_LOG_LEVEL asks for more. Must run before any worker or connection is made.
// With a metrics address, the SDK serves its own metrics (task slots, schedule-to-start latencies, cache,
// sticky hits) and the incidents' (workflows/incident/incident-metrics.ts) in Prometheus' format there.

const LEVELS: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/** Seconds: a senior alert is expected within a second or two; a storm shows in the upper buckets. */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 5, 10, 30, 60, 300];

export interface RuntimeSettings {
  /** host:port for the Prometheus endpoint; unset: none. */
  metricsAddress?: string;
}

export function installRuntime(settings: RuntimeSettings = {}, env: NodeJS.ProcessEnv = process.env): void {
  const wanted = (env.INCIDENT_LOG_LEVEL ?? 'WARN').toUpperCase() as LogLevel;
  const level = LEVELS.includes(wanted) ? wanted : 'WARN';
  Runtime.install({
    logger: new DefaultLogger(level),
    ...(settings.metricsAddress
      ? {
          telemetryOptions: {
            metrics: {
              prometheus: {
                bindAddress: settings.metricsAddress,
                countersTotalSuffix: true,
                unitSuffix: false,
                useSecondsForDurations: true,
                histogramBucketOverrides: {
                  incident_senior_alert_seconds: LATENCY_BUCKETS,
                  incident_reminder_delay_seconds: LATENCY_BUCKETS,
                },
              },
            },
          },
        }
      : {}),
  });
}
