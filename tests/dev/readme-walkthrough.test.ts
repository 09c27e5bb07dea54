import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalHost, type LocalHost } from '../../dev/host.ts';
import { testEnv } from '../support/test-app.ts';

/**
 * The README's API walk-through, run as written: its ```http blocks (VS Code REST Client's `.http` format) are
 * parsed from README.md and sent in order to a local host on free ports, each answer's status checked against the
 * block's `# expect`. A renamed route, a changed body or a step that stops working fails here, not in a reader's
 * terminal.
 */
interface Step {
  variables: [string, string][];
  name?: string;
  expect: number;
  method: string;
  url: string;
  headers: [string, string][];
  body?: string;
  source: string;
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

export function walkthroughSteps(readme: string): Step[] {
  const start = readme.indexOf('### API walk-through');
  if (start < 0) throw new Error('README.md has no "### API walk-through" section');
  const end = readme.indexOf('\n### ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```http\n([\s\S]*?)```/g)].map((match) => parseBlock(match[1] ?? ''));
}

function parseBlock(source: string): Step {
  const lines = source.split('\n');
  const variables: [string, string][] = [];
  let name: string | undefined;
  let expected: number | undefined;
  let at = 0;
  for (; at < lines.length; at += 1) {
    const line = (lines[at] ?? '').trim();
    if (!line) continue;
    const variable = /^@([\w-]+)\s*=\s*(.*)$/.exec(line);
    if (variable) variables.push([variable[1] ?? '', variable[2] ?? '']);
    else if (/^#\s*@name\s+/.test(line)) name = line.replace(/^#\s*@name\s+/, '');
    else if (/^#\s*expect\s+\d{3}$/.test(line)) expected = Number(line.replace(/^#\s*expect\s+/, ''));
    else if (!line.startsWith('#')) break;
  }
  const [method, url] = (lines[at] ?? '').trim().split(/\s+/);
  if (!method || !url) throw new Error(`no request line in:\n${source}`);
  if (expected === undefined) throw new Error(`no "# expect" status in:\n${source}`);
  const headers: [string, string][] = [];
  for (at += 1; at < lines.length && (lines[at] ?? '').trim(); at += 1) {
    const line = lines[at] ?? '';
    const colon = line.indexOf(':');
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const body = lines
    .slice(at + 1)
    .join('\n')
    .trim();
  return {
    variables,
    ...(name ? { name } : {}),
    expect: expected,
    method,
    url,
    headers,
    ...(body ? { body } : {}),
    source,
  };
}

/** The JSONPath that REST Client reads answers with, as far as the walk-through uses it: `.key`, `[n]`, `[?(@.k=='v')]`. */
function jsonPath(value: unknown, pathText: string): unknown {
  let current: unknown = value;
  const tokens = pathText.replace(/^\$/, '').match(/\.[\w-]+|\[\d+\]|\[\?\(@\.[\w-]+==(?:'[^']*'|"[^"]*")\)\]/g) ?? [];
  if (tokens.join('') !== pathText.replace(/^\$/, '')) throw new Error(`unsupported JSONPath ${pathText}`);
  for (const token of tokens) {
    if (token.startsWith('.')) current = (current as Record<string, unknown> | undefined)?.[token.slice(1)];
    else if (/^\[\d+\]$/.test(token)) current = (current as unknown[] | undefined)?.[Number(token.slice(1, -1))];
    else {
      const [, key, quoted] = /^\[\?\(@\.([\w-]+)==(.*)\)\]$/.exec(token) ?? [];
      const wanted = (quoted ?? '').slice(1, -1);
      current = (current as Record<string, unknown>[] | undefined)?.find((item) => item?.[key ?? ''] === wanted);
    }
  }
  return current;
}

function substitute(text: string, variables: Map<string, string>, answers: Map<string, Answer>): string {
  return text.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
    if (expression === '$guid') return randomUUID();
    const variable = variables.get(expression);
    if (variable !== undefined) return variable;
    const reference = /^([\w-]+)\.response\.(body|headers)\.(.+)$/.exec(expression);
    const answer = reference ? answers.get(reference[1] ?? '') : undefined;
    if (!reference || !answer) throw new Error(`{{${expression}}} names no earlier variable or answer`);
    const value =
      reference[2] === 'headers' ? answer.headers.get(reference[3] ?? '') : jsonPath(answer.body, reference[3] ?? '');
    if (value === undefined || value === null || typeof value === 'object')
      throw new Error(`{{${expression}}} is not a value in the answer: ${JSON.stringify(answer.body).slice(0, 300)}`);
    return String(value);
  });
}

let host: LocalHost;

beforeAll(async () => {
  host = await startLocalHost({
    env: testEnv(),
    port: 0,
    azurite: 'memory',
    seed: { months: 0 },
    portal: false,
    log: () => undefined,
  });
}, 240_000);

afterAll(async () => {
  await host?.close();
});

describe('the README’s API walk-through', () => {
  const steps = walkthroughSteps(readFileSync(path.join(import.meta.dirname, '../../README.md'), 'utf8'));

  it('covers sign-in, buy, change, schedule, cancel, invite, usage location and license, in that order', () => {
    const calls = steps.map((s) => `${s.method} ${s.url.replace(/^\{\{host\}\}/, '').replace(/\?.*$/, '')}`);
    const order = [
      /^POST \/api\/dev\/sign-in$/,
      /^POST \/api\/customers\/\{\{customerId\}\}\/subscriptions$/,
      /^POST .*\/subscriptions\/.*\/changes$/,
      /^POST .*\/subscriptions\/.*\/changes$/,
      /^DELETE .*\/future-changes\//,
      /^POST .*\/portal-users$/,
      /^PATCH .*\/m365\/users\/[^/]+$/,
      /^POST .*\/m365\/users\/.*\/licenses$/,
    ];
    let from = 0;
    for (const pattern of order) {
      const found = calls.findIndex((call, index) => index >= from && pattern.test(call));
      expect(found, `${pattern} after step ${from} in ${calls.join(' | ')}`).toBeGreaterThanOrEqual(0);
      from = found + 1;
    }
  });

  it('answers every step with the status the README expects', async () => {
    const variables = new Map<string, string>();
    const answers = new Map<string, Answer>();
    for (const [index, step] of steps.entries()) {
      for (const [name, value] of step.variables)
        variables.set(name, name === 'host' ? host.url : substitute(value, variables, answers));
      const headers = Object.fromEntries(step.headers.map(([k, v]) => [k, substitute(v, variables, answers)]));
      const response = await fetch(substitute(step.url, variables, answers), {
        method: step.method,
        headers,
        ...(step.body ? { body: substitute(step.body, variables, answers) } : {}),
      });
      const text = await response.text();
      const body: unknown = text && /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text;
      expect(response.status, `step ${index + 1}:\n${step.source}\nanswered ${text.slice(0, 600)}`).toBe(step.expect);
      if (step.name) answers.set(step.name, { status: response.status, headers: response.headers, body });
    }
    expect(steps.length).toBeGreaterThanOrEqual(11);
  });
});
