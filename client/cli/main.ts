import { startListPrefetch } from './list-prefetch';

// The `incident` executable. For `incident list` the first request leaves before the rest of the CLI is
// loaded (list-prefetch.ts); everything else is loaded only when a command needs it (process-context.ts).

// With TLS to an IP address and no TEMPORAL_TLS_SERVER_NAME, Node warns (DEP0123) on every command that
// the address is passed as the TLS server name. The certificate is still checked against that address,
// so the warning tells a person nothing; it is the only one dropped.
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
process.emitWarning = ((...args: unknown[]) => {
  const code = typeof args[1] === 'object' ? (args[1] as { code?: string } | null)?.code : args[2];
  if (code !== 'DEP0123') emitWarning(...args);
}) as typeof process.emitWarning;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const prefetch = startListPrefetch(argv, process.env, process.cwd());
  await prefetch?.sent;
  await (require('./process-context') as typeof import('./process-context')).runInThisProcess(argv, prefetch);
}

void main();
