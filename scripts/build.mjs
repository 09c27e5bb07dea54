// Bundles the function app into dist/ (ESM, Node 20). Heavy SDKs stay behind dynamic imports and land in
// their own chunks, so a cold start loads only the entry.
import { build } from 'esbuild';
import { cp, rm } from 'node:fs/promises';

await rm('dist', { recursive: true, force: true });
const result = await build({
  entryPoints: { index: 'functions/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Minified, names kept (error and class names stay readable; the linked source map gives the rest): each instance
  // keeps the source of every chunk it loaded in its heap, and parses less at a cold start.
  minify: true,
  keepNames: true,
  sourcemap: 'linked',
  metafile: true,
  legalComments: 'none',
  external: ['@azure/functions-core'],
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
// The PDF invoice's fonts: its chunk reads them from `./fonts/` beside itself, as the source module does.
await cp('src/adapters/reports/fonts', 'dist/fonts', { recursive: true });
const bytes = Object.entries(result.metafile.outputs)
  .filter(([file]) => file.endsWith('.js'))
  .reduce((sum, [, output]) => sum + output.bytes, 0);
console.log(
  `dist/: ${Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length} files, ${(bytes / 1024).toFixed(0)} KiB of JavaScript`,
);
