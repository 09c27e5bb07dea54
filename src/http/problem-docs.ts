import type { ProblemEntry } from './problem-registry.ts';

/** docs/errors.md: the problem registry as a page a partner's developer reads (`npm run docs:errors`). */
export function renderProblemDocs(entries: readonly ProblemEntry[]): string {
  const lines = [
    '# Problem codes',
    '',
    '<!-- Generated from src/http/problem-registry.ts by `npm run docs:errors`; do not edit by hand. -->',
    '',
    'Every error of this API is `application/problem+json` (RFC 9457) with a stable `code`. Its `type` is',
    '`/api/problems/{code}`, which answers the entry below as JSON; `GET /api/problems` lists them all. `detail`',
    'says what happened in this case, `instance` is the invocation id to quote, and `errors[]` names each field at',
    'fault. The OpenAPI document lists, for each operation, the codes it can answer with (`x-problem-codes`).',
    '',
  ];
  const areas = new Map<string, ProblemEntry[]>();
  for (const entry of [...entries].sort((a, b) => a.code.localeCompare(b.code))) {
    const area = entry.code.split('.')[0] ?? entry.code;
    areas.set(area, [...(areas.get(area) ?? []), entry]);
  }
  for (const [area, list] of areas)
    lines.push(`- **${area}**: ${list.map((e) => `[${e.code}](#${anchor(e.code)})`).join(', ')}`);
  lines.push('');
  for (const entry of [...entries].sort((a, b) => a.code.localeCompare(b.code))) {
    lines.push(
      `## ${entry.code}`,
      '',
      `**${entry.status}** — ${entry.title}`,
      '',
      `- When: ${entry.when}`,
      `- What to do: ${entry.action}`,
      `- Answered by: ${answeredBy(entry)}`,
      '',
    );
  }
  return lines.join('\n');
}

function anchor(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9_]/g, '');
}

function answeredBy(entry: ProblemEntry): string {
  switch (entry.on) {
    case 'any':
      return 'any operation';
    case 'signedIn':
      return 'every operation that needs sign-in';
    case 'customer':
      return 'every operation under `/customers/{customerId}`';
    case 'input':
      return 'every operation with parameters, a query or a body';
    case 'body':
      return 'every operation that takes a body';
    case 'ifMatch':
      return 'every operation that takes If-Match';
    case 'write':
      return 'every signed-in write (POST, PUT, PATCH, DELETE)';
    case 'jobs':
      return 'no operation: timers and queue consumers (logged, or a failed change’s reason)';
    case 'unrouted':
      return 'a request that matches no operation (answered by the host’s router)';
    default:
      return entry.on.map((op) => `\`${op}\``).join(', ');
  }
}
