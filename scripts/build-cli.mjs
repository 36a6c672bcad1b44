#!/usr/bin/env node
// Builds the `apig-watch` command into dist/cli/: run by `npm ci` (the `prepare` script, through
// `npm run build`) and once before the tests (jest's globalSetup), which spawn the built command as
// users run it. Plain JavaScript, so it needs nothing but esbuild.
//
// Each command stays its own chunk (`splitting`), loaded when it runs: `apig-watch --help` loads
// commander and the program's text, no AWS SDK. Dependencies are bundled into those chunks, so the
// command needs no node_modules (`npm run pack:cli` ships it alone, scripts/pack-cli.mjs) and
// `@aws-sdk/client-cloudformation` is still loaded only by `start --stack`.
// The output sits two levels below the root, like lib/cli/, so `../../package.json` resolves alike.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(ROOT, 'dist', 'cli');

/** Builds dist/cli/ afresh (no chunk of an older build is left behind). */
export default async function buildCli() {
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: { 'apig-watch': 'lib/cli/main.ts' },
    outdir: OUT_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The ES module builds where a package has both (the AWS SDK): a dynamic import() of a
    // CommonJS chunk would only have a `default` export.
    mainFields: ['module', 'main'],
    // CommonJS dependencies (commander, the AWS SDK's) call require() for Node's own modules.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
