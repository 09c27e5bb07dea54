import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cruise, type IForbiddenRuleType, type IViolation } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

/**
 * The layer rules of `.dependency-cruiser.cjs` (docs/architecture.md): they catch a deliberate violation of each
 * kind in a small fixture tree, and the product's own tree breaks none of them.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = path.join(root, 'tests/fixtures/depcruise');
const config = createRequire(import.meta.url)(path.join(root, '.dependency-cruiser.cjs')) as {
  forbidden: IForbiddenRuleType[];
  options: Record<string, unknown>;
};

interface CruiseJson {
  summary: { violations: IViolation[]; error: number; totalCruised: number };
}

const brief = (v: IViolation) => ({ rule: v.rule.name, from: v.from, to: v.to });

describe('layer rules (dependency-cruiser)', () => {
  it('report each deliberate violation in the fixture tree by its rule', async () => {
    const { tsConfig: _tsConfig, ...options } = config.options;
    const result = await cruise(['src'], {
      ...options,
      baseDir: fixture,
      validate: true,
      ruleSet: { forbidden: config.forbidden },
    });
    const output = (typeof result.output === 'string' ? JSON.parse(result.output) : result.output) as CruiseJson;
    const found = output.summary.violations.map(brief);

    expect(found).toEqual(
      expect.arrayContaining([
        { rule: 'domain-imports-only-domain', from: 'src/domain/price.ts', to: 'src/adapters/tables/price.table.ts' },
        { rule: 'app-imports-domain-and-ports', from: 'src/app/quote.ts', to: 'src/main.ts' },
        { rule: 'only-entry-points-import-composition-root', from: 'src/app/quote.ts', to: 'src/main.ts' },
        {
          rule: 'only-composition-root-imports-adapters',
          from: 'src/http/quote.handler.ts',
          to: 'src/adapters/tables/price.table.ts',
        },
        {
          rule: 'edges-import-app-and-domain',
          from: 'src/http/quote.handler.ts',
          to: 'src/adapters/tables/price.table.ts',
        },
        { rule: 'use-cases-declare-their-ports', from: 'src/app/reprice.ts', to: 'src/app/services.ts' },
      ]),
    );
    const circle = output.summary.violations.find((v) => v.rule.name === 'no-circular');
    expect(circle?.cycle?.map((step) => step.name).sort()).toEqual([
      'src/app/ports/price-list.port.ts',
      'src/app/ports/price.port.ts',
    ]);
    // What the fixture does right stays quiet: the composition root and the adapter import what they may.
    expect(found.filter((v) => v.from === 'src/main.ts' || v.from.startsWith('src/adapters/'))).toEqual([]);
    expect(output.summary.error).toBe(output.summary.violations.length);
  });

  it('find no violation and no circle in the product (as npm run lint runs it)', { timeout: 180_000 }, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
        'src',
        'functions',
        'dev',
        'bench',
        'scripts',
        '--config',
        '.dependency-cruiser.cjs',
        '--output-type',
        'json',
      ],
      { cwd: root, maxBuffer: 64 * 1024 * 1024 },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const output = JSON.parse(stdout) as CruiseJson;
    expect(output.summary.violations.map(brief)).toEqual([]);
    expect(output.summary.totalCruised).toBeGreaterThan(200);
  });
});
