import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

// What the machine itself does on the same work, measured in the same run as the code under test:
// coreutils' sha256sum over the trail's bytes (the least any chain check must do: read and hash every
// byte once) and OpenSSL's own Ed25519 verifications per second (the least one signature check costs).

const run = promisify(execFile);

/** Milliseconds for `sha256sum FILE`, process start included (a few ms, small beside tens of MiB). */
export async function sha256sumMs(file: string): Promise<number> {
  const start = performance.now();
  const { stdout } = await run('sha256sum', [file]);
  const ms = performance.now() - start;
  if (!/^[0-9a-f]{64}\s/.test(stdout)) throw new Error(`sha256sum printed no hash: ${stdout.slice(0, 200)}`);
  return ms;
}

/**
 * Ed25519 verifications per second by `openssl speed -seconds 1 ed25519`, on one core or, with
 * `processes` > 1, on that many at once (`-multi`). Its last line reads
 * " 253 bits EdDSA (Ed25519)   0.0000s   0.0001s  20858.1   7879.2": sign/s, then verify/s.
 */
export async function opensslEd25519VerifiesPerSecond(processes = 1): Promise<number> {
  const args = ['speed', ...(processes > 1 ? ['-multi', String(processes)] : []), '-seconds', '1', 'ed25519'];
  const { stdout } = await run('openssl', args);
  const line = stdout.split('\n').find((l) => /Ed25519\)/.test(l) && /\d+\.\d+\s+\d+\.\d+\s*$/.test(l));
  const verify = Number(line?.trim().split(/\s+/).pop());
  if (!line || !Number.isFinite(verify) || verify <= 0)
    throw new Error(`could not read verify/s from openssl speed ${args.join(' ')}:\n${stdout.slice(-500)}`);
  return verify;
}
