import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, configKeys, loadConfig } from '../../src/config.ts';

const valid = {
  AUTH_MODE: 'local',
  AUTH_AUDIENCE: 'api://x',
  AUTH_ISSUER: 'https://issuer/{tenantid}/v2.0',
  AUTH_ALLOWED_TENANTS: '*',
  PARTNER_TENANT_ID: '00000000-0000-4000-8000-00000000cafe',
  STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('parses a complete environment, applying defaults and splitting lists', () => {
    const config = loadConfig({
      ...valid,
      PARTNER_ADMIN_OBJECT_IDS: ' 11111111-1111-4111-8111-111111111111 ,',
      MAX_BODY_BYTES: '1024',
    });
    expect(config.PARTNER_ADMIN_OBJECT_IDS).toEqual(['11111111-1111-4111-8111-111111111111']);
    expect(config.MAX_BODY_BYTES).toBe(1024);
    expect(config.AUTH_CLOCK_SKEW_SECONDS).toBe(60);
    expect(config.DATA_DIR).toBe('.data');
  });

  it('names every missing or bad setting in one message', () => {
    const problems = problemsOf({
      ...valid,
      AUTH_MODE: 'magic',
      AUTH_AUDIENCE: '',
      PARTNER_TENANT_ID: 'nope',
      MAX_BODY_BYTES: '-1',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['AUTH_MODE', 'AUTH_AUDIENCE', 'PARTNER_TENANT_ID', 'MAX_BODY_BYTES']),
    );
    expect(problems).toHaveLength(4);
  });

  it('needs a connection string or both account URLs', () => {
    expect(problemsOf({ ...valid, STORAGE_CONNECTION_STRING: '' })).toEqual([
      'STORAGE_CONNECTION_STRING: set STORAGE_CONNECTION_STRING, or both STORAGE_TABLE_URL and STORAGE_BLOB_URL',
    ]);
    const azure = loadConfig({
      ...valid,
      STORAGE_CONNECTION_STRING: '',
      STORAGE_TABLE_URL: 'https://acct.table.core.windows.net',
      STORAGE_BLOB_URL: 'https://acct.blob.core.windows.net',
    });
    expect(azure.STORAGE_TABLE_URL).toBe('https://acct.table.core.windows.net');
  });

  it('accepts * or a list of tenant GUIDs as allowed tenants', () => {
    expect(problemsOf({ ...valid, AUTH_ALLOWED_TENANTS: 'contoso' })[0]).toMatch(/^AUTH_ALLOWED_TENANTS/);
    expect(
      loadConfig({ ...valid, AUTH_ALLOWED_TENANTS: '11111111-1111-4111-8111-111111111111' }).AUTH_ALLOWED_TENANTS,
    ).toBeTruthy();
  });

  it('refuses a storage name prefix that would make invalid table names', () => {
    expect(problemsOf({ ...valid, STORAGE_NAME_PREFIX: 'Bad-Prefix' })[0]).toMatch(/^STORAGE_NAME_PREFIX/);
  });

  it('reads exactly the settings that local.settings.example.json lists for the app', () => {
    const example = JSON.parse(readFileSync('local.settings.example.json', 'utf8')) as {
      Values: Record<string, string>;
    };
    const hostSettings = ['FUNCTIONS_WORKER_RUNTIME', 'AzureWebJobsStorage'];
    const appKeys = Object.keys(example.Values).filter((k) => !hostSettings.includes(k));
    expect(appKeys.sort()).toEqual([...configKeys].sort());
    expect(() => loadConfig(example.Values)).not.toThrow();
  });
});
