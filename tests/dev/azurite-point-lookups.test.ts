import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.ts';
import { selectiveFirst } from '../../dev/azurite-point-lookups.ts';

/**
 * Azurite with its point look-ups on the selective key first (dev/azurite-point-lookups.ts) still finds exactly the
 * entity or blob asked for: keys LokiJS would compare as numbers ('1', '01', '1.0', '1e0') stay apart, in every
 * partition and container, through replace, merge, delete and conditional writes.
 */
let azurite: RunningAzurite;
let table: TableClient;
let blobs: BlobServiceClient;

const numericLooking = ['1', '01', '1.0', '1e0', '10', '2'];
const partitions = ['1', '01', 'p'];

beforeAll(async () => {
  azurite = await startAzurite();
  table = TableClient.fromConnectionString(azurite.connectionString, 'pointlookups', { allowInsecureConnection: true });
  await table.createTable();
  blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
}, 60_000);

afterAll(async () => {
  await azurite?.close();
});

describe('selectiveFirst', () => {
  it('moves a string RowKey or name to the front and leaves other queries alone', () => {
    expect(Object.keys(selectiveFirst({ PartitionKey: 'p', RowKey: 'r' }).query as object)).toEqual([
      'RowKey',
      'PartitionKey',
    ]);
    expect(selectiveFirst({ accountName: 'a', containerName: 'c', name: 'n', snapshot: '' })).toMatchObject({
      key: 'name',
      query: { name: 'n', accountName: 'a', containerName: 'c', snapshot: '' },
    });
    const operator = { PartitionKey: 'p', RowKey: { $gt: 'r' } };
    expect(selectiveFirst(operator).query).toBe(operator);
    const single = { RowKey: 'r' };
    expect(selectiveFirst(single).query).toBe(single);
  });
});

describe('Azurite point look-ups', () => {
  it('reads, replaces, merges and deletes the entity asked for among numeric-looking keys', async () => {
    for (const partitionKey of partitions)
      for (const rowKey of numericLooking)
        await table.createEntity({ partitionKey, rowKey, tag: `${partitionKey}/${rowKey}` });
    for (const partitionKey of partitions)
      for (const rowKey of numericLooking)
        expect((await table.getEntity<{ tag: string }>(partitionKey, rowKey)).tag).toBe(`${partitionKey}/${rowKey}`);

    await table.updateEntity({ partitionKey: '01', rowKey: '1.0', tag: 'replaced' }, 'Replace');
    await table.updateEntity({ partitionKey: '1', rowKey: '01', extra: 'merged' }, 'Merge');
    await table.deleteEntity('p', '1e0');
    const all = new Map<string, Record<string, unknown>>();
    for await (const e of table.listEntities<Record<string, unknown>>()) all.set(`${e.partitionKey}|${e.rowKey}`, e);
    expect(all.size).toBe(partitions.length * numericLooking.length - 1);
    expect(all.get('01|1.0')?.tag).toBe('replaced');
    expect(all.get('01|1')?.tag).toBe('01/1');
    expect(all.get('1|01')).toMatchObject({ tag: '1/01', extra: 'merged' });
    expect(all.get('1|1')?.extra).toBeUndefined();
    expect(all.has('p|1e0')).toBe(false);
    expect(all.get('p|1')?.tag).toBe('p/1');

    // A conditional create of an existing key is refused; of a numerically equal new key, accepted.
    await expect(table.createEntity({ partitionKey: 'p', rowKey: '2', tag: 'again' })).rejects.toMatchObject({
      statusCode: 409,
    });
    await table.createEntity({ partitionKey: 'p', rowKey: '2.0', tag: 'p/2.0' });
    expect((await table.getEntity<{ tag: string }>('p', '2')).tag).toBe('p/2');
    expect((await table.getEntity<{ tag: string }>('p', '2.0')).tag).toBe('p/2.0');
  });

  it('writes and reads the blob asked for among numeric-looking names, in several containers', async () => {
    for (const name of ['cona', 'conb']) await blobs.getContainerClient(name).create();
    for (const container of ['cona', 'conb'])
      for (const name of numericLooking)
        await blobs.getContainerClient(container).getBlockBlobClient(name).upload(`${container}/${name}`, 10);
    // Overwrite one, refuse a create-if-absent of an existing one.
    await blobs.getContainerClient('conb').getBlockBlobClient('1.0').upload('conb/1.0 again', 14);
    await expect(
      blobs
        .getContainerClient('cona')
        .getBlockBlobClient('01')
        .upload('x', 1, { conditions: { ifNoneMatch: '*' } }),
    ).rejects.toMatchObject({ statusCode: 409 });
    for (const container of ['cona', 'conb'])
      for (const name of numericLooking) {
        const body = await blobs.getContainerClient(container).getBlobClient(name).downloadToBuffer();
        expect(body.toString()).toBe(
          container === 'conb' && name === '1.0' ? 'conb/1.0 again' : `${container}/${name}`,
        );
      }
  });
});
