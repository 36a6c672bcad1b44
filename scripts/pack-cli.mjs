#!/usr/bin/env node
// `npm run pack:cli`: packs the `apig-watch` command alone into apig-watch-<version>.tgz, for a CI
// job that runs `apig-watch watch` without a clone (docs/operating.md, "The `apig-watch` command"). The bundle in
// dist/cli/ carries its dependencies (scripts/build-cli.mjs), so the tarball's package.json
// declares none: installing it fetches nothing. The repository's own package.json, with the
// Lambda's and the tools' dependencies, stays out of it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import buildCli from './build-cli.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** What the packed command's package.json keeps of the repository's: no dependencies, no scripts. */
const KEPT_FIELDS = ['name', 'version', 'description', 'license', 'type', 'bin', 'engines'];

/**
 * Builds the command (unless `prebuilt`: the tests pack the bundle jest's globalSetup built, which
 * other tests are running), lays it out in a temporary directory as it sits in the repository (bin/,
 * dist/cli/, package.json two levels above the bundle) and packs it into `destination`; returns the
 * tarball's path.
 */
export default async function packCli(destination = ROOT, { prebuilt = false } = {}) {
  if (!prebuilt) await buildCli();
  const STAGE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'apig-watch-pack-'));
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const packed = Object.fromEntries(KEPT_FIELDS.filter((field) => field in manifest).map((field) => [field, manifest[field]]));
  fs.writeFileSync(path.join(STAGE_DIR, 'package.json'), `${JSON.stringify(packed, null, 2)}\n`);
  fs.cpSync(path.join(ROOT, 'bin'), path.join(STAGE_DIR, 'bin'), { recursive: true });
  // Source maps would triple the download; the bundle's stack traces name its functions anyway.
  fs.cpSync(path.join(ROOT, 'dist', 'cli'), path.join(STAGE_DIR, 'dist', 'cli'), { recursive: true, filter: (file) => !file.endsWith('.map') });
  fs.copyFileSync(path.join(ROOT, 'README.md'), path.join(STAGE_DIR, 'README.md'));
  try {
    const [{ filename }] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', destination], { cwd: STAGE_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
    );
    return path.join(destination, filename);
  } finally {
    fs.rmSync(STAGE_DIR, { recursive: true, force: true });
  }
}

// node scripts/pack-cli.mjs [destination] [--prebuilt]
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const destination = args.find((arg) => !arg.startsWith('--'));
  process.stdout.write(`${await packCli(destination && path.resolve(destination), { prebuilt: args.includes('--prebuilt') })}\n`);
}
