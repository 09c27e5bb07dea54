import { odata, TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.ts';
import { partitionBounds, type QueryNode } from '../../dev/azurite-partition-index.ts';

/**
 * Azurite narrowed to the partitions a filter names (dev/azurite-partition-index.ts) answers every query exactly as
 * the filter says: the same entities, in key order, page by page, after inserts, replacements, merges and deletes.
 * The expected answers are computed here from what was written, not by Azurite.
 */
interface Row {
  partitionKey: string;
  rowKey: string;
  n: number;
  tag: string;
}

let azurite: RunningAzurite;
let client: TableClient;
const rows = new Map<string, Row>();
const keyOf = (r: Pick<Row, 'partitionKey' | 'rowKey'>) => `${r.partitionKey}\u0000${r.rowKey}`;
// Keys LokiJS would order as numbers ('10' after '9'), separators, neighbours of a range's ends.
const partitions = ['1', '10', '2', '9', 'a|2026-08', 'a|2026-09', 'a|2026-10', 'a}', 'b|2026-09', 'b', 'c|x'];

async function query(filter: string, pageSize?: number): Promise<Row[]> {
  const found: Row[] = [];
  const pages = client
    .listEntities<Row>({ queryOptions: { filter } })
    .byPage(pageSize ? { maxPageSize: pageSize } : {});
  for await (const page of pages)
    for (const e of page) found.push({ partitionKey: e.partitionKey, rowKey: e.rowKey, n: e.n, tag: e.tag });
  return found;
}

const expected = (match: (r: Row) => boolean) =>
  [...rows.values()]
    .filter(match)
    .sort((a, b) =>
      a.partitionKey < b.partitionKey ? -1 : a.partitionKey > b.partitionKey ? 1 : a.rowKey < b.rowKey ? -1 : 1,
    );

async function write(row: Row, mode: 'Replace' | 'Merge' = 'Replace') {
  await client.upsertEntity(row, mode);
  rows.set(keyOf(row), row);
}

beforeAll(async () => {
  azurite = await startAzurite();
  client = TableClient.fromConnectionString(azurite.connectionString, 'partitionindex', {
    allowInsecureConnection: true,
  });
  await client.createTable();
  let n = 0;
  for (const partitionKey of partitions)
    for (const rowKey of ['r1', 'r10', 'r2', 'x|1'])
      await write({ partitionKey, rowKey, n: n++, tag: n % 3 ? 'odd' : 'even' });
  // A partition large enough that a row-key condition is answered by LokiJS's row-key index, not by reading it all,
  // with row keys LokiJS would compare as numbers ('10', '1e1', '10.0').
  const big = ['r1', 'r10', 'r2', 'x|1', '10', '1e1', '10.0', '9', ...Array.from({ length: 70 }, (_, i) => `f${i}`)];
  await client.submitTransaction(
    big.slice(0, 50).map((rowKey) => ['create', { partitionKey: 'big', rowKey, n: n++, tag: 'odd' }]),
  );
  await client.submitTransaction(
    big.slice(50).map((rowKey) => ['create', { partitionKey: 'big', rowKey, n: n++, tag: 'odd' }]),
  );
  n -= big.length;
  for (const rowKey of big)
    rows.set(keyOf({ partitionKey: 'big', rowKey }), { partitionKey: 'big', rowKey, n: n++, tag: 'odd' });
}, 60_000);

afterAll(async () => {
  await azurite?.close();
});

const filters: [string, (r: Row) => boolean][] = [
  [odata`PartitionKey eq ${'10'}`, (r) => r.partitionKey === '10'],
  [
    odata`PartitionKey eq ${'a|2026-09'} and RowKey ge ${'r1'}`,
    (r) => r.partitionKey === 'a|2026-09' && r.rowKey >= 'r1',
  ],
  [
    odata`PartitionKey ge ${'a|2026-08'} and PartitionKey le ${'a|2026-10'}`,
    (r) => r.partitionKey >= 'a|2026-08' && r.partitionKey <= 'a|2026-10',
  ],
  [odata`PartitionKey gt ${'1'} and PartitionKey lt ${'9'}`, (r) => r.partitionKey > '1' && r.partitionKey < '9'],
  [odata`PartitionKey ge ${'b'}`, (r) => r.partitionKey >= 'b'],
  [odata`PartitionKey lt ${'a}'} and n ge ${5}`, (r) => r.partitionKey < 'a}' && r.n >= 5],
  [odata`PartitionKey eq ${'1'} and PartitionKey eq ${'2'}`, () => false],
  [odata`PartitionKey eq ${'1'} or PartitionKey eq ${'9'}`, (r) => r.partitionKey === '1' || r.partitionKey === '9'],
  [
    odata`PartitionKey eq ${'big'} and (RowKey eq ${'r10'} or RowKey eq ${'r2'} or RowKey eq ${'nowhere'})`,
    (r) => r.partitionKey === 'big' && ['r10', 'r2'].includes(r.rowKey),
  ],
  [odata`PartitionKey eq ${'big'} and RowKey eq ${'10'}`, (r) => r.partitionKey === 'big' && r.rowKey === '10'],
  [
    odata`PartitionKey ge ${'a|2026-08'} and PartitionKey lt ${'b'} and RowKey eq ${'r1'}`,
    (r) => r.partitionKey >= 'a|2026-08' && r.partitionKey < 'b' && r.rowKey === 'r1',
  ],
  [odata`PartitionKey eq ${'big'} and RowKey eq ${'r1'} and RowKey eq ${'r2'}`, () => false],
  [odata`tag eq ${'even'}`, (r) => r.tag === 'even'],
  [odata`not (PartitionKey eq ${'b'})`, (r) => r.partitionKey !== 'b'],
];

describe('Azurite narrowed to the partitions a filter names', () => {
  it('answers each filter with exactly its entities in key order, whole and page by page', async () => {
    for (const [filter, match] of filters) {
      expect(await query(filter), filter).toEqual(expected(match));
      expect(await query(filter, 3), `${filter} in pages of 3`).toEqual(expected(match));
    }
  });

  it('follows inserts, replacements, merges and deletes made after earlier queries', async () => {
    await write({ partitionKey: 'a|2026-09', rowKey: 'new', n: 100, tag: 'even' });
    await write({ partitionKey: 'a|2026-095', rowKey: 'r1', n: 101, tag: 'odd' });
    await write({ ...(rows.get(keyOf({ partitionKey: '10', rowKey: 'r2' })) as Row), n: 102 });
    await client.updateEntity({ partitionKey: '2', rowKey: 'r1', tag: 'merged' }, 'Merge');
    rows.set(keyOf({ partitionKey: '2', rowKey: 'r1' }), {
      ...(rows.get(keyOf({ partitionKey: '2', rowKey: 'r1' })) as Row),
      tag: 'merged',
    });
    for (const rowKey of ['r1', 'r10', 'r2', 'x|1']) {
      await client.deleteEntity('c|x', rowKey);
      rows.delete(keyOf({ partitionKey: 'c|x', rowKey }));
    }
    await client.deleteEntity('a|2026-09', 'r2');
    rows.delete(keyOf({ partitionKey: 'a|2026-09', rowKey: 'r2' }));
    await client.deleteEntity('big', 'r2');
    rows.delete(keyOf({ partitionKey: 'big', rowKey: 'r2' }));
    await write({ ...(rows.get(keyOf({ partitionKey: 'big', rowKey: 'r10' })) as Row), n: 107 });
    await client.submitTransaction([
      ['create', { partitionKey: 'c|x', rowKey: 'again', n: 103, tag: 'odd' }],
      ['upsert', { partitionKey: 'c|x', rowKey: 'r1', n: 104, tag: 'even' }, 'Replace'],
    ]);
    rows.set(keyOf({ partitionKey: 'c|x', rowKey: 'again' }), {
      partitionKey: 'c|x',
      rowKey: 'again',
      n: 103,
      tag: 'odd',
    });
    rows.set(keyOf({ partitionKey: 'c|x', rowKey: 'r1' }), { partitionKey: 'c|x', rowKey: 'r1', n: 104, tag: 'even' });
    // A failed transaction (a create of an existing row) leaves nothing of itself behind.
    await expect(
      client.submitTransaction([
        ['create', { partitionKey: 'b', rowKey: 'rolled-back', n: 105, tag: 'odd' }],
        ['create', { partitionKey: 'b', rowKey: 'r1', n: 106, tag: 'odd' }],
      ]),
    ).rejects.toThrow();

    for (const [filter, match] of [
      ...filters,
      [odata`PartitionKey eq ${'c|x'}`, (r: Row) => r.partitionKey === 'c|x'],
      [odata`PartitionKey eq ${'2'} and tag eq ${'merged'}`, (r: Row) => r.partitionKey === '2' && r.tag === 'merged'],
    ] as [string, (r: Row) => boolean][]) {
      expect(await query(filter), filter).toEqual(expected(match));
      expect(await query(filter, 2), `${filter} in pages of 2`).toEqual(expected(match));
    }
  });
});

describe('partitionBounds', () => {
  const id = (identifier: string): QueryNode => ({ name: 'id', identifier });
  const constant = (value: unknown): QueryNode => ({ name: 'constant', value });
  const op = (name: string, left: QueryNode, right: QueryNode): QueryNode => ({ name, left, right });

  it('reads the partition conditions of a conjunction; a constant on the left is left to evaluation', () => {
    expect(partitionBounds(op('eq', id('PartitionKey'), constant('p')))).toEqual({ eq: 'p' });
    expect(
      partitionBounds(
        op(
          'and',
          op('and', op('ge', id('PartitionKey'), constant('a')), op('lt', id('PartitionKey'), constant('c'))),
          op('gt', constant('b'), id('PartitionKey')),
        ),
      ),
    ).toEqual({ lower: { key: 'a', inclusive: true }, upper: { key: 'c', inclusive: false } });
  });

  it('declines what it cannot narrow: or, not, no partition condition, a non-string constant', () => {
    expect(
      partitionBounds(
        op('or', op('eq', id('PartitionKey'), constant('a')), op('eq', id('PartitionKey'), constant('b'))),
      ),
    ).toBeUndefined();
    expect(partitionBounds({ name: 'not', left: op('eq', id('PartitionKey'), constant('a')) })).toBeUndefined();
    expect(partitionBounds(op('eq', id('RowKey'), constant('a')))).toBeUndefined();
    expect(partitionBounds(op('eq', id('PartitionKey'), constant(5)))).toBeUndefined();
  });

  it('reads the row keys a conjunction admits from RowKey equalities and their or', () => {
    const pk = op('eq', id('PartitionKey'), constant('p'));
    const row = (key: unknown) => op('eq', id('RowKey'), constant(key));
    expect(partitionBounds(op('and', pk, op('or', row('a'), op('or', row('b'), row('a')))))).toEqual({
      eq: 'p',
      rows: ['a', 'b'],
    });
    expect(partitionBounds(op('and', op('and', pk, row('a')), op('or', row('a'), row('b'))))).toEqual({
      eq: 'p',
      rows: ['a'],
    });
    // An or with anything but a row key's equality, or a non-string key, says nothing about the rows.
    expect(partitionBounds(op('and', pk, op('or', row('a'), op('eq', id('tag'), constant('b')))))).toEqual({ eq: 'p' });
    expect(partitionBounds(op('and', pk, row(5)))).toEqual({ eq: 'p' });
  });
});
