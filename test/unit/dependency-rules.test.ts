import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The layering of the README's "Development" section, read from the import statements: the core
 * (lib/watch) imports no adapter, and no adapter imports the use case or the composition root.
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

const ADAPTERS = ['lib/apig', 'lib/notify', 'lib/queue', 'lib/store', 'lib/discover', 'lib/http'];
const USE_CASE = ['lib/watch/process-batch.ts', 'lib/watch/process-step.ts', 'lib/watch/deliver-outcome.ts'];
const COMPOSITION = ['lib/runtime/', 'lib/cli/', 'lib/dev/', 'lib/config/', 'handlers/', 'scripts/'];

describe('dependency rules', () => {
  it('finds the imports it checks (the rules below cannot pass on nothing)', () => {
    expect(importsUnder('lib/watch').length).toBeGreaterThan(20);
    expect(ADAPTERS.flatMap(importsUnder).length).toBeGreaterThan(20);
  });

  it('lets the core (lib/watch) import only itself and lib/echoed-text.ts', () => {
    const outside = importsUnder('lib/watch').filter(({ imported }) => !imported.startsWith('lib/watch/') && imported !== 'lib/echoed-text.ts');
    expect(outside).toEqual([]);
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

  it('keeps lib free of imports from scripts, bench and test', () => {
    const forbidden = importsUnder('lib').filter(({ imported }) => /^(scripts|bench|test)\//.test(imported));
    expect(forbidden).toEqual([]);
  });
});
