// Bundles the package's two commands, each into one file with its dependencies: dist/bundle/main.mjs
// (phonebridge-mock: the server and its CLI) and dist/bundle/contract.mjs (phonebridge-contract); parses
// the documents once, at build time, into dist/openapi/*.json (checked against each YAML's hash at start);
// and writes the default tenant's CRMs into dist/crm-cache/ (fixtures/crm-cache.ts).
// Why: a start loads one 2 MB file instead of ~900 modules (half the cold start), and the Docker image
// needs no node_modules at all. Run by `npm run build` and `npm run compile`, after tsc (which checks the
// types; esbuild only strips them). The documents, the console's assets and package.json stay files
// beside dist/, found at run time from the bundle's own path (openapi/documents.ts packageDir).
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'bundle');
await mkdir(out, { recursive: true });

const COMMANDS = { main: 'server/main.ts', contract: 'contract-tests/cli.ts' };
await Promise.all(
  Object.entries(COMMANDS).map(async ([name, entry]) => {
    const outfile = path.join(out, `${name}.mjs`);
    await build({
      entryPoints: [path.join(root, entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      minify: true,
      // Error messages and stack traces keep the functions' names.
      keepNames: true,
      legalComments: 'none',
      // CommonJS dependencies (express, openapi-backend) call require(): an ES module has none of its own.
      // (The entry's own `#!/usr/bin/env node` line stays first.)
      banner: { js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);" },
      // The bundle reads the build's copies of the default CRMs (fixtures/crm-cache.ts), written below.
      define: { PHONEBRIDGE_BUNDLED: 'true' },
      logLevel: 'warning',
    });
    await chmod(outfile, 0o755);
  }),
);

// The documents, parsed by the same code that reads them at start (tsc's output, built just before).
const { DOCUMENT_FILES, loadDocument } = await import(path.join(root, 'dist', 'server', 'openapi', 'documents.js'));
for (const file of DOCUMENT_FILES) loadDocument(file);

// The default tenant's CRMs at the default seed and size, as the generator makes them (fixtures/crm-cache.ts).
const dist = (file) => import(path.join(root, 'dist', file));
const [{ ORGS }, { crmOptionsOf }, { generateCrm }, { CRM_CACHE_FOLDER, crmCacheName }, { DEFAULT_SEED, DEFAULT_CRM_SIZE }] = await Promise.all(
  ['fixtures/personas.js', 'fixtures/seed.js', 'fixtures/crm.js', 'fixtures/crm-cache.js', 'server/config.js'].map(dist),
);
await mkdir(path.join(root, CRM_CACHE_FOLDER), { recursive: true });
for (const fixture of ORGS) {
  const options = crmOptionsOf(fixture, 0, DEFAULT_SEED, DEFAULT_CRM_SIZE);
  await writeFile(path.join(root, CRM_CACHE_FOLDER, crmCacheName(options)), JSON.stringify(generateCrm(options)));
}
