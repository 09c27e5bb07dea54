import { writeFileSync } from 'node:fs';
import { problemRegistry } from '../src/http/problem-registry.ts';
import { renderProblemDocs } from '../src/http/problem-docs.ts';

/** `npm run docs:errors`: writes docs/errors.md from the problem registry. */
const target = new URL('../docs/errors.md', import.meta.url);
writeFileSync(target, renderProblemDocs(problemRegistry));
console.log(`Wrote ${target.pathname} (${problemRegistry.length} codes).`);
