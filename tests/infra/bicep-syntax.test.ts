import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bicepFiles, infraDir, parseBicep, parseBicepFile, syntaxProblems } from './bicep.ts';

// There is no Bicep compiler here: the tree-sitter grammar is the syntax check. It does not resolve names or
// types; `az bicep build` (docs/deploy.md) does that before a deployment.
describe('Bicep syntax', () => {
  const files = bicepFiles();

  it('finds the templates', () => {
    expect(files).toContain('main.bicep');
    expect(files.filter((file) => file.startsWith('modules'))).not.toEqual([]);
  });

  it.each(files)('%s parses without errors', async (file) => {
    expect(syntaxProblems(await parseBicepFile(join(infraDir, file))), `syntax errors in infra/${file}`).toEqual([]);
  });

  it('reports a broken template', async () => {
    const root = await parseBicep(
      "param location string = \nresource sa 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: 'x'\n",
    );
    expect(syntaxProblems(root)).not.toEqual([]);
  });
});
