import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { readTrailAt } from '../trail-reader';
import type { AuditEntry } from '../../domain/audit-entry';
import type { Config } from '../../platform/config/schema';
import { signerFromFile, SigningKeyError, type ActionSigner } from '../action-signer';
import type { IncidentClient } from '../incident-client';
import type { IncidentListRow } from '../incident-list';
import type { Output } from './output';
import type { Prompter } from './prompt';

// What every command is given, and what several of them share: who is acting, with which key, and the
// audit trail on this machine. Configuration and Temporal are reached through functions so that
// process-context.ts reads and connects only when a command calls them; --help never pays for either.

export interface CliContext {
  config(): Config;
  incidents(): Promise<IncidentClient>;
  list(filter: { all?: boolean; severity?: string; phase?: string; impact?: string }): Promise<IncidentListRow[]>;
  out: Output;
  prompter?: Prompter;
  now(): Date;
  env: NodeJS.ProcessEnv;
}

export function actorOf(cmd: Command, env: NodeJS.ProcessEnv): string {
  const explicit = cmd.optsWithGlobals().as as string | undefined;
  if (explicit) return explicit;
  if (env.INCIDENT_ACTOR) return env.INCIDENT_ACTOR;
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

export function defaultKeyFile(env: NodeJS.ProcessEnv): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'incident', 'signing-key.pem');
}

/** --key, then $INCIDENT_SIGNING_KEY, then the file `incident keygen` writes by default, if it exists. */
export function signerOf(cmd: Command, env: NodeJS.ProcessEnv): ActionSigner | undefined {
  const explicit = (cmd.optsWithGlobals().key as string | undefined) || env.INCIDENT_SIGNING_KEY;
  if (explicit) return signerFromFile(explicit);
  const fallback = defaultKeyFile(env);
  try {
    return signerFromFile(fallback);
  } catch (err) {
    if (err instanceof SigningKeyError && err.message.includes('(ENOENT)')) return undefined;
    throw err;
  }
}

/** The audit trail under this machine's data dir; unavailable (not an error) where the worker's data dir is not. */
export function readAudit(
  ctx: CliContext,
  incidentId: string,
): Promise<{ entries: AuditEntry[]; file: string; available: boolean }> {
  return readTrailAt(ctx.config(), incidentId);
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.out.line(JSON.stringify(value, null, 2));
}

export function withExample(cmd: Command, example: string): Command {
  return cmd.addHelpText('after', `\nExample:\n  ${example}\n`);
}
