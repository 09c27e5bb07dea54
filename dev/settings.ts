import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AZURITE_BLOB_PORT, AZURITE_PORTS_MOVED, AZURITE_TABLE_PORT, connectionStringFor } from './azurite.ts';

/**
 * The local settings, as `func start` would read them: `local.settings.json` when present (git-ignored, yours),
 * else the committed example; variables already in the environment win.
 */
export function localEnv(
  root = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string | undefined> {
  const own = path.join(root, 'local.settings.json');
  const file = existsSync(own) ? own : path.join(root, 'local.settings.example.json');
  const values = (JSON.parse(readFileSync(file, 'utf8')) as { Values?: Record<string, string> }).Values ?? {};
  const merged: Record<string, string | undefined> = { ...values, ...env };
  if (AZURITE_PORTS_MOVED && /UseDevelopmentStorage=true/i.test(merged.STORAGE_CONNECTION_STRING ?? '')) {
    merged.STORAGE_CONNECTION_STRING = connectionStringFor('127.0.0.1', AZURITE_BLOB_PORT, AZURITE_TABLE_PORT);
  }
  return merged;
}
