import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import type { Conversation, ConversationStore } from '../../app/ports/knowledge.port.ts';
import { corruptRow, guarded, storageStatus } from './table-errors.ts';

/** Table `conversations`: partition `{tenantId}_{objectId}` of the asker, row the conversation id, value as JSON. */
const conversationSchema = z.object({
  id: z.string(),
  customerId: z.string().optional(),
  turns: z.array(
    z.object({ question: z.string(), answer: z.string(), at: z.string(), documentIds: z.array(z.string()).optional() }),
  ),
  expiresAt: z.iso.datetime(),
});

export function conversationsTable(client: TableClient): ConversationStore {
  return {
    async get(ownerKey, id) {
      let entity: { data?: unknown; etag: string };
      try {
        entity = await client.getEntity<{ data?: unknown }>(ownerKey.toLowerCase(), id);
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw error;
      }
      try {
        return { value: conversationSchema.parse(JSON.parse(String(entity.data))) as Conversation, etag: entity.etag };
      } catch (error) {
        throw corruptRow('conversations', ownerKey, error);
      }
    },
    async save(ownerKey, conversation, etag) {
      const entity = {
        partitionKey: ownerKey.toLowerCase(),
        rowKey: conversation.id,
        data: JSON.stringify(conversation),
      };
      if (etag) await guarded(() => client.updateEntity(entity, 'Replace', { etag }));
      else await guarded(() => client.createEntity(entity));
    },
  };
}
