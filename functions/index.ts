// The function app's entry point (package.json "main", bundled to dist/index.js).
import './http.ts';
import './jobs.ts';
