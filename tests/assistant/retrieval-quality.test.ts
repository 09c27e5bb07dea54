import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shippedArticlesFolder } from '../../src/adapters/assistant/shipped-articles.fs.ts';
import { buildMiniSearch, searchMiniSearch } from '../../src/adapters/assistant/minisearch.index.ts';
import { toPassages } from '../../src/domain/assistant/passages.ts';

/**
 * The quality gate on real retrieval: each question of the evaluation set (written from the seeds and the shipped
 * articles) names the article it should cite; that article must be among the top three distinct references for
 * at least 90 % of them.
 */
const questions = JSON.parse(readFileSync(new URL('./questions.json', import.meta.url), 'utf8')) as {
  question: string;
  article: string;
}[];

describe('assistant retrieval over the shipped articles', () => {
  it('has an evaluation set of at least 40 questions, each naming a shipped article', async () => {
    const articles = await shippedArticlesFolder(new URL('../../knowledge/', import.meta.url)).list();
    const ids = new Set(articles.map((a) => a.id));
    expect(questions.length).toBeGreaterThanOrEqual(40);
    for (const q of questions) expect(ids, q.question).toContain(q.article);
  });

  it('puts the right article among the top three references for at least 90 % of the questions', async () => {
    const articles = await shippedArticlesFolder(new URL('../../knowledge/', import.meta.url)).list();
    const index = await buildMiniSearch(articles.flatMap(toPassages));
    const misses: string[] = [];
    let first = 0;
    for (const q of questions) {
      // The extractive answer's references are the top three passages, in this order.
      const top = searchMiniSearch(index, q.question, 3).map((h) => h.passage.documentId);
      if (top[0] === q.article) first += 1;
      if (!top.includes(q.article)) misses.push(`${q.question} → wanted ${q.article}, got ${top.join(', ')}`);
    }
    const hitRate = 1 - misses.length / questions.length;
    console.log(
      `assistant retrieval: top-3 ${(hitRate * 100).toFixed(1)} %, top-1 ${((first / questions.length) * 100).toFixed(1)} % of ${questions.length}`,
      misses,
    );
    expect(hitRate).toBeGreaterThanOrEqual(0.9);
  });
});
