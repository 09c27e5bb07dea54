import { extractiveAnswer, type Reference, type Statement } from '../../domain/assistant/answer.ts';
import { AppError, notFound } from '../errors.ts';
import type { Principal } from '../principal.ts';
import type { Conversation, GenerationSource, SearchHit } from '../ports/knowledge.port.ts';
import { accountFacts, type AccountFact } from './account-facts.ts';
import type { AssistantDeps } from './deps.ts';
import { searchKnowledge } from './knowledge-base.ts';

export interface AskInput {
  principal: Principal;
  /** The route's customer (already authorized by the pipeline); none for the general assistant. */
  customerId?: string;
  question: string;
  conversationId?: string;
}

export interface AssistantAnswer {
  conversationId: string;
  /** `generated`: written by Azure OpenAI from the references only; `extractive`: quoted from the best passages. */
  mode: 'generated' | 'extractive';
  note: string;
  statements: Statement[];
  references: Reference[];
  expiresAt: string;
}

/** Passages retrieved per question; the best of them become references. */
const RETRIEVE = 5;
const MAX_TURNS = 10;

export const ownerKey = (principal: Principal) => `${principal.identity.tenantId}_${principal.identity.objectId}`;

export function passageLink(documentId: string, anchor: string): string {
  return `/api/assistant/documents/${encodeURIComponent(documentId)}#${anchor}`;
}

async function conversationOf(deps: AssistantDeps, input: AskInput): Promise<{ value: Conversation; etag?: string }> {
  const now = deps.clock.now();
  if (!input.conversationId) return { value: { id: deps.ids.next(), ...customer(input), turns: [], expiresAt: '' } };
  const found = await deps.conversations.get(ownerKey(input.principal), input.conversationId);
  // Another identity's conversation, another customer's, or an expired one: all simply do not exist here.
  if (!found || found.value.customerId !== input.customerId || Date.parse(found.value.expiresAt) <= now.getTime())
    throw notFound('ASSISTANT.CONVERSATION_NOT_FOUND', 'No such conversation (it may have expired); start a new one.');
  return found;
}

const customer = (input: AskInput) => (input.customerId ? { customerId: input.customerId } : {});

/** A follow-up ("and when does the link expire?") is read in the light of the documents the last answer cited. */
const FOLLOW_UP_BOOST = 2;

async function retrieve(deps: AssistantDeps, question: string, conversation: Conversation): Promise<SearchHit[]> {
  const last = conversation.turns[conversation.turns.length - 1];
  const previous = new Set(last?.documentIds ?? []);
  if (previous.size === 0) return searchKnowledge(deps, question, RETRIEVE);
  const hits = await searchKnowledge(deps, question, RETRIEVE * 4);
  return hits
    .map((h) => ({ ...h, score: previous.has(h.passage.documentId) ? h.score * FOLLOW_UP_BOOST : h.score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, RETRIEVE);
}

function knowledgeSource(hit: SearchHit): AccountFact {
  const p = hit.passage;
  return {
    title: p.section === p.documentTitle ? p.documentTitle : `${p.documentTitle}: ${p.section}`,
    link: passageLink(p.documentId, p.anchor),
    text: p.text,
  };
}

/**
 * Answers a question from the knowledge base and, on a customer's route, from that customer's own account.
 * Every statement cites its references. Document text reaches the generator only as numbered, quoted sources
 * (data), and the extractive answer only quotes it: a document cannot change what the assistant does.
 */
export async function askAssistant(deps: AssistantDeps, input: AskInput): Promise<AssistantAnswer> {
  const conversation = await conversationOf(deps, input);
  const [hits, account] = await Promise.all([
    retrieve(deps, input.question, conversation.value),
    input.customerId ? accountFacts(deps, input.customerId, input.question) : { topics: [], facts: [] },
  ]);
  const knowledge = hits.map(knowledgeSource);

  let mode: AssistantAnswer['mode'] = 'extractive';
  let statements: Statement[] = [];
  let references: Reference[] = [];
  if (deps.generator && (knowledge.length > 0 || account.facts.length > 0)) {
    const sources = [...account.facts, ...knowledge];
    const numbered: GenerationSource[] = sources.map((s, i) => ({ n: i + 1, title: s.title, text: s.text }));
    const generated = await deps.generator.generate({
      question: input.question,
      history: conversation.value.turns.map((t) => ({ question: t.question, answer: t.answer })),
      sources: numbered,
    });
    // Only statements resting on a source that was given survive; references are renumbered in citation order.
    const renumber = new Map<number, number>();
    for (const g of generated) {
      const cited = [...new Set(g.citations)].filter((n) => n >= 1 && n <= sources.length);
      if (cited.length === 0 || !g.text.trim()) continue;
      statements.push({
        text: g.text.trim(),
        references: cited.map((n) => {
          if (!renumber.has(n)) {
            const source = sources[n - 1] as AccountFact;
            const kind = n <= account.facts.length ? 'account' : 'knowledge';
            renumber.set(n, renumber.size + 1);
            references.push({ n: renumber.size, kind, title: source.title, link: source.link, passage: source.text });
          }
          return renumber.get(n) as number;
        }),
      });
    }
    if (statements.length > 0) mode = 'generated';
    else references = [];
  }
  if (mode === 'extractive') {
    statements = [];
    references = [];
    account.facts.forEach((fact, i) => {
      references.push({ n: i + 1, kind: 'account', title: fact.title, link: fact.link, passage: fact.text });
      statements.push({ text: fact.text, references: [i + 1] });
    });
    // Account questions get one supporting passage; others the best three.
    const extract = extractiveAnswer(
      input.question,
      knowledge,
      references.length + 1,
      account.facts.length > 0 ? 1 : 3,
    );
    statements.push(...extract.statements);
    references.push(...extract.references);
  }

  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.settings.conversationHours * 3_600_000).toISOString();
  const answerText = statements.map((s) => s.text).join(' ');
  const cited = new Set(
    references.filter((r) => r.kind === 'knowledge').map((r) => hits.find((h) => knowledgeSource(h).link === r.link)),
  );
  const documentIds = [...new Set([...cited].flatMap((h) => (h ? [h.passage.documentId] : [])))];
  const saved: Conversation = {
    ...conversation.value,
    turns: [
      ...conversation.value.turns,
      { question: input.question, answer: answerText, at: now.toISOString(), documentIds },
    ].slice(-MAX_TURNS),
    expiresAt,
  };
  await deps.conversations.save(ownerKey(input.principal), saved, conversation.etag);

  return {
    conversationId: saved.id,
    mode,
    note:
      mode === 'generated'
        ? 'Written by Azure OpenAI from the references below only; each statement names the references it rests on.'
        : statements.length === 0
          ? 'Nothing in the knowledge base matches this question; try other words or ask your partner.'
          : 'Extractive answer: the most relevant passages, quoted as written (no answer was generated).',
    statements,
    references,
    expiresAt,
  };
}

export const assistantLimited = (retryAfterSeconds: number) =>
  new AppError('Throttled', 'ASSISTANT.RATE_LIMITED', 'Too many questions in a short time; try again shortly.', {
    retryAfterSeconds,
  });
