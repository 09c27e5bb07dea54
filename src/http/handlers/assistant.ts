import { z } from 'zod';
import { askAssistant, assistantLimited, ownerKey, type AssistantAnswer } from '../../app/assistant/ask.ts';
import {
  deleteDocument,
  documentContentTypes,
  readDocument,
  uploadDocument,
} from '../../app/assistant/knowledge-base.ts';
import type { Principal } from '../../app/principal.ts';
import { documentFormats, toPassages } from '../../domain/assistant/passages.ts';
import type { Services } from '../../app/services.ts';
import { defineRoute } from '../route.ts';
import { customerIdParams } from '../schemas.ts';

const messageBody = z
  .strictObject({
    question: z.string().trim().min(2).max(1000).describe('The question, in the user’s words'),
    conversationId: z.uuid().optional().describe('To ask a follow-up: the conversationId of the previous answer'),
  })
  .meta({ id: 'AssistantQuestion' });

const referenceSchema = z.object({
  n: z.number().int(),
  kind: z.enum(['knowledge', 'account']),
  title: z.string(),
  link: z.string().describe('The article section, or the API resource an account fact was read from'),
  passage: z.string(),
});

const answerSchema = z
  .object({
    conversationId: z.uuid(),
    mode: z.enum(['generated', 'extractive']),
    note: z.string(),
    statements: z.array(
      z.object({ text: z.string(), references: z.array(z.number().int()).describe('Numbers of its references') }),
    ),
    references: z.array(referenceSchema),
    expiresAt: z.iso.datetime().describe('When the conversation is forgotten unless continued'),
  })
  .meta({ id: 'AssistantAnswer' });

async function ask(
  services: Services,
  principal: Principal,
  body: z.output<typeof messageBody>,
  customerId?: string,
): Promise<AssistantAnswer> {
  const allowed = services.assistantLimiter.take(ownerKey(principal));
  if (!allowed.ok) throw assistantLimited(allowed.retryAfterSeconds);
  return askAssistant(services.assistant, {
    principal,
    question: body.question,
    ...(customerId ? { customerId } : {}),
    ...(body.conversationId ? { conversationId: body.conversationId } : {}),
  });
}

export const askCustomerAssistantRoute = defineRoute({
  name: 'askCustomerAssistant',
  method: 'POST',
  path: '/customers/{customerId}/assistant/messages',
  access: { customer: 'View' },
  summary:
    'Ask the support assistant, for this customer: answers from the knowledge base and from this customer’s own subscriptions and invoices, each statement with its references',
  tags: ['assistant'],
  params: customerIdParams,
  body: messageBody,
  responses: { 200: { description: 'The answer', schema: answerSchema } },
  async handler({ params, body, principal, services }) {
    return { status: 200, body: await ask(services, principal, body, params.customerId) };
  },
});

export const askAssistantRoute = defineRoute({
  name: 'askAssistant',
  method: 'POST',
  path: '/assistant/messages',
  access: 'signedIn',
  summary:
    'Ask the support assistant from the knowledge base only (no account data; ask under /customers/{customerId} for that)',
  tags: ['assistant'],
  body: messageBody,
  responses: { 200: { description: 'The answer', schema: answerSchema } },
  async handler({ body, principal, services }) {
    return { status: 200, body: await ask(services, principal, body) };
  },
});

const documentIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, at most 63')
  .describe('The document’s id, chosen by the partner (e.g. `price-change-policy`)');
const documentParams = z.strictObject({ documentId: documentIdSchema });

const documentSummarySchema = z
  .object({
    id: z.string(),
    title: z.string(),
    format: z.enum(documentFormats),
    contentType: z.string(),
    bytes: z.number().int(),
    uploadedAt: z.string(),
    uploadedBy: z.string(),
    passageCount: z.number().int(),
    etag: z.string(),
  })
  .meta({ id: 'KnowledgeDocument' });

export const listKnowledgeDocumentsRoute = defineRoute({
  name: 'listKnowledgeDocuments',
  method: 'GET',
  path: '/assistant/documents',
  access: 'partnerAdmin',
  summary: 'The knowledge base: the shipped articles and the partner’s uploaded documents',
  tags: ['assistant'],
  responses: {
    200: {
      description: 'Articles and documents',
      schema: z.object({
        articles: z.array(z.object({ id: z.string(), title: z.string(), passageCount: z.number().int() })),
        documents: z.array(documentSummarySchema),
      }),
    },
  },
  async handler({ services }) {
    const [articles, documents] = await Promise.all([
      services.assistant.articles.list(),
      services.assistant.documents.list(),
    ]);
    return {
      status: 200,
      body: {
        articles: articles.map((a) => ({ id: a.id, title: a.title, passageCount: toPassages(a).length })),
        documents,
      },
    };
  },
});

export const putKnowledgeDocumentRoute = defineRoute({
  name: 'putKnowledgeDocument',
  method: 'PUT',
  path: '/assistant/documents/{documentId}',
  access: 'partnerAdmin',
  summary:
    'Upload (or replace) a knowledge document: Markdown, HTML, PDF or plain text, split into passages at its headings and indexed at once. Its text is data for answers, never instructions.',
  tags: ['assistant'],
  params: documentParams,
  query: z.strictObject({
    title: z.string().trim().min(1).max(200).optional().describe('Defaults to the document’s own title'),
  }),
  body: z.instanceof(Uint8Array),
  binaryBody: { contentTypes: Object.keys(documentContentTypes), maxBytes: 5 * 1024 * 1024 },
  responses: { 200: { description: 'Stored and indexed', schema: documentSummarySchema } },
  async handler({ params, query, body, headers, principal, services }) {
    const summary = await uploadDocument(services.assistant, {
      id: params.documentId,
      ...(query.title ? { title: query.title } : {}),
      contentType: headers.get('content-type') ?? '',
      bytes: body,
      uploadedBy: principal.identity.email ?? principal.identity.objectId,
    });
    return { status: 200, body: summary };
  },
});

export const deleteKnowledgeDocumentRoute = defineRoute({
  name: 'deleteKnowledgeDocument',
  method: 'DELETE',
  path: '/assistant/documents/{documentId}',
  access: 'partnerAdmin',
  summary: 'Remove an uploaded knowledge document; the index is rebuilt without it',
  tags: ['assistant'],
  params: documentParams,
  responses: { 204: { description: 'Removed' } },
  async handler({ params, services }) {
    await deleteDocument(services.assistant, params.documentId);
    return { status: 204 };
  },
});

export const getKnowledgeDocumentRoute = defineRoute({
  name: 'getKnowledgeDocument',
  method: 'GET',
  path: '/assistant/documents/{documentId}',
  access: 'signedIn',
  summary: 'A knowledge article or document as passages, each with its anchor: where a reference’s link points',
  tags: ['assistant'],
  params: documentParams,
  responses: {
    200: {
      description: 'The document',
      schema: z.object({
        id: z.string(),
        title: z.string(),
        source: z.enum(['shipped', 'uploaded']),
        passages: z.array(z.object({ anchor: z.string(), section: z.string(), text: z.string() })),
      }),
    },
  },
  async handler({ params, services }) {
    const doc = await readDocument(services.assistant, params.documentId);
    return {
      status: 200,
      body: { ...doc, passages: doc.passages.map((p) => ({ anchor: p.anchor, section: p.section, text: p.text })) },
    };
  },
});

export const assistantRoutes = [
  askAssistantRoute,
  askCustomerAssistantRoute,
  listKnowledgeDocumentsRoute,
  getKnowledgeDocumentRoute,
  putKnowledgeDocumentRoute,
  deleteKnowledgeDocumentRoute,
];
