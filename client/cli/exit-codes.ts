import { CommanderError } from 'commander';
import { ActionRefused } from '../../domain/actions';
import { ClockInputError } from '../../domain/clocks/input-error';
import { ConfigError } from '../../platform/config/schema';
import { isTemporalUnavailable, TemporalUnreachableError } from '../../platform/temporal-errors';
import { SchemaError } from '../../stores/postgres/migrations';
import { StorageConfigError } from '../../stores/postgres/pg-pool';
import { temporalAddress } from '../../platform/temporal-target';
import { SigningKeyError } from '../action-signer';
import { IncidentNotFound, IncidentRecovering } from '../incident-errors';
import type { CliContext } from './command-context';
import { CliProblem, UsageError } from './problem';

// The `incident` command's exit codes, decided in this one place because scripts act on them (README,
// "The `incident` CLI"): 0 done; 1 refused, by the workflow or by the data on disk, its reason printed
// as it is; 2 usage, the person's command line or settings; 3 Temporal unreachable; 4 anything else,
// which is a bug to report rather than something the person can fix.

export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3, unexpected: 4 } as const;

/** Prints why a command failed and returns its exit code; a person's mistake never shows a stack trace. */
export function exitCodeOf(err: unknown, ctx: Pick<CliContext, 'out' | 'env' | 'config'>): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
      return EXIT.ok;
    return EXIT.usage; // commander already printed the message
  }
  if (
    err instanceof UsageError ||
    err instanceof ClockInputError ||
    err instanceof ConfigError ||
    err instanceof SigningKeyError ||
    err instanceof StorageConfigError ||
    (err instanceof CliProblem && err.kind === 'usage')
  ) {
    ctx.out.error(`incident: ${err.message}`);
    return EXIT.usage;
  }
  // A database that cannot be reached or prepared (its message says where and why) refuses the command.
  if (
    err instanceof ActionRefused ||
    err instanceof IncidentNotFound ||
    err instanceof CliProblem ||
    err instanceof SchemaError
  ) {
    ctx.out.error(err.message);
    return EXIT.refused;
  }
  // "Try again shortly": the same code as a Temporal that cannot be reached.
  if (err instanceof TemporalUnreachableError || err instanceof IncidentRecovering) {
    ctx.out.error(err.message);
    return EXIT.unreachable;
  }
  if (isTemporalUnavailable(err)) {
    const t = ctx.config().temporal;
    ctx.out.error(new TemporalUnreachableError(temporalAddress(t), err).message);
    return EXIT.unreachable;
  }
  ctx.out.error(`incident: unexpected error: ${(err as Error)?.message ?? err}`);
  if (ctx.env.INCIDENT_DEBUG) ctx.out.error((err as Error)?.stack ?? '');
  return EXIT.unexpected;
}
