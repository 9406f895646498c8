import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './merge';

// Where the configuration comes from: INCIDENT_CONFIG (or ./incident.config.json when present) and the
// environment, with secrets read from *_FILE variables so they stay out of the environment of child
// processes and out of shell history. Validation is loader.ts's job.

const SECRET_FILES: Record<string, string> = {
  SMTP_PASSWORD_FILE: 'SMTP_PASSWORD',
  SMTP_URL_FILE: 'SMTP_URL',
  TEMPORAL_API_KEY_FILE: 'TEMPORAL_API_KEY',
};

export interface ConfigSources {
  /** The parsed file, or {} when there is none. */
  content: unknown;
  /** The environment with the *_FILE secrets read in. */
  env: Record<string, string | undefined>;
  /** What to name in an error: the file, or "defaults and environment". */
  source: string;
}

export function readConfigSources(env: NodeJS.ProcessEnv, cwd: string): ConfigSources {
  const explicit = env.INCIDENT_CONFIG;
  const file = explicit ? path.resolve(cwd, explicit) : path.join(cwd, 'incident.config.json');
  let content: unknown = {};
  let source = 'defaults and environment';
  if (explicit || existsSync(file)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(
        [`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`],
        file,
      );
    }
    try {
      content = JSON.parse(text);
    } catch (err) {
      throw new ConfigError([`${file} is not valid JSON: ${(err as Error).message}`], file);
    }
    source = file;
  }
  const effectiveEnv: Record<string, string | undefined> = { ...env };
  for (const [fileVar, target] of Object.entries(SECRET_FILES)) {
    const secretPath = env[fileVar];
    if (!secretPath) continue;
    try {
      effectiveEnv[target] = readFileSync(secretPath, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(
        [`${fileVar}: cannot read ${secretPath} (${(err as NodeJS.ErrnoException).code ?? 'error'})`],
        source,
      );
    }
  }
  return { content, env: effectiveEnv, source };
}
