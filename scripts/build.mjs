// Bundles the function app into dist/ (ESM, Node 20). Heavy SDKs stay behind dynamic imports and land in
// their own chunks, so a cold start loads only the entry.
import { build } from 'esbuild';
import { cp, rm } from 'node:fs/promises';
import { appBundleOptions, FONTS_DIR } from './bundle-options.mjs';

await rm('dist', { recursive: true, force: true });
const result = await build({
  ...appBundleOptions,
  entryPoints: { index: 'functions/index.ts' },
  outdir: 'dist',
  sourcemap: 'linked',
  metafile: true,
});
// The PDF invoice's fonts: its chunk reads them from `./fonts/` beside itself, as the source module does.
await cp(FONTS_DIR, 'dist/fonts', { recursive: true });
const bytes = Object.entries(result.metafile.outputs)
  .filter(([file]) => file.endsWith('.js'))
  .reduce((sum, [, output]) => sum + output.bytes, 0);
console.log(
  `dist/: ${Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length} files, ${(bytes / 1024).toFixed(0)} KiB of JavaScript`,
);
