import type { TestProject } from 'vitest/node';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.ts';

/**
 * One Azurite for the whole run, in memory on free ports. TEST_STORAGE_CONNECTION_STRING reuses one that is
 * already running, but only on this machine: tests never touch a real storage account.
 */
let azurite: RunningAzurite | undefined;

export async function setup(project: TestProject): Promise<void> {
  let connectionString = process.env.TEST_STORAGE_CONNECTION_STRING;
  if (connectionString) {
    if (
      !/(Table|Blob)Endpoint=https?:\/\/(127\.0\.0\.1|localhost)[:/]/i.test(connectionString) ||
      /core\.windows\.net/i.test(connectionString)
    ) {
      throw new Error(
        'TEST_STORAGE_CONNECTION_STRING must point at a local Azurite (127.0.0.1 or localhost); tests refuse real accounts.',
      );
    }
  } else {
    azurite = await startAzurite();
    connectionString = azurite.connectionString;
  }
  project.provide('storageConnectionString', connectionString);
}

export async function teardown(): Promise<void> {
  await azurite?.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    storageConnectionString: string;
  }
}
