import { Command } from 'commander';
import { addActionCommands } from './commands/actions';
import { addAuditCommand } from './commands/audit';
import { addBoardLinkCommand } from './commands/board-link';
import { addBundleCommands } from './commands/bundle';
import { addClockActionCommands } from './commands/clock-actions';
import { addClocksCommand } from './commands/clocks';
import { addEvidenceCommands, addReportCommand } from './commands/files';
import { addKeygenCommand, addReloadAccessCommand } from './commands/keys';
import { addOpenCommand } from './commands/open';
import { addListCommand, addShowCommand, addWatchCommand } from './commands/read';
import { addStorageCommands } from './commands/storage';
import { withExample, type CliContext } from './command-context';
import { completionScript } from './completion';
import { EXIT, exitCodeOf } from './exit-codes';

// The `incident` command: every responder action of the workflow, plus reading, reporting and auditing.
// Each group of commands is wired in commands/, what they print is in render.ts, and what the exit
// codes mean is decided in exit-codes.ts. This file assembles them and runs the command line.

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('incident')
    .description(
      'Run security incidents: open, act, read, report and audit. Every action is written to the audit trail with your name.',
    )
    .option('--as <name>', 'who is acting (default: $INCIDENT_ACTOR, then your login name)')
    .option(
      '--key <file>',
      'your Ed25519 signing key (default: $INCIDENT_SIGNING_KEY, then ~/.config/incident/signing-key.pem)',
    )
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) })
    .exitOverride();
  program.addHelpText(
    'after',
    `
From open to closed:
  incident open --title "Web shell on web-01" --severity SEV1 --category intrusion --system web-01 --detection "EDR alert" --aware "2h ago"
  incident ack INC-…                 incident show INC-…
  incident assess INC-… --impact personal --customer "ACME <security@acme.example>"
  incident approve-notice INC-…      incident file-regulator INC-… --reference CNIL-123
  incident contact INC-… --kind law-enforcement --org "Gendarmerie C3N" --shared "IOCs"
  incident conclude INC-… --root-cause "…" --action "Patch the plugin::web team"
  incident restore INC-…             incident close INC-…

What-if, without an incident: incident clocks --regime nis2 --at awareness=2026-03-02T10:00Z (incident clocks --list)

Exit codes: 0 done, 1 refused (the reason is printed), 2 usage error, 3 Temporal unreachable, 4 unexpected error.`,
  );

  // The order here is the order of `incident --help` and of shell completion.
  addOpenCommand(program, ctx);
  addListCommand(program, ctx);
  addShowCommand(program, ctx);
  addActionCommands(program, ctx);
  addClockActionCommands(program, ctx);
  addReportCommand(program, ctx);
  addAuditCommand(program, ctx);
  addEvidenceCommands(program, ctx);
  addBundleCommands(program, ctx);
  addClocksCommand(program, ctx);
  addWatchCommand(program, ctx);
  addBoardLinkCommand(program, ctx);
  addKeygenCommand(program, ctx);
  addReloadAccessCommand(program, ctx);
  addStorageCommands(program, ctx);

  // Completion is generated from the whole command tree, so it is wired where the tree is assembled.
  withExample(
    program
      .command('completion')
      .description('Print a shell completion script')
      .addArgument(new Command().createArgument('<shell>', 'bash or zsh').choices(['bash', 'zsh'])),
    'incident completion bash >> ~/.bashrc',
  ).action((shell: 'bash' | 'zsh') => {
    ctx.out.line(completionScript(shell, program));
  });

  return program;
}

/** Runs the CLI and returns the exit code. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    // A command whose printed answer is a refusal (audit --verify, evidence export --json) sets the code itself.
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    return exitCodeOf(err, ctx);
  }
}
