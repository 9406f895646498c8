import type { IsolationDriverConfig } from '../../domain/systems';
import { CommandFailedError, expandTemplate, runCommand } from './command-runner';

// Isolation drivers: how a system is cut off and later given back. `command` runs the configured argument
// vector (a firewall rule, an EDR script, a cloud CLI); `manual` hands the step to a person.

export type IsolationOutcome = { kind: 'done'; detail: string } | { kind: 'manual'; instruction: string };

export interface IsolationDriver {
  isolate(system: string, incidentId: string, signal?: AbortSignal): Promise<IsolationOutcome>;
  release(system: string, incidentId: string, signal?: AbortSignal): Promise<IsolationOutcome>;
}

export function isolationDriver(config: IsolationDriverConfig): IsolationDriver {
  if (config.driver === 'manual') {
    return {
      isolate: async (system, incidentId) => ({
        kind: 'manual',
        instruction: `Isolate ${system} by hand, then record it: incident manual-step ${incidentId} ${system} --step isolation --detail "…"`,
      }),
      release: async (system, incidentId) => ({
        kind: 'manual',
        instruction: `Reconnect ${system} by hand, then record it: incident manual-step ${incidentId} ${system} --step release --detail "…"`,
      }),
    };
  }
  const run = async (
    template: string[],
    system: string,
    incidentId: string,
    signal?: AbortSignal,
  ): Promise<IsolationOutcome> => {
    const argv = expandTemplate(template, { system, incident: incidentId });
    const result = await runCommand(argv, { timeoutMs: config.timeoutSeconds * 1000, signal });
    return {
      kind: 'done',
      detail: `${argv[0]} exited 0${result.stdout ? `: ${result.stdout.split('\n')[0].slice(0, 200)}` : ''}`,
    };
  };
  return {
    isolate: (system, incidentId, signal) => run(config.isolate, system, incidentId, signal),
    release: (system, incidentId, signal) => run(config.release, system, incidentId, signal),
  };
}

export { CommandFailedError };
