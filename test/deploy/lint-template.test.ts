/** `npm run lint:template` packages the stack into a temporary directory and leaves the project's own `.serverless/` as it was. */
import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageTemplate } from '../../scripts/lint-template.js';

const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EARLIER_DIR = path.join(PROJECT_DIR, '.serverless');

describe('lint:template packaging', () => {
  it('leaves an earlier .serverless/ alone', async () => {
    // Prepare: an earlier package's output.
    const dir = await mkdtemp(path.join(tmpdir(), 'apig-watch-lint-test-'));
    const hadOne = await stat(EARLIER_DIR).then(
      () => true,
      () => false,
    );
    const marker = path.join(EARLIER_DIR, `earlier-${process.pid}.txt`);
    await mkdir(EARLIER_DIR, { recursive: true });
    await writeFile(marker, 'from an earlier serverless package');
    try {
      // Act
      const template = packageTemplate(dir, {});

      // Assess
      expect(JSON.parse(await readFile(template, 'utf8'))).toHaveProperty('Resources');
      expect(await readFile(marker, 'utf8')).toBe('from an earlier serverless package');
    } finally {
      await rm(hadOne ? marker : EARLIER_DIR, { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
    }
  });
});
