// How the function app is bundled (esbuild), shared by `npm run build` and the billing bench's worker processes, so
// that the bench measures workers built exactly as the app deployed to Azure.
/** @type {import('esbuild').BuildOptions} */
export const appBundleOptions = {
  bundle: true,
  // What is imported on demand is a chunk of its own, loaded when first needed: a cold start loads only the entry.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Minified, names kept (error and class names stay readable; the linked source map gives the rest): each instance
  // keeps the source of every chunk it loaded in its heap, and parses less at a cold start.
  minify: true,
  keepNames: true,
  legalComments: 'none',
  external: ['@azure/functions-core'],
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
};

/** Where the PDF invoice's chunk reads its fonts (`./fonts/` beside itself, as the source module does). */
export const FONTS_DIR = 'src/adapters/reports/fonts';
