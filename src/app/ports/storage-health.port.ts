/** Whether Table and Blob storage answer (GET /health). */
export interface StorageHealth {
  ping(): Promise<{ tables: boolean; blobs: boolean }>;
}
