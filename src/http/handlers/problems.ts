import { z } from 'zod';
import { AppError } from '../../app/errors.ts';
import { problemEntry, problemRegistry } from '../problem-registry.ts';
import { defineRoute } from '../route.ts';

const problemEntrySchema = z
  .object({
    code: z.string().describe('The stable code, also the last segment of the problem `type`.'),
    status: z.number().int().describe('The HTTP status answered with this code.'),
    title: z.string().describe('What happened, as the problem’s `title`.'),
    when: z.string().describe('When the API answers with this code.'),
    action: z.string().describe('What the caller should do.'),
  })
  .meta({
    id: 'ProblemCode',
    examples: [
      {
        code: 'SUBSCRIPTION.WINDOW_CLOSED',
        status: 409,
        title: 'Seats cannot be removed: the 7-day cancellation window has closed',
        when: 'A decrease or cancellation asks to remove more seats than those added in the last 7 days (168 hours).',
        action: 'Schedule the decrease for renewal (`"effective": "onRenewal"`).',
      },
    ],
  });

const describe = (code: string) => {
  const entry = problemEntry(code);
  if (!entry) return undefined;
  const { on: _on, ...rest } = entry;
  return rest;
};

export const listProblemsRoute = defineRoute({
  name: 'listProblems',
  method: 'GET',
  path: '/problems',
  access: 'anonymous',
  summary: 'Every problem code the API can answer with',
  description:
    'The registry of problem codes: for each, the HTTP status, the title, when it happens and what to do. ' +
    'The same text is in docs/errors.md.',
  tags: ['meta'],
  responses: {
    200: {
      description: 'Every problem code',
      schema: z.object({ items: z.array(problemEntrySchema) }).meta({ id: 'ProblemCodeList' }),
    },
  },
  async handler() {
    const items = problemRegistry.map((entry) => describe(entry.code));
    return { status: 200, body: { items }, headers: { 'cache-control': 'public, max-age=3600' } };
  },
});

export const getProblemRoute = defineRoute({
  name: 'getProblem',
  method: 'GET',
  path: '/problems/{code}',
  access: 'anonymous',
  summary: 'One problem code: what it means and what to do',
  description:
    'Every problem+json answer has `type` `/api/problems/{code}`: this operation is what that URI resolves to.',
  tags: ['meta'],
  params: z.strictObject({
    code: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)*$/)
      .max(100)
      .describe('A problem code, e.g. `SUBSCRIPTION.WINDOW_CLOSED`.')
      .meta({ examples: ['SUBSCRIPTION.WINDOW_CLOSED'] }),
  }),
  responses: { 200: { description: 'The code’s entry', schema: problemEntrySchema } },
  async handler({ params }) {
    const entry = describe(params.code);
    if (!entry) throw new AppError('NotFound', 'PROBLEM.NOT_FOUND', `There is no problem code ${params.code}.`);
    return { status: 200, body: entry, headers: { 'cache-control': 'public, max-age=3600' } };
  },
});
