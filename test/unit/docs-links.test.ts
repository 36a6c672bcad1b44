import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The README and the pages of docs/ hold together: every relative link and `#anchor` resolves, each
 * page opens with a table of contents of its sections, and the README stays short enough to read
 * in five minutes.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const README_MAX_LINES = 300;
const FENCED_BLOCK = /^```[^\n]*\n[\s\S]*?^```\s*$/gm;

/** The Markdown files checked: the README and every page of docs/, as repository paths. */
function markdownFiles(): string[] {
  const pages = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md'));
  return ['README.md', ...pages.map((name) => `docs/${name}`)];
}

/** The text outside fenced code blocks, with inline code spans kept as plain words (links in code are not links). */
function prose(markdown: string): string {
  return markdown.replace(FENCED_BLOCK, '').replace(/`+([^`\n]*)`+/g, (_, code: string) => code.replace(/[[\]()]/g, ' '));
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** The anchors a Markdown file defines, with GitHub's `-1`, `-2` suffixes for repeated headings. */
function anchorsIn(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of markdown.replace(FENCED_BLOCK, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const anchor = anchorOf(match[1] ?? '');
    const count = seen.get(anchor) ?? 0;
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
    seen.set(anchor, count + 1);
  }
  return anchors;
}

/** The links of `file` (a repository path) that do not resolve, each as `file: target`. */
function brokenLinks(file: string, markdown: string, readFile: (path: string) => string | undefined): string[] {
  const targets = [...prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1] ?? '');
  return targets
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
    .filter((target) => {
      const [path = '', anchor] = target.split('#');
      const resolved = path === '' ? file : relative(ROOT, join(ROOT, dirname(file), decodeURI(path)));
      const text = readFile(resolved);
      if (text === undefined) return true;
      return anchor !== undefined && resolved.endsWith('.md') && !anchorsIn(text).has(anchor);
    })
    .map((target) => `${file}: ${target}`);
}

/** The repository's own files (a directory reads as an empty text, so a link to a folder resolves). */
function readRepositoryFile(path: string): string | undefined {
  const absolute = join(ROOT, path);
  if (!existsSync(absolute)) return undefined;
  return path.endsWith('.md') ? readFileSync(absolute, 'utf8') : '';
}

describe('docs links', () => {
  it('checks the README and at least six pages of docs/', () => {
    expect(markdownFiles().length).toBeGreaterThanOrEqual(7);
  });

  it('resolves every relative link and anchor of the README and docs/', () => {
    const broken = markdownFiles().flatMap((file) => brokenLinks(file, readFileSync(join(ROOT, file), 'utf8'), readRepositoryFile));

    expect(broken).toEqual([]);
  });

  it('reports a link to a missing file, a missing anchor and a missing anchor of its own page', () => {
    const pages: Record<string, string> = { 'docs/a.md': '# A\n\n## Where it is\n' };
    const markdown = [
      '# B',
      '[fine](a.md#where-it-is) [fine too](#b) [gone](missing.md) [wrong anchor](a.md#where-it-was) [own](#nowhere)',
      '`[in code](missing.md)`',
      '```\n[in a block](missing.md)\n```',
      '[outside](https://example.com/missing.md)',
    ].join('\n');

    const broken = brokenLinks('docs/b.md', markdown, (path) => (path === 'docs/b.md' ? markdown : pages[path]));

    expect(broken).toEqual(['docs/b.md: missing.md', 'docs/b.md: a.md#where-it-was', 'docs/b.md: #nowhere']);
  });

  it('makes anchors as GitHub does: punctuation dropped, code kept, repeats numbered', () => {
    const anchors = anchorsIn('## Watch request — contract\n## A local stack: `npm run local`\n## Notes\n## Notes\n');

    expect([...anchors]).toEqual(['watch-request--contract', 'a-local-stack-npm-run-local', 'notes', 'notes-1']);
  });

  it('opens each page of docs/ with a table of contents of its sections', () => {
    const missing = markdownFiles()
      .filter((file) => file.startsWith('docs/'))
      .flatMap((file) => {
        const markdown = readFileSync(join(ROOT, file), 'utf8');
        const beforeFirstSection = markdown.split(/^## /m)[0] ?? '';
        const sections = [...prose(markdown).matchAll(/^## (.+)$/gm)].map((match) => anchorOf(match[1] ?? ''));
        return sections.filter((anchor) => !beforeFirstSection.includes(`](#${anchor})`)).map((anchor) => `${file}: #${anchor}`);
      });

    expect(missing).toEqual([]);
  });

  it(`keeps the README to at most ${README_MAX_LINES} lines`, () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length;

    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });
});
