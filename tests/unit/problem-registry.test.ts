import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { problemRegistry } from '../../src/http/problem-registry.ts';
import { renderProblemDocs } from '../../src/http/problem-docs.ts';
import { routes } from '../../src/http/routes.ts';

const root = new URL('../../', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every string literal shaped like a problem code (`'AREA.CODE'`) in the product's sources. */
function codesUsedInSources(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'dev'))]) {
    if (file.endsWith('problem-registry.ts')) continue;
    for (const match of readFileSync(file, 'utf8').matchAll(/'([A-Z][A-Z0-9_]*\.[A-Z][A-Z0-9_.]*)'/g))
      found.set(match[1] as string, file.slice(root.length));
  }
  return found;
}

describe('problem registry', () => {
  it('has one entry per code, each with a title, when and what to do', () => {
    const codes = problemRegistry.map((entry) => entry.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const entry of problemRegistry) {
      expect(entry.title.length, entry.code).toBeGreaterThan(10);
      expect(entry.when.length, entry.code).toBeGreaterThan(10);
      expect(entry.action.length, entry.code).toBeGreaterThan(5);
      expect(entry.status, entry.code).toBeGreaterThanOrEqual(400);
    }
  });

  it('lists every code the sources throw (add missing ones to src/http/problem-registry.ts)', () => {
    const registered = new Set(problemRegistry.map((entry) => entry.code));
    const missing = [...codesUsedInSources()].filter(([code]) => !registered.has(code)).map(([c, f]) => `${c} (${f})`);
    expect(missing).toEqual([]);
  });

  it('documents no code the sources never use', () => {
    const used = codesUsedInSources();
    const unused = problemRegistry.map((e) => e.code).filter((code) => code !== 'INTERNAL' && !used.has(code));
    expect(unused).toEqual([]);
  });

  it('names only operations of the route table', () => {
    const names = new Set(routes.map((route) => route.name));
    const unknown = problemRegistry.flatMap((entry) =>
      Array.isArray(entry.on) ? entry.on.filter((op) => !names.has(op)).map((op) => `${entry.code}: ${op}`) : [],
    );
    expect(unknown).toEqual([]);
  });

  it('is what docs/errors.md says (run `npm run docs:errors` after changing it)', () => {
    expect(readFileSync(join(root, 'docs/errors.md'), 'utf8')).toBe(renderProblemDocs(problemRegistry));
  });
});
