import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The layering of the README's "Development" section, read from the import statements: the core
 * (lib/watch) imports no adapter, no adapter imports the use case or the composition root, what
 * ships (lib, handlers, bin) needs neither the dev kit nor a dev dependency, and the bench measures
 * through the dev kit, never through the tests' own helpers.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every relative import of every TypeScript file under `folder`, as repository paths. */
function importsUnder(folder: string): { file: string; imported: string }[] {
  const files = (readdirSync(join(ROOT, folder), { recursive: true }) as string[]).filter((name) => name.endsWith('.ts'));
  return files.flatMap((name) => {
    const file = join(folder, name);
    const text = readFileSync(join(ROOT, file), 'utf8');
    const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(?)\s*'(\.{1,2}\/[^']+)'/g)].map((match) => match[1]!);
    return specifiers.map((specifier) => ({ file, imported: normalize(join(dirname(file), specifier)).replace(/\.js$/, '.ts') }));
  });
}

/** Every package a file under `folder` imports at run time (`import type` is erased), by package name. */
function packagesImportedUnder(folder: string): { file: string; packageName: string }[] {
  const files = (readdirSync(join(ROOT, folder), { recursive: true }) as string[]).filter((name) => /\.(ts|js|mjs)$/.test(name));
  return files.flatMap((name) => {
    const file = join(folder, name);
    const text = readFileSync(join(ROOT, file), 'utf8');
    const statements = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[^;'"]*?\s+from\s+)?'([^'.][^']*)'/g)];
    const dynamic = [...text.matchAll(/import\(\s*'([^'.][^']*)'\s*\)/g)].map((match) => match[1]!);
    const specifiers = [...statements.filter((match) => match[1] === undefined).map((match) => match[2]!), ...dynamic];
    return specifiers
      .filter((specifier) => !specifier.startsWith('node:'))
      .map((specifier) => ({
        file,
        packageName: specifier
          .split('/')
          .slice(0, specifier.startsWith('@') ? 2 : 1)
          .join('/'),
      }));
  });
}

const SHIPPED = ['lib', 'handlers', 'bin'];
const ADAPTERS = ['lib/apig', 'lib/notify', 'lib/queue', 'lib/store', 'lib/discover', 'lib/http'];
const USE_CASE = ['lib/watch/process-batch.ts', 'lib/watch/process-step.ts', 'lib/watch/deliver-outcome.ts'];
/** What the core may import from outside lib/watch: two dependency-free helpers. */
const CORE_MAY_IMPORT = ['lib/echoed-text.ts', 'lib/describe-error.ts'];
const TREE = ['lib', 'handlers', 'bin', 'devkit', 'scripts', 'bench', 'test'];

/** The import cycles among files (each as the files along it), found by depth-first search. */
function importCycles(edges: { file: string; imported: string }[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { file, imported } of edges) next.set(file, [...(next.get(file) ?? []), imported]);
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[][] = [];
  const visit = (file: string, path: string[]) => {
    state.set(file, 'open');
    for (const imported of next.get(file) ?? []) {
      if (state.get(imported) === 'open') cycles.push([...path.slice(path.indexOf(imported)), imported]);
      else if (!state.has(imported)) visit(imported, [...path, imported]);
    }
    state.set(file, 'done');
  };
  for (const file of next.keys()) if (!state.has(file)) visit(file, [file]);
  return cycles;
}
const COMPOSITION = ['lib/runtime/', 'lib/cli/', 'lib/simulator/', 'lib/config/', 'handlers/', 'scripts/', 'devkit/'];

describe('dependency rules', () => {
  it('finds the imports it checks (the rules below cannot pass on nothing)', () => {
    expect(importsUnder('lib/watch').length).toBeGreaterThan(20);
    expect(ADAPTERS.flatMap(importsUnder).length).toBeGreaterThan(20);
  });

  it('lets the core (lib/watch) import only itself, lib/echoed-text.ts and lib/describe-error.ts', () => {
    const outside = importsUnder('lib/watch').filter(({ imported }) => !imported.startsWith('lib/watch/') && !CORE_MAY_IMPORT.includes(imported));
    expect(outside).toEqual([]);
  });

  it('finds an import cycle where there is one (the rule below cannot pass by not looking)', () => {
    const cycle = importCycles([
      { file: 'a.ts', imported: 'b.ts' },
      { file: 'b.ts', imported: 'c.ts' },
      { file: 'c.ts', imported: 'a.ts' },
    ]);
    expect(cycle).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('has no import cycle anywhere in the tree, inside a folder or across folders (type imports included)', () => {
    expect(importCycles(TREE.flatMap(importsUnder))).toEqual([]);
  });

  it('keeps adapters away from the use case and the composition root', () => {
    const forbidden = ADAPTERS.flatMap(importsUnder).filter(
      ({ imported }) => USE_CASE.includes(imported) || COMPOSITION.some((prefix) => imported.startsWith(prefix)),
    );
    expect(forbidden).toEqual([]);
  });

  it('has no loops between the folders of lib (a folder that imports another is never imported back)', () => {
    const folderOf = (path: string) => path.split('/').slice(0, 2).join('/');
    const edges = new Set(importsUnder('lib').map(({ file, imported }) => `${folderOf(file)} → ${folderOf(imported)}`));
    const loops = [...edges].filter((edge) => {
      const [from, to] = edge.split(' → ');
      return from !== to && edges.has(`${to} → ${from}`);
    });
    expect(loops).toEqual([]);
  });

  it("reaches each folder of lib from outside it through its index.ts (its public surface), the core's pure parts aside", () => {
    const folderOf = (path: string) => path.split('/').slice(0, 2).join('/');
    // lib/watch's schedule and request are read directly by the CLI's lazy paths (so that --help loads no schema).
    const direct = (imported: string) =>
      imported.endsWith('/index.ts') || /^lib\/watch\/(request|schedule)\.ts$/.test(imported) || !imported.startsWith('lib/');
    const around = [...importsUnder('lib'), ...importsUnder('handlers')].filter(
      ({ file, imported }) => folderOf(file) !== folderOf(imported) && imported.split('/').length > 2 && !direct(imported),
    );
    expect(around).toEqual([]);
  });

  it('keeps what ships (lib, handlers, bin) free of imports from the dev kit, scripts, bench and test', () => {
    const forbidden = SHIPPED.flatMap(importsUnder).filter(({ imported }) => /^(devkit|scripts|bench|test)\//.test(imported));
    expect(forbidden).toEqual([]);
  });

  it('finds the packages it checks (the rule below cannot pass on nothing)', () => {
    const packages = new Set(SHIPPED.flatMap(packagesImportedUnder).map(({ packageName }) => packageName));
    expect([...packages]).toEqual(expect.arrayContaining(['@aws-sdk/client-sqs', 'zod', '@middy/core']));
  });

  it('lets what ships import at run time only its own dependencies (never fauxqs, dynalite or another dev dependency)', () => {
    const { dependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const undeclared = SHIPPED.flatMap(packagesImportedUnder).filter(({ packageName }) => !(packageName in dependencies));
    expect(undeclared).toEqual([]);
  });

  it('keeps the bench away from the tests (it measures through the dev kit)', () => {
    const forbidden = importsUnder('bench').filter(({ imported }) => imported.startsWith('test/'));
    expect(forbidden).toEqual([]);
  });
});
