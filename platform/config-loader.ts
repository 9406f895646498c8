import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, parseConfig, type Config } from '../domain/config';

// Reads the configuration once at start-up: INCIDENT_CONFIG (or ./incident.config.json when present),
// merged with environment variables. Secrets may come from *_FILE variables so they stay out of the
// environment of child processes and out of shell history.

const SECRET_FILES: Record<string, string> = {
  SMTP_PASSWORD_FILE: 'SMTP_PASSWORD',
  SMTP_URL_FILE: 'SMTP_URL',
  TEMPORAL_API_KEY_FILE: 'TEMPORAL_API_KEY',
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const explicit = env.INCIDENT_CONFIG;
  const file = explicit ? path.resolve(cwd, explicit) : path.join(cwd, 'incident.config.json');
  let content: unknown = {};
  let source = 'defaults and environment';
  if (explicit || existsSync(file)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError([`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`], file);
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
      throw new ConfigError([`${fileVar}: cannot read ${secretPath} (${(err as NodeJS.ErrnoException).code ?? 'error'})`], source);
    }
  }
  const config = parseConfig(content, effectiveEnv, source);
  return { ...config, dataDir: path.resolve(cwd, config.dataDir) };
}
