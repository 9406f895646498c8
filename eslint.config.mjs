// Lint rules, and the layer boundaries of the README's layout: each layer may import only the layers
// listed for it below, so an import arrow running the wrong way fails `npm run lint`.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
const LAYERS = 'domain workflows activities stores platform client services worker apps scripts bench test'.split(' ');
const TOOLS = LAYERS.filter((layer) => layer !== 'apps');

// What each layer may import besides itself and packages; test/ is exempt. `typeOnly` layers may be
// imported with `import type` only: that import is erased, so none of their code is loaded.
const MAY_IMPORT = {
  // Pure rules and types, so that every other layer can build on them.
  domain: { layers: [] },
  // Deterministic code run in the workflow sandbox: activity code must stay out of its bundle.
  workflows: { layers: ['domain'], typeOnly: ['activities'] },
  // Acting: it neither decides (workflows) nor calls Temporal as a client.
  activities: { layers: ['domain', 'stores', 'platform'] },
  // What the system keeps (trail, evidence vault): read by the CLI too, so it may not depend on activities.
  stores: { layers: ['domain', 'platform'] },
  // How a deployment connects: it knows nothing of what runs over the connection.
  platform: { layers: ['domain'] },
  // Clients and the services built on them see the workflow only through its public surface.
  client: { layers: ['domain', 'stores', 'platform', 'workflows/incident-api.ts'] },
  services: { layers: ['domain', 'platform', 'client', 'workflows/incident-api.ts'] },
  // The worker assembles activities and the workflow bundle (found by path), and serves no clients.
  worker: {
    layers: ['domain', 'stores', 'platform', 'activities', 'workflows/incident-api.ts'],
    typeOnly: ['workflows'],
  },
  // Entry points compose everything; nothing imports them.
  apps: { layers: ['domain', 'workflows', 'activities', 'stores', 'platform', 'client', 'services', 'worker'] },
  // Tools may use any layer but the entry points.
  scripts: { layers: TOOLS },
  bench: { layers: TOOLS },
};

function describe(layer, { layers, typeOnly = [] }) {
  const names = (list) => list.map((l) => (l.endsWith('.ts') ? l : `${l}/`)).join(', ');
  const denied = LAYERS.filter((l) => l !== layer && !layers.includes(l));
  const types = typeOnly.length ? `, and ${names(typeOnly)} with \`import type\` only` : '';
  const rule = denied.length === 1 ? `any layer but ${denied[0]}/` : `only ${names([layer, ...layers])}${types}`;
  return `${layer}/ may import ${rule} (and packages); the layers are listed in eslint.config.mjs.`;
}

// One import-x/no-restricted-paths zone per layer and folder it may not import; a file named in
// `layers` (workflows/incident-api.ts) is the one exception within its folder.
function zones({ typeOnlyLayers }) {
  return Object.entries(MAY_IMPORT).flatMap(([layer, may]) =>
    LAYERS.filter((from) => from !== layer && !may.layers.includes(from))
      .filter((from) => (may.typeOnly ?? []).includes(from) === typeOnlyLayers)
      .map((from) => ({
        target: `./${layer}`,
        from: `./${from}`,
        except: may.layers.filter((l) => l.startsWith(`${from}/`)).map((l) => l.slice(from.length + 1)),
        message: describe(layer, may),
      })),
  );
}

// import-x/no-restricted-paths, blind to `import type` and `export type` (erased at compile time).
const restrictedPaths = importX.rules['no-restricted-paths'];
const valueImports = {
  ...restrictedPaths,
  create(context) {
    const isTypeOnly = (node) => node.importKind === 'type' || node.exportKind === 'type';
    return Object.fromEntries(
      Object.entries(restrictedPaths.create(context)).map(([type, visit]) => [
        type,
        (node) => isTypeOnly(node) || visit(node),
      ]),
    );
  },
};

const builtins = (names) => `^(node:)?(${names.join('|')})(/|$)`;
const IO_BUILTINS = ['fs', 'net', 'http', 'https', 'http2', 'child_process', 'os', 'tls', 'dgram', 'dns'];

export default defineConfig([
  { ignores: ['dist/', '.cache/', 'data/', 'coverage/'] },
  js.configs.recommended,
  { files: ['**/*.ts', '**/*.mts'], extends: [tseslint.configs.recommended] },
  { files: ['bin/**/*.js'], languageOptions: { sourceType: 'commonjs' } },
  {
    files: ['**/*.ts', '**/*.mts'],
    plugins: { 'import-x': importX, layers: { rules: { 'value-imports': valueImports } } },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${root}/tsconfig.json` })],
      // no-cycle follows only the files it can parse.
      'import-x/extensions': ['.ts', '.mts', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.mts'] },
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: zones({ typeOnlyLayers: false }) }],
      'layers/value-imports': ['error', { basePath: root, zones: zones({ typeOnlyLayers: true }) }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // The code's convention for deliberately unused names: a leading underscore, or siblings of a rest.
    files: ['**/*.ts', '**/*.mts'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // The workflow sandbox has no Node built-ins, and Temporal's client and worker packages are not for it.
    files: ['workflows/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^node:|${builtins(builtinModules)}`,
              allowTypeImports: true,
              message: 'workflows/ run in the workflow sandbox: no Node built-ins; do I/O in an activity.',
            },
            {
              regex: '^@temporalio/(activity|client|worker|testing)(/|$)',
              allowTypeImports: true,
              message: 'workflows/ run in the workflow sandbox: use @temporalio/workflow.',
            },
          ],
        },
      ],
    },
  },
  {
    // Domain rules do no I/O (hashing with node:crypto is fine): I/O belongs in activities/ or platform/.
    files: ['domain/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: builtins(IO_BUILTINS),
              allowTypeImports: true,
              message: 'domain/ does no I/O: do it in activities/ or platform/.',
            },
          ],
        },
      ],
    },
  },
  {
    // The CLI loads a command's modules only when that command runs, so `incident --help` and
    // `incident list` start without the SDK: those are deliberate lazy require() calls.
    files: ['client/cli/**'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests read JSON that a command printed or a file held, whose shape is what the test asserts.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  prettier,
]);
