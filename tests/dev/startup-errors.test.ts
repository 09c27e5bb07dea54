import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { describeStartupError, portFrom } from '../../dev/startup-errors.ts';

const listen = (server: Server, port: number) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

describe('start-up errors are one line saying what to do', () => {
  it('a busy port names the port and how to choose another', async () => {
    const first = createServer();
    await listen(first, 0);
    const port = (first.address() as { port: number }).port;
    const error = await listen(createServer(), port).catch((e: unknown) => e);
    first.close();
    const line = describeStartupError(error, { port, blobPort: 1, tablePort: 2 });
    expect(line).toBe(
      `Port ${port} is in use (another npm start?). Stop that process, or choose another port: PORT=8080 npm start.`,
    );
    expect(describeStartupError(error, { port: 7071, blobPort: port })).toContain('AZURITE_BLOB_PORT=');
  });

  it('bad settings name every bad key and why, on one line', () => {
    const error = (() => {
      try {
        return loadConfig({ AUTH_MODE: 'bogus', NCE_WINDOW_HOURS: '-1', PORTAL_BASE_URL: 'javascript:alert(1)' });
      } catch (e) {
        return e;
      }
    })();
    const line = describeStartupError(error, { port: 7071 }) ?? '';
    expect(line.split('\n')).toHaveLength(1);
    for (const key of ['AUTH_MODE', 'NCE_WINDOW_HOURS', 'PORTAL_BASE_URL']) expect(line).toContain(`${key}:`);
    expect(line).toContain('local.settings.json');
  });

  it('PORT must be a port number; other errors are left alone', () => {
    expect(portFrom(undefined, 7071)).toBe(7071);
    expect(portFrom('8080', 7071)).toBe(8080);
    expect(
      describeStartupError(
        (() => {
          try {
            return portFrom('abc', 7071);
          } catch (e) {
            return e;
          }
        })(),
        { port: 7071 },
      ),
    ).toContain('PORT: "abc"');
    expect(describeStartupError(new Error('boom'), { port: 7071 })).toBeUndefined();
  });
});
