import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';

// Runs an argument-vector template without a shell: a placeholder is replaced inside one argument and can
// never become a second argument or a shell construct, whatever a system name or incident id contains.

export type TemplateVars = Record<string, string>;

export function expandTemplate(argv: string[], vars: TemplateVars): string[] {
  return argv.map((arg) => arg.replace(/\{([a-z]+)\}/g, (whole, name: string) => (name in vars ? vars[name] : whole)));
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const KEEP = 16 * 1024;

export class CommandFailedError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'CommandFailedError';
  }
}

export async function runCommand(
  argv: string[],
  opts: { timeoutMs: number; stdout?: Writable; signal?: AbortSignal; onOutput?: (bytes: number) => void },
): Promise<CommandResult> {
  const [program, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: opts.signal,
      timeout: opts.timeoutMs,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      opts.onOutput?.(bytes);
      if (opts.stdout) {
        if (!opts.stdout.write(chunk)) {
          child.stdout.pause();
          opts.stdout.once('drain', () => child.stdout.resume());
        }
      } else if (stdout.length < KEEP) stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < KEEP) stderr += chunk.toString('utf8');
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT')
        reject(
          new CommandFailedError(
            `Program "${program}" was not found on the worker; install it or fix the driver configuration.`,
            true,
          ),
        );
      else if (err.code === 'EACCES')
        reject(new CommandFailedError(`Program "${program}" is not executable on the worker.`, true));
      else reject(new CommandFailedError(`Could not run "${program}": ${err.message}`, false));
    });
    child.on('close', (code, signal) => {
      if (signal)
        return reject(
          new CommandFailedError(
            `"${program}" was stopped by ${signal} (timeout ${Math.round(opts.timeoutMs / 1000)} s?)`,
            false,
          ),
        );
      if (code !== 0) {
        const tail = stderr.trim().split('\n').slice(-3).join(' / ').slice(0, 500);
        return reject(new CommandFailedError(`"${program}" exited with code ${code}${tail ? `: ${tail}` : ''}`, false));
      }
      resolve({ exitCode: 0, stdout: stdout.trim(), stderr: stderr.trim() });
    });
  });
}
