import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { infraDir, parameters, parseBicepFile } from './bicep.ts';

// `az deployment group create --parameters @infra/parameters.<env>.json` fails on a parameter main.bicep does
// not declare, and on a required one left out; check both here, where no Bicep compiler runs.
const parameterFiles = readdirSync(infraDir).filter((file) => /^parameters\.[\w-]+\.json$/.test(file));

describe('parameter files', () => {
  it('exist for the dev environment', () => {
    expect(parameterFiles).toContain('parameters.dev.json');
  });

  it.each(parameterFiles)('%s matches the parameters of main.bicep', async (file) => {
    const declared = parameters(await parseBicepFile(join(infraDir, 'main.bicep')));
    const given = Object.keys(
      (JSON.parse(readFileSync(join(infraDir, file), 'utf8')) as { parameters: Record<string, unknown> }).parameters,
    );
    expect(
      given.filter((name) => !declared.some((param) => param.name === name)),
      'not declared',
    ).toEqual([]);
    expect(
      declared.filter((param) => !param.hasDefault && !given.includes(param.name)).map((param) => param.name),
      'required but not given',
    ).toEqual([]);
  });
});
