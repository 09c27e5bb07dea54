import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Node } from 'web-tree-sitter';
import { containerNames, tableNames } from '../../src/adapters/storage/storage.ts';
import { configKeys } from '../../src/config.ts';
import {
  bicepFiles,
  infraDir,
  literal,
  objectKeys,
  objectProperty,
  parseBicepFile,
  stringArray,
  variableValue,
} from './bicep.ts';

/** Values of local.settings.example.json that configure the Functions host, not the app. */
const functionsHostKeys = ['FUNCTIONS_WORKER_RUNTIME', 'AzureWebJobsStorage'];

/** Settings the Flex Consumption plan rejects or that would bring a secret into the app settings. */
const forbiddenHostKeys = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'AzureWebJobsStorage',
];

const sorted = (keys: readonly string[]) => [...keys].sort();

describe('app settings in infra/main.bicep', () => {
  let main: Node;
  let appConfig: Node;
  beforeAll(async () => {
    main = await parseBicepFile(join(infraDir, 'main.bicep'));
    appConfig = variableValue(main, 'appConfigSettings');
  });

  it('are exactly the keys of the config schema', () => {
    expect(sorted(objectKeys(appConfig))).toEqual(sorted(configKeys));
  });

  it('are exactly the app keys of local.settings.example.json', () => {
    const example = JSON.parse(readFileSync(new URL('../../local.settings.example.json', import.meta.url), 'utf8')) as {
      Values: Record<string, string>;
    };
    const appKeys = Object.keys(example.Values).filter((key) => !functionsHostKeys.includes(key));
    expect(sorted(objectKeys(appConfig))).toEqual(sorted(appKeys));
  });

  it('reach the function app together with the host settings, without overlapping them', () => {
    const hostKeys = objectKeys(variableValue(main, 'hostSettings'));
    expect(hostKeys.filter((key) => (configKeys as readonly string[]).includes(key))).toEqual([]);
    expect(hostKeys.filter((key) => forbiddenHostKeys.includes(key))).toEqual([]);
    // The billing bench measures its workers with this setting (bench/billing-run.ts).
    expect(literal(objectProperty(variableValue(main, 'hostSettings'), 'MALLOC_ARENA_MAX') ?? null)).toBe('2');
    const functionApp = main.namedChildren.find(
      (node) => node.type === 'module_declaration' && node.firstNamedChild?.text === 'functionApp',
    );
    const body = functionApp?.namedChildren.find((child) => child.type === 'object');
    const params = body && objectProperty(body, 'params');
    expect(params && objectProperty(params, 'appSettings')?.text).toBe('union(hostSettings, appConfigSettings)');
  });

  it('use the managed identity, not a storage connection string', () => {
    expect(literal(objectProperty(appConfig, 'STORAGE_CONNECTION_STRING') ?? null)).toBe('');
    expect(objectProperty(appConfig, 'AZURE_CLIENT_ID')?.text).toBe('identity.properties.clientId');
  });

  it('never read an account key or connection string from a resource', async () => {
    const listCalls: string[] = [];
    for (const file of bicepFiles()) {
      const root = await parseBicepFile(join(infraDir, file));
      for (const call of root.descendantsOfType('call_expression')) {
        const callee = call.childForFieldName('function')?.text ?? '';
        if (/(^|\.)list[A-Z]\w*$/.test(callee)) listCalls.push(`${file}: ${call.text}`);
      }
    }
    expect(listCalls).toEqual([]);
  });
});

describe('storage in infra/main.bicep', () => {
  let main: Node;
  beforeAll(async () => {
    main = await parseBicepFile(join(infraDir, 'main.bicep'));
  });

  it('creates the tables and containers the app uses', () => {
    expect(sorted(stringArray(variableValue(main, 'tableNames')))).toEqual(sorted(tableNames));
    expect(sorted(stringArray(variableValue(main, 'containerNames')))).toEqual(sorted(containerNames));
  });
});
