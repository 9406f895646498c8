import type { Command } from 'commander';
import type { UpdateDef } from '../../incident-client';
import { actorOf, printJson, signerOf, withExample, type CliContext } from '../command-context';

// A responder action declared as data: it takes an incident id, acts as the person (signed when a key is
// found) and prints the workflow's answer, so only what differs between actions is written per action.

/** Declares one responder action: its arguments become the update's input, the result is printed. */
export interface ActionSpec<I extends { actor: string }> {
  name: string;
  summary: string;
  example: string;
  args?: string[];
  options?: (cmd: Command) => Command;
  update: UpdateDef<I>;
  input: (args: string[], opts: Record<string, unknown>, actor: string, now: Date) => I | Promise<I>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function addActionSpecs(program: Command, ctx: CliContext, specs: ActionSpec<any>[]): void {
  for (const spec of specs) {
    let cmd = program.command(spec.name).description(spec.summary).argument('<id>', 'incident id');
    for (const arg of spec.args ?? []) cmd = cmd.argument(arg);
    if (spec.options) cmd = spec.options(cmd);
    cmd.option('--json', 'print the result as JSON');
    withExample(cmd, spec.example);
    cmd.action(async (...params: unknown[]) => {
      const command = params[params.length - 1] as Command;
      const opts = params[params.length - 2] as Record<string, unknown>;
      const [id, ...rest] = params.slice(0, -2) as string[];
      const input = await spec.input(rest, opts, actorOf(command, ctx.env), ctx.now());
      const result = await (await ctx.incidents()).act(id, spec.update, input, signerOf(command, ctx.env));
      if (opts.json) return printJson(ctx, result);
      ctx.out.line(result.message);
    });
  }
}
