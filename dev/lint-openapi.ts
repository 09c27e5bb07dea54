import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildOpenApi } from '../src/http/openapi.ts';
import { routes } from '../src/http/routes.ts';

/**
 * `npm run lint:openapi`: writes the OpenAPI document the app serves to a temporary file and lints it with Spectral
 * (`spectral:oas`) and Redocly (recommended rules). Any error or warning fails.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'openapi-lint-'));
const file = path.join(dir, 'openapi.json');
writeFileSync(
  file,
  JSON.stringify(buildOpenApi(routes, { title: 'CSP customer self-service portal API', version: '0.1.0' }), null, 2),
);
writeFileSync(path.join(dir, '.spectral.yaml'), 'extends: ["spectral:oas"]\n');
writeFileSync(path.join(dir, 'redocly.yaml'), 'extends:\n  - recommended\n');

const bin = (name: string) => path.join(import.meta.dirname, '..', 'node_modules', '.bin', name);
const run = (command: string, args: string[]) =>
  spawnSync(command, args, {
    stdio: 'inherit',
    cwd: dir,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  }).status ?? 1;

const spectral = run(bin('spectral'), [
  'lint',
  file,
  '--ruleset',
  path.join(dir, '.spectral.yaml'),
  '--fail-severity',
  'warn',
]);
const redocly = run(bin('redocly'), ['lint', file, '--config', path.join(dir, 'redocly.yaml'), '--max-problems', '50']);
// Redocly exits 0 on warnings: count them from its JSON report.
const report = spawnSync(
  bin('redocly'),
  ['lint', file, '--config', path.join(dir, 'redocly.yaml'), '--format', 'json'],
  {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  },
);
const totals = /"totals":\s*(\{[^}]*\})/.exec(report.stdout)?.[1];
const redoclyWarnings = totals ? (JSON.parse(totals) as { warnings: number }).warnings : 1;
if (spectral !== 0 || redocly !== 0 || redoclyWarnings) {
  console.error('lint:openapi: the OpenAPI document has errors or warnings (above).');
  process.exit(1);
}
console.log('lint:openapi: Spectral (spectral:oas) and Redocly (recommended): 0 errors, 0 warnings.');
