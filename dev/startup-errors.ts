import { ConfigError } from '../src/config.ts';

/**
 * The one line `npm start` (and the other dev commands) print instead of a stack trace when starting fails for a
 * reason the user can fix: a port in use, or settings that are missing or bad. Undefined for anything else.
 */
export function describeStartupError(
  error: unknown,
  ports: { port: number; blobPort?: number; tablePort?: number },
): string | undefined {
  if (error instanceof ConfigError) {
    return (
      `Settings are not valid: ${error.problems.join('; ')}. ` +
      'Fix them in local.settings.json (copy local.settings.example.json) or in the environment, which wins.'
    );
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') {
    const busy = Number((error as { port?: unknown }).port ?? ports.port);
    if (busy === ports.blobPort || busy === ports.tablePort) {
      return (
        `Port ${busy} is in use by something other than Azurite. Stop it, or move the local Azurite: ` +
        `AZURITE_BLOB_PORT=20001 AZURITE_TABLE_PORT=20002 npm start.`
      );
    }
    return `Port ${busy} is in use (another npm start?). Stop that process, or choose another port: PORT=${busy === 8080 ? 8081 : 8080} npm start.`;
  }
  if (code === 'EACCES') {
    const port = Number((error as { port?: unknown }).port ?? ports.port);
    return `Port ${port} may not be opened by this user. Choose a port above 1024: PORT=8080 npm start.`;
  }
  return undefined;
}

/** Reads PORT: a whole number 1–65535, or a one-line error naming the bad value. */
export function portFrom(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new ConfigError([`PORT: "${value}" is not a port number (1-65535)`]);
  return port;
}
