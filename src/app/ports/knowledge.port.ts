import type { DocumentFormat, KnowledgeText, Passage } from '../../domain/assistant/passages.ts';

/** A partner's uploaded document as stored: its passages and what it was uploaded as. */
export interface StoredDocument {
  id: string;
  title: string;
  format: DocumentFormat;
  contentType: string;
  bytes: number;
  uploadedAt: string;
  uploadedBy: string;
  passages: Passage[];
}

export type DocumentSummary = Omit<StoredDocument, 'passages'> & { passageCount: number; etag: string };

/** Uploaded knowledge documents (Blob Storage). */
export interface KnowledgeDocuments {
  /** Every document with its version (one list call); the versions make the knowledge base's fingerprint. */
  list(): Promise<DocumentSummary[]>;
  get(id: string): Promise<StoredDocument | undefined>;
  /** Creates or replaces the document `id` (a repeated upload of the same id replaces it: idempotent). */
  put(doc: StoredDocument): Promise<{ etag: string }>;
  /** Removes it; true when it existed. */
  delete(id: string): Promise<boolean>;
}

/** The articles shipped with the product (`knowledge/*.md`). */
export interface ShippedArticles {
  list(): Promise<KnowledgeText[]>;
}

/** Text of a PDF, page by page. */
export interface PdfText {
  extract(bytes: Uint8Array): Promise<string>;
}

export interface SearchHit {
  passage: Passage;
  score: number;
}

/**
 * Full-text retrieval over every passage: the embedded engine (MiniSearch, persisted in Blob) or Azure AI
 * Search. `sync` brings the index in line with a knowledge base identified by `fingerprint`, reading the
 * passages only when the index holds another version.
 */
export interface KnowledgeIndex {
  sync(fingerprint: string, passages: () => Promise<Passage[]>): Promise<void>;
  search(query: string, top: number): Promise<SearchHit[]>;
}

/** A numbered source given to the answer generator: a passage or a fact of the caller's account. */
export interface GenerationSource {
  n: number;
  title: string;
  text: string;
}

export interface GeneratedStatement {
  text: string;
  citations: number[];
}

/** Writes an answer from the given sources only (Azure OpenAI), citing them by number. */
export interface AnswerGenerator {
  generate(input: {
    question: string;
    history: { question: string; answer: string }[];
    sources: GenerationSource[];
  }): Promise<GeneratedStatement[]>;
}

export interface ConversationTurn {
  question: string;
  answer: string;
  at: string;
  /** Documents the answer cited: a follow-up prefers passages of these. */
  documentIds?: string[];
}

export interface Conversation {
  id: string;
  /** The route's customer, or none for the partner's general assistant. */
  customerId?: string;
  turns: ConversationTurn[];
  expiresAt: string;
}

/** Conversations per signed-in identity, kept for a while for follow-up questions. */
export interface ConversationStore {
  get(ownerKey: string, id: string): Promise<{ value: Conversation; etag: string } | undefined>;
  /** Creates (no etag) or replaces under the etag read (412 semantics: throws on a stale etag). */
  save(ownerKey: string, conversation: Conversation, etag?: string): Promise<void>;
}
