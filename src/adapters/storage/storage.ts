import { AsyncLocalStorage } from 'node:async_hooks';
import type { TableClient, TableServiceClient } from '@azure/data-tables';
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { Config } from '../../config.ts';

/** Every table and container the app uses; created by the local host and tests, by `infra/` in Azure. */
export const tableNames = [
  'customers',
  'access',
  'catalog',
  'prices',
  'saleprofiles',
  'customerdata',
  'settings',
  'commercesim',
  'duechanges',
  'outbox',
  'portalusers',
  'profiles',
  'agreements',
  'tenantsim',
  'directorysim',
  'consentrequests',
  'billinglines',
  'invoices',
  'oneoffcharges',
  'billingruns',
  'usage',
  'resellers',
  'licensecounts',
  'msbilled',
  'reconciliation',
  'psa',
  'conversations',
  'seatsnapshots',
  'workqueue',
] as const;
export const containerNames = ['reports', 'branding', 'knowledge'] as const;
export type TableName = (typeof tableNames)[number];
export type ContainerName = (typeof containerNames)[number];

export interface StorageCallCounter {
  count: number;
  /** The same calls by kind: `{METHOD} {table}` (`POST $batch` for a transaction), for benchmarks' breakdowns. */
  byKind: Map<string, number>;
}

/**
 * Calls made inside `storageCallScope.run(counter, fn)` are also counted in that counter (and its kinds): a benchmark
 * attributes calls to the unit of work (one customer's message) that made them, however many run at once.
 */
export const storageCallScope = new AsyncLocalStorage<StorageCallCounter & { requests?: string[] }>();

/** `GET billingruns`, `POST $batch`: the method and the table (the name prefix dropped) a request goes to. */
export function callKind(method: string, url: string, prefix: string): string {
  const segment = decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? '');
  const table = segment.replace(/\(.*$/, '');
  return `${method} ${table.startsWith(prefix) ? table.slice(prefix.length) : table}`;
}

export interface Storage {
  /** A table client; `counted: false` leaves its calls out of `calls` (the simulator stands in for Microsoft). */
  table(name: TableName, options?: { counted?: boolean }): TableClient;
  container(name: ContainerName): Promise<ContainerClient>;
  /** Creates missing tables and containers. */
  ensure(): Promise<void>;
  /** Reachability of the table and blob endpoints, for /api/health. */
  ping(): Promise<{ tables: boolean; blobs: boolean }>;
  /** Table requests sent since start (a pipeline policy counts them; benchmarks read it). */
  readonly calls: StorageCallCounter;
}

export function physicalName(config: Pick<Config, 'STORAGE_NAME_PREFIX'>, name: string): string {
  return `${config.STORAGE_NAME_PREFIX}${name}`;
}

/** Builds the storage clients once. The SDKs are imported here, on first use, to keep cold start short. */
export async function createStorage(config: Config): Promise<Storage> {
  const { TableClient, TableServiceClient } = await import('@azure/data-tables');
  const calls: StorageCallCounter = { count: 0, byKind: new Map() };
  const counter: PipelinePolicy = {
    name: 'storageCallCounter',
    sendRequest: (request, next) => {
      calls.count += 1;
      const kind = callKind(request.method, request.url, config.STORAGE_NAME_PREFIX);
      calls.byKind.set(kind, (calls.byKind.get(kind) ?? 0) + 1);
      const scope = storageCallScope.getStore();
      if (scope) {
        scope.count += 1;
        scope.byKind.set(kind, (scope.byKind.get(kind) ?? 0) + 1);
        scope.requests?.push(`${request.method} ${decodeURIComponent(request.url)}`);
      }
      return next(request);
    },
  };
  const options = {
    allowInsecureConnection: isLocalConnection(config.STORAGE_CONNECTION_STRING),
    additionalPolicies: [{ policy: counter, position: 'perCall' as const }],
    retryOptions: { maxRetries: 3 },
  };

  const credential = config.STORAGE_CONNECTION_STRING ? undefined : await azureCredential(config);
  const tableClients = new Map<string, TableClient>();
  const tableService: TableServiceClient = credential
    ? new TableServiceClient(config.STORAGE_TABLE_URL, credential, options)
    : TableServiceClient.fromConnectionString(config.STORAGE_CONNECTION_STRING, options);

  const uncounted = { ...options, additionalPolicies: [] };
  const table = (name: TableName, { counted = true }: { counted?: boolean } = {}): TableClient => {
    const key = `${name}:${counted}`;
    let client = tableClients.get(key);
    if (!client) {
      const physical = physicalName(config, name);
      const clientOptions = counted ? options : uncounted;
      client = credential
        ? new TableClient(config.STORAGE_TABLE_URL, physical, credential, clientOptions)
        : TableClient.fromConnectionString(config.STORAGE_CONNECTION_STRING, physical, clientOptions);
      tableClients.set(key, client);
    }
    return client;
  };

  let blobService: Promise<BlobServiceClient> | undefined;
  const blobs = () =>
    (blobService ??= import('@azure/storage-blob').then(({ BlobServiceClient }) =>
      credential
        ? new BlobServiceClient(config.STORAGE_BLOB_URL, credential)
        : BlobServiceClient.fromConnectionString(config.STORAGE_CONNECTION_STRING),
    ));

  return {
    calls,
    table,
    container: async (name) => (await blobs()).getContainerClient(physicalName(config, name)),
    async ensure() {
      await Promise.all(tableNames.map((name) => tableService.createTable(physicalName(config, name))));
      const service = await blobs();
      await Promise.all(
        containerNames.map((name) => service.getContainerClient(physicalName(config, name)).createIfNotExists()),
      );
    },
    async ping() {
      const abortSignal = AbortSignal.timeout(3000);
      const [tables, blobsOk] = await Promise.all([
        table('customers')
          .listEntities({ queryOptions: { select: ['PartitionKey'] }, abortSignal })
          .byPage({ maxPageSize: 1 })
          .next()
          .then(
            () => true,
            () => false,
          ),
        blobs()
          .then((service) => service.getContainerClient(physicalName(config, 'reports')).exists({ abortSignal }))
          .catch(() => false),
      ]);
      return { tables, blobs: blobsOk };
    },
  };
}

function isLocalConnection(connectionString: string): boolean {
  return /UseDevelopmentStorage=true|https?:\/\/(127\.0\.0\.1|localhost)[:/]/i.test(connectionString);
}

async function azureCredential(config: Config) {
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new DefaultAzureCredential(config.AZURE_CLIENT_ID ? { managedIdentityClientId: config.AZURE_CLIENT_ID } : {});
}
