import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { generateSigningKey } from '../../action-signer';
import { actorOf, defaultKeyFile, printJson, withExample, type CliContext } from '../command-context';
import { UsageError } from '../problem';

// Who may act: a person makes their own signing key, and an administrator who changed the roster tells
// a running incident to read it again (a running incident keeps the roster it loaded until then).

export function addKeygenCommand(program: Command, ctx: CliContext): void {
  withExample(
    program
      .command('keygen')
      .description('Make your Ed25519 signing key; prints the roster entry an administrator adds to the configuration')
      .option(
        '--out <file>',
        'where to write the private key (default: $INCIDENT_SIGNING_KEY, then ~/.config/incident/signing-key.pem)',
      )
      .option('--force', 'replace an existing key file')
      .option('--json', 'print the roster entry as JSON'),
    'incident keygen --as alice',
  ).action(async (opts: { out?: string; force?: boolean; json?: boolean }, cmd: Command) => {
    const file = opts.out || ctx.env.INCIDENT_SIGNING_KEY || defaultKeyFile(ctx.env);
    const { privateKeyPem, publicKey } = generateSigningKey();
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      await writeFile(file, privateKeyPem, { mode: 0o600, flag: opts.force ? 'w' : 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST')
        throw new UsageError(
          `${file} already exists; keep it, or replace it with --force (the old key then stops working once the roster is updated).`,
        );
      throw new UsageError(
        `Cannot write ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); choose another place with --out.`,
      );
    }
    const actor = actorOf(cmd, ctx.env);
    const entry = { [actor]: { roles: ['responder'], publicKey } };
    if (opts.json) return printJson(ctx, { keyFile: file, actor, publicKey });
    ctx.out.line(`Private key written to ${file} (readable by you only; never share it).`);
    ctx.out.line('Ask an administrator to add you to access.roster in the worker configuration, with your roles:');
    ctx.out.line(JSON.stringify(entry, null, 2));
  });
}

export function addReloadAccessCommand(program: Command, ctx: CliContext): void {
  withExample(
    program
      .command('reload-access')
      .argument('<id>', 'incident id')
      .description("Make a running incident reload the roster and role mapping from the worker's configuration"),
    'incident reload-access INC-1',
  ).action(async (id: string, _opts: unknown, cmd: Command) => {
    await (await ctx.incidents()).reloadAccess(id, actorOf(cmd, ctx.env));
    ctx.out.line(`Incident ${id} reloads its access policy; the audit trail records the new roster.`);
  });
}
