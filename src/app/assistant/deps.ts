import type { BillingStore } from '../ports/billing.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { IdGenerator } from '../ports/ids.port.ts';
import type { CustomerDataStore } from '../ports/customer-data.port.ts';
import type {
  AnswerGenerator,
  ConversationStore,
  KnowledgeDocuments,
  KnowledgeIndex,
  PdfText,
  ShippedArticles,
} from '../ports/knowledge.port.ts';

/** What the support assistant (F-ASSIST) needs. */
export interface AssistantDeps {
  documents: KnowledgeDocuments;
  articles: ShippedArticles;
  index: KnowledgeIndex;
  pdf: PdfText;
  /** Azure OpenAI when configured; without it answers are extractive. */
  generator?: AnswerGenerator;
  conversations: ConversationStore;
  customerData: Pick<CustomerDataStore, 'services'>;
  billing: Pick<BillingStore, 'invoices'>;
  clock: Clock;
  ids: IdGenerator;
  settings: {
    /** Hours a conversation is kept after its last message. */
    conversationHours: number;
    /** Seconds between checks that this instance's index still matches the stored documents. */
    indexCheckSeconds: number;
  };
  /** Per-process memo of the last fingerprint check. */
  freshness: { fingerprint?: string; checkedAt: number };
}

export function newFreshness(): AssistantDeps['freshness'] {
  return { checkedAt: -Infinity };
}
