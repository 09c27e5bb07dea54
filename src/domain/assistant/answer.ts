/**
 * Answers and their references (F-ASSIST): every statement names the references it rests on. The extractive
 * answer quotes the best sentences of the best passages, as written; nothing is generated. Pure: no I/O.
 */

export interface Reference {
  /** 1-based, as the statements cite it. */
  n: number;
  kind: 'knowledge' | 'account';
  title: string;
  /** Where the reader can see the source: an article section, or the API resource the fact was read from. */
  link: string;
  /** The passage (or account fact) the statements rest on, as stored. */
  passage: string;
}

export interface Statement {
  text: string;
  /** Numbers of the references this statement rests on (at least one). */
  references: number[];
}

const stopWords = new Set(
  (
    'a an and are as at be but by can do does for from has have how i if in into is it its me my of on or our ' +
    'should so that the their them then there these they this to us was we were what when where which who why ' +
    'will with would you your not no any all about after before could did get got just more most much many than too very also may might'
  ).split(' '),
);

/** The words of a text that carry meaning, lower case. */
export function terms(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((w) => w.length > 1 && !stopWords.has(w));
}

/** A crude stem for matching: common endings off, then at most 5 letters ("removing", "removed" → "remov"). */
const stem = (word: string) => (word.length > 4 ? word.replace(/(ing|ed|es|s|e)$/, '') : word).slice(0, 5);

export function sentences(text: string): string[] {
  return text
    .split(/\n+|(?<=[.!?])\s+(?=[A-Z0-9"“(])/)
    .map((s) => s.replace(/^[-*]\s+/, '').trim())
    .filter((s) => s.length > 0);
}

/** The sentences of a passage that share most words with the question, in their original order. */
export function bestSentences(question: string, passage: string, max = 2): string[] {
  const wanted = new Set(terms(question).map(stem));
  const all = sentences(passage);
  const scored = all.map((sentence, index) => {
    const words = new Set(terms(sentence).map(stem));
    let score = 0;
    for (const w of wanted) if (words.has(w)) score += 1;
    return { sentence, index, score };
  });
  const picked = scored
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, max)
    .sort((a, b) => a.index - b.index)
    .map((s) => s.sentence);
  return picked.length > 0 ? picked : all.slice(0, 1);
}

export interface RankedPassage {
  title: string;
  link: string;
  text: string;
}

/**
 * An extractive answer from passages in rank order: the best sentences of each of the first `max` passages,
 * each a statement citing its passage. Passage text is quoted, never followed: it is data.
 */
export function extractiveAnswer(
  question: string,
  passages: RankedPassage[],
  firstReference: number,
  max = 3,
): { statements: Statement[]; references: Reference[] } {
  const statements: Statement[] = [];
  const references: Reference[] = [];
  for (const passage of passages.slice(0, max)) {
    const n = firstReference + references.length;
    references.push({ n, kind: 'knowledge', title: passage.title, link: passage.link, passage: passage.text });
    statements.push({ text: bestSentences(question, passage.text).join(' '), references: [n] });
  }
  return { statements, references };
}

/** What of the caller's own account a question asks about. */
export type AccountTopic = 'subscriptions' | 'invoices' | 'usage';

const ownership = /\b(we|our|ours|us|my|mine|i|me|do we|have we|this account|our account|my account)\b/i;
const topicPatterns: Record<AccountTopic, RegExp> = {
  subscriptions:
    /\b(seats?|licen[cs]es?|subscriptions?|renew(s|al|ed)?|quantit(y|ies)|plans?|how many|expire|expiry|term)\b/i,
  invoices: /\b(invoices?|bills?|billed|owe|outstanding|unpaid|paid|balance|charges?)\b/i,
  usage: /\b(usage|consumption|azure (spend|costs?)|spend)\b/i,
};

/** Asking for the state of things ("how many … do we have"), not how to do something ("can I get a refund"). */
const asksForData =
  /\b(how many|how much|when (do|does|did|will|is|are)|do (we|i) have|have (we|i) got|what (are|is|was) (our|my)|which of (our|my)|list|show|tell me|current|status)\b/i;

/** The account topics a question asks about, when it asks about the state of the caller's own account at all. */
export function accountTopics(question: string): AccountTopic[] {
  if (!ownership.test(question) || !asksForData.test(question)) return [];
  const topics = (Object.keys(topicPatterns) as AccountTopic[]).filter((t) => topicPatterns[t].test(question));
  return topics;
}

const genericProductWords = new Set(
  'microsoft 365 office seats seat licenses license licences subscription subscriptions renew renews renewal when how many have do does plan plans our we us my'.split(
    ' ',
  ),
);

/**
 * Names among `names` that the question mentions by a distinctive word (e.g. "Premium", "Visio"); when several
 * match, those matching the most words ("Business Premium" over "Business Basic").
 */
export function mentionedNames(question: string, names: string[]): string[] {
  const asked = new Set(terms(question).filter((w) => !genericProductWords.has(w)));
  const scored = names.map((name) => ({
    name,
    score: new Set(terms(name).filter((w) => !genericProductWords.has(w) && asked.has(w))).size,
  }));
  const best = Math.max(0, ...scored.map((s) => s.score));
  return best === 0 ? [] : scored.filter((s) => s.score === best).map((s) => s.name);
}
