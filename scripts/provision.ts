import path from 'node:path';
import { resolveTemporalCli, resolveTestServer, TEMPORAL_CLI_MODULE, TEST_SERVER_ARTIFACT } from '../platform/binaries';
import { resolveVersitygw, VERSITYGW_MODULE } from '../platform/versitygw-binary';

// `npm run provision`: builds ahead of time the two Temporal binaries that `npm start` and `npm test`
// would otherwise build on first use, and the S3 server the tests run, into the same `.cache/`, so a machine can be prepared once (or
// before going offline) and a missing Go, Java or Maven is reported here rather than in the middle of a run.

const PROJECT_DIR = path.resolve(__dirname, '..', '..');
const CACHE_DIR = path.join(PROJECT_DIR, '.cache');

const log = (line: string) => console.log(line);

interface Binary {
  name: string;
  source: string;
  resolve: () => Promise<string | undefined>;
}

const BINARIES: Binary[] = [
  {
    name: 'Temporal CLI',
    source: TEMPORAL_CLI_MODULE,
    resolve: () => resolveTemporalCli({ cacheDir: CACHE_DIR, log, allowSdkDownload: false }),
  },
  {
    name: 'Time-skipping test server',
    source: `${TEST_SERVER_ARTIFACT.group}:${TEST_SERVER_ARTIFACT.artifact}:${TEST_SERVER_ARTIFACT.version}`,
    resolve: () => resolveTestServer({ cacheDir: CACHE_DIR, log, allowSdkDownload: false }),
  },
  {
    name: 'S3 server for the tests (Versity S3 Gateway)',
    source: VERSITYGW_MODULE,
    resolve: () => resolveVersitygw({ cacheDir: CACHE_DIR, log }),
  },
];

async function main(): Promise<number> {
  log(`Provisioning the Temporal binaries and the S3 server into ${CACHE_DIR}`);
  const found: [string, string][] = [];
  const failed: [string, string][] = [];
  // One after the other, so that each build's progress lines read as one block.
  for (const binary of BINARIES) {
    log(`${binary.name} (${binary.source}): looking for it, building it if needed…`);
    try {
      const file = await binary.resolve();
      // Only undefined when the SDK download is allowed, which it is not here; kept as a guard.
      if (!file) throw new Error('not found, and not built');
      log(`${binary.name}: ready.`);
      found.push([binary.name, file]);
    } catch (err) {
      log(`${binary.name}: failed.`);
      failed.push([binary.name, (err as Error).message]);
    }
  }
  for (const [name, file] of found) log(`${name}: ${file}`);
  for (const [name, message] of failed) console.error(`provision: ${name}: ${message}`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`provision: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
