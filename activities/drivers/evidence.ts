import type { EvidenceDriverConfig } from '../../domain/systems';
import type { CopyHooks, EvidenceCopier, StoredEvidence } from '../../stores/evidence-record';
import { expandTemplate, runCommand } from './command-runner';

// Evidence drivers: where the byte-for-byte copy of a system comes from. `local` reads a file, directory
// or block device visible to the worker; `command` stores whatever the command writes to its standard
// output (`ssh host dd if=/dev/sda`, a cloud snapshot export); `manual` hands the step to a person.

export type EvidenceOutcome = { kind: 'done'; stored: StoredEvidence } | { kind: 'manual'; instruction: string };

export interface EvidenceDriver {
  snapshot(target: { incidentId: string; system: string; dir: string }, hooks: CopyHooks): Promise<EvidenceOutcome>;
}

export function evidenceDriver(config: EvidenceDriverConfig, store: EvidenceCopier): EvidenceDriver {
  switch (config.driver) {
    case 'manual':
      return {
        snapshot: async ({ incidentId, system }) => ({
          kind: 'manual',
          instruction: `Take a byte-for-byte copy of ${system} by hand, then record where it is and its SHA-256: incident manual-step ${incidentId} ${system} --step evidence --detail "…"`,
        }),
      };
    case 'local':
      return {
        snapshot: async ({ incidentId, system, dir }, hooks) => {
          const source = expandTemplate([config.path], { system, incident: incidentId })[0];
          return { kind: 'done', stored: await store.copyFromPath(dir, source, hooks) };
        },
      };
    case 'command':
      return {
        snapshot: async ({ incidentId, system, dir }, hooks) => {
          const argv = expandTemplate(config.snapshot, { system, incident: incidentId });
          const stored = await store.copyFromStream(dir, argv.join(' '), (sink) =>
            runCommand(argv, {
              timeoutMs: config.timeoutSeconds * 1000,
              stdout: sink as never,
              signal: hooks.signal,
            }).then(() => undefined),
          );
          return { kind: 'done', stored };
        },
      };
  }
}
