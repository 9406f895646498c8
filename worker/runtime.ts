import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

// The SDK logs every bundle statistic and worker state change at INFO; an operator's terminal gets WARN
// and above unless INCIDENT_LOG_LEVEL asks for more. Must run before any worker or connection is made.

const LEVELS: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

export function installRuntime(env: NodeJS.ProcessEnv = process.env): void {
  const wanted = (env.INCIDENT_LOG_LEVEL ?? 'WARN').toUpperCase() as LogLevel;
  const level = LEVELS.includes(wanted) ? wanted : 'WARN';
  Runtime.install({ logger: new DefaultLogger(level) });
}
