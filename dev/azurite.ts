import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createConnection } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { indexAzuritePartitions } from './azurite-partition-index.ts';
import { narrowAzuritePointLookups } from './azurite-point-lookups.ts';

/**
 * Azurite's table and blob servers, in this process. The package root needs `vscode`, so the server classes
 * are loaded from their dist paths. `skipApiVersionCheck` lets newer SDKs talk to it; `loose` ignores headers
 * it does not know. With `dataDir` the data survives restarts; without it everything is in memory. Queries on a
 * partition key read only the partitions they name (dev/azurite-partition-index.ts), as in Azure, instead of the
 * whole table, and a look-up of one entity or blob seeks by its row key or name (dev/azurite-point-lookups.ts)
 * instead of comparing every row of the partition or every blob of the account; `AZURITE_PLAIN_QUERIES=1` leaves
 * Azurite's own evaluation (to compare).
 */
export const ACCOUNT = 'devstoreaccount1';
export const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * Azurite's usual ports (what `UseDevelopmentStorage=true` points at). `AZURITE_BLOB_PORT` and
 * `AZURITE_TABLE_PORT` move them, so that two local hosts (two checkouts) can run side by side.
 */
export const AZURITE_BLOB_PORT = Number(process.env.AZURITE_BLOB_PORT ?? 10000);
export const AZURITE_TABLE_PORT = Number(process.env.AZURITE_TABLE_PORT ?? 10002);
export const AZURITE_PORTS_MOVED = AZURITE_BLOB_PORT !== 10000 || AZURITE_TABLE_PORT !== 10002;

export function portAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface AzuriteOptions {
  dataDir?: string;
  host?: string;
  blobPort?: number;
  tablePort?: number;
}

export interface RunningAzurite {
  connectionString: string;
  blobPort: number;
  tablePort: number;
  close(): Promise<void>;
}

interface AzuriteServer {
  start(): Promise<void>;
  close(): Promise<void>;
  httpServer: { address(): AddressInfo | string | null };
}

type ServerClass = new (config: unknown) => AzuriteServer;
type ConfigClass = new (...args: unknown[]) => unknown;

export function connectionStringFor(host: string, blobPort: number, tablePort: number): string {
  return (
    [
      'DefaultEndpointsProtocol=http',
      `AccountName=${ACCOUNT}`,
      `AccountKey=${ACCOUNT_KEY}`,
      `BlobEndpoint=http://${host}:${blobPort}/${ACCOUNT}`,
      `TableEndpoint=http://${host}:${tablePort}/${ACCOUNT}`,
    ].join(';') + ';'
  );
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  if (process.env.AZURITE_PLAIN_QUERIES !== '1') {
    indexAzuritePartitions();
    narrowAzuritePointLookups();
  }
  const require = createRequire(import.meta.url);
  const load = <T>(modulePath: string) => (require(`azurite/dist/src/${modulePath}`) as { default: T }).default;
  const TableServer = load<ServerClass>('table/TableServer');
  const TableConfiguration = load<ConfigClass>('table/TableConfiguration');
  const BlobServer = load<ServerClass>('blob/BlobServer');
  const BlobConfiguration = load<ConfigClass>('blob/BlobConfiguration');

  const host = options.host ?? '127.0.0.1';
  const memory = options.dataDir === undefined;
  const dir = options.dataDir ?? '';
  if (!memory) await mkdir(path.join(dir, 'blobstorage'), { recursive: true });

  const tableConfig = new TableConfiguration(
    host,
    options.tablePort ?? 0,
    undefined,
    path.join(dir, '__azurite_db_table__.json'),
    false,
    false,
    undefined,
    undefined,
    true,
    true,
    '',
    '',
    '',
    undefined,
    false,
    memory,
  );
  const blobConfig = new BlobConfiguration(
    host,
    options.blobPort ?? 0,
    undefined,
    path.join(dir, '__azurite_db_blob__.json'),
    path.join(dir, '__azurite_db_blob_extent__.json'),
    [{ locationId: 'Default', locationPath: path.join(dir, 'blobstorage'), maxConcurrency: 10 }],
    false,
    undefined,
    false,
    undefined,
    true,
    true,
    '',
    '',
    '',
    undefined,
    false,
    memory,
  );
  const table = new TableServer(tableConfig);
  const blob = new BlobServer(blobConfig);
  await table.start();
  try {
    await blob.start();
  } catch (error) {
    await table.close();
    throw error;
  }
  const port = (server: AzuriteServer) => (server.httpServer.address() as AddressInfo).port;
  const blobPort = port(blob);
  const tablePort = port(table);
  return {
    connectionString: connectionStringFor(host, blobPort, tablePort),
    blobPort,
    tablePort,
    async close() {
      await Promise.allSettled([table.close(), blob.close()]);
    },
  };
}

/** The connection string of the local host's own Azurite: `UseDevelopmentStorage=true`, or its moved ports. */
export function isLocalHostStorage(connectionString: string | undefined): boolean {
  if (!connectionString) return false;
  return (
    /UseDevelopmentStorage=true/i.test(connectionString) ||
    connectionString === connectionStringFor('127.0.0.1', AZURITE_BLOB_PORT, AZURITE_TABLE_PORT)
  );
}
