import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ShippedArticles } from '../../app/ports/knowledge.port.ts';
import { markdownTitle, type KnowledgeText } from '../../domain/assistant/passages.ts';

/** The product's articles: `knowledge/*.md` at the app's root (deployed beside `dist/`), read once per process. */
export function shippedArticlesFolder(dir: string | URL): ShippedArticles {
  const folder = typeof dir === 'string' ? dir : fileURLToPath(dir);
  let articles: Promise<KnowledgeText[]> | undefined;
  const load = async (): Promise<KnowledgeText[]> => {
    const names = (await readdir(folder)).filter((n) => n.endsWith('.md') && n !== 'README.md').sort();
    return Promise.all(
      names.map(async (name) => {
        const text = await readFile(path.join(folder, name), 'utf8');
        const id = name.replace(/\.md$/, '');
        return { id, title: markdownTitle(text) ?? id, source: 'shipped' as const, format: 'markdown' as const, text };
      }),
    );
  };
  return {
    list() {
      articles ??= load().catch((error: unknown) => {
        articles = undefined;
        throw error;
      });
      return articles;
    },
  };
}
