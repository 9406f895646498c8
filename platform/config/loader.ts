import path from 'node:path';
import { parseConfig, type Config } from './schema';
import { readConfigSources } from './sources';

// Reads and validates the configuration once at start-up (see config-sources.ts for where it comes from).

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const { content, env: effectiveEnv, source } = readConfigSources(env, cwd);
  const config = parseConfig(content, effectiveEnv, source);
  return { ...config, dataDir: path.resolve(cwd, config.dataDir) };
}
