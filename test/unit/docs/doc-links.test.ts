import { access, readFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { documentationPages } from '../../../scripts/config-reference/generated-files.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** The page's Markdown without fenced code blocks, inline code and HTML comments, where a "link" is only text. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/<!--[\s\S]*?-->/g, '').replace(/`[^`\n]*`/g, '');
}

function linksOf(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

/** The anchors GitHub makes for a page's headings: lower case, punctuation dropped, spaces as "-", repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  for (const [, heading] of withoutCode.matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const text = heading!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const slug = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    let unique = slug;
    for (let n = 1; anchors.has(unique); n++) unique = `${slug}-${n}`;
    anchors.add(unique);
  }
  return anchors;
}

async function exists(path: string): Promise<boolean> {
  return access(join(root, path)).then(() => true, () => false);
}

async function pages(): Promise<string[]> {
  return [...(await documentationPages(root)), 'CHANGELOG.md'];
}

describe('the documentation', () => {
  it('has no dead relative link or anchor in README.md, CHANGELOG.md and docs/', async () => {
    const dead: string[] = [];
    for (const page of await pages()) {
      const markdown = await readFile(join(root, page), 'utf8');
      for (const link of linksOf(markdown)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto: and the like
        const [path, anchor] = link.split('#') as [string, string | undefined];
        const target = path === '' ? page : normalize(join(dirname(page), decodeURIComponent(path)));
        if (target.startsWith('..')) { dead.push(`${page}: ${link} (outside the repository)`); continue; }
        if (!(await exists(target))) {
          dead.push(`${page}: ${link} (no ${target})`);
          continue;
        }
        if (anchor === undefined) continue;
        if (!target.endsWith('.md')) { dead.push(`${page}: ${link} (an anchor into a file that is not Markdown)`); continue; }
        const anchors = anchorsOf(await readFile(join(root, target), 'utf8'));
        if (!anchors.has(anchor)) dead.push(`${page}: ${link} (no heading "${anchor}" in ${target})`);
      }
    }
    expect(dead).toEqual([]);
  });

  it('lists every page of docs/ in its index, docs/README.md', async () => {
    const index = await readFile(join(root, 'docs/README.md'), 'utf8');
    const linked = new Set(linksOf(index).map((link) => normalize(join('docs', link.split('#')[0]!))));
    const docs = (await documentationPages(root)).filter((p) => p.startsWith('docs/') && p !== 'docs/README.md');
    expect(docs.filter((page) => !linked.has(page))).toEqual([]);
  });

  it('keeps the README a front page: the two commands as CI runs them, and the references in docs/', async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    expect(readme).toContain('```sh\nnpm ci && npm run demo\n```');
    expect(readme).toContain('```sh\nnpm ci && npm test\n```');
    expect(await readFile(join(root, '.ci/run'), 'utf8')).toMatch(/^npm ci && npm test$/m);
    expect(Buffer.byteLength(readme)).toBeLessThan(16_000);
  });
});
