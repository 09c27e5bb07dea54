import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const portalDir = path.resolve(import.meta.dirname, '..', 'portal');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * `npm start` serves the portal's build: reused when it is newer than every source file, else built (installing
 * the portal's own packages first when they are missing). Returns false when it cannot be built.
 */
export function ensurePortalBuild(log: (line: string) => void = console.log): boolean {
  const index = path.join(portalDir, 'dist', 'index.html');
  const sources = [path.join(portalDir, 'src'), path.join(portalDir, 'public')].filter(existsSync);
  const newestSource = Math.max(
    ...sources.map(newestMtime),
    ...['index.html', 'vite.config.ts', 'package.json']
      .map((f) => path.join(portalDir, f))
      .filter(existsSync)
      .map((f) => statSync(f).mtimeMs),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource) return true;
  // NODE_ENV=production whatever the caller's (vitest sets `test`, which would build React's development bundle).
  const env = { ...process.env, NODE_ENV: 'production' };
  const run = (args: string[]) => spawnSync('npm', args, { cwd: portalDir, stdio: 'inherit', env }).status === 0;
  if (!existsSync(path.join(portalDir, 'node_modules'))) {
    // npm install, not ci: Vite's lock lists a Windows-only optional dependency that `npm ci` insists on.
    log('Installing the portal’s packages (npm install in portal/)…');
    if (!run(['install', '--no-audit', '--no-fund'])) return false;
  }
  log('Building the portal (portal/dist)…');
  return run(['run', 'build']);
}
