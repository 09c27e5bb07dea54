type JsonSchema = Record<string, unknown>;

/**
 * An example value for a JSON schema converted from a route's zod schema: the schema's own `examples` (set with
 * zod's `.meta({ examples })`) where it has them, else a plausible value built from its type, format, pattern,
 * enum and bounds. Tests parse every example with the zod schema it came from, so none can drift from it.
 */
export function exampleFor(schema: JsonSchema, components: Record<string, JsonSchema>, name = '', depth = 0): unknown {
  if (depth > 12) return undefined;
  const ref = schema.$ref;
  if (typeof ref === 'string') {
    const target = components[ref.replace('#/components/schemas/', '')];
    return target ? exampleFor(target, components, name, depth + 1) : undefined;
  }
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if ('example' in schema) return schema.example;
  if ('const' in schema) return schema.const;
  if ('default' in schema && schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key] as JsonSchema[] | undefined;
    if (branches?.length) {
      const branch = branches.find((b) => b.type !== 'null') ?? branches[0];
      return exampleFor(branch as JsonSchema, components, name, depth + 1);
    }
  }
  if (Array.isArray(schema.allOf) && schema.type !== undefined && schema.type !== 'object') {
    // zod writes several patterns of one string as allOf: the value must match them all.
    const patterns = (schema.allOf as JsonSchema[]).map((part) => part.pattern).filter((p) => typeof p === 'string');
    return exampleFor({ ...schema, allOf: undefined, patterns }, components, name, depth + 1);
  }
  if (Array.isArray(schema.allOf)) {
    return Object.assign(
      {},
      ...(schema.allOf as JsonSchema[]).map((part) => exampleFor(part, components, name, depth + 1) ?? {}),
    );
  }
  const type = Array.isArray(schema.type) ? (schema.type.find((t) => t !== 'null') as string) : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, property] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
        const value = exampleFor(property, components, key, depth + 1);
        if (value !== undefined) out[key] = value;
      }
      return out;
    }
    case 'array': {
      if (depth > 8) return [];
      const item = schema.items ? exampleFor(schema.items as JsonSchema, components, name, depth + 1) : undefined;
      const count = Math.max(1, Number(schema.minItems ?? 1));
      return item === undefined ? [] : Array.from({ length: count }, () => item);
    }
    case 'string':
      return stringExample(schema, name);
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
      const exclusiveMin = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : undefined;
      const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
      let value = min ?? exclusiveMin ?? (/quantity|count|seats/i.test(name) ? 5 : 1);
      if (max !== undefined && value > max) value = max;
      return value;
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return undefined;
  }
}

const byFormat: Record<string, string> = {
  uuid: '3f2a7c1e-8b4d-4e6f-9a0b-1c2d3e4f5a6b',
  date: '2026-10-16',
  'date-time': '2026-10-16T09:30:00Z',
  email: 'alice@contoso.example',
  uri: 'https://portal.contoso.example/',
  url: 'https://portal.contoso.example/',
};

const byName: [RegExp, string][] = [
  [/^confirm/i, 'true'],
  [/currency/i, 'USD'],
  [/country|usageLocation/i, 'US'],
  [/language|locale/i, 'en'],
  [/phone/i, '+1 425 555 0100'],
  [/email|mail|sendPasswordTo/i, 'alice@contoso.example'],
  [/userPrincipalName|upn/i, 'alice@contoso.onmicrosoft.com'],
  [/domain/i, 'contoso'],
  [/period/i, '2026-10'],
  [/invoiceId/i, 'INV-20261016-0A1B2C3D'],
  [/productId|offerId|skuId/i, 'CFQ7TTC0LCHC:0002'],
  [/term/i, 'P1Y'],
  [/etag/i, 'W/"datetime\'2026-10-16T09%3A30%3A00.000Z\'"'],
  [/website|url|link/i, 'https://www.contoso.example/'],
  [/displayName/i, 'Alice Wong'],
  [/justification|reason|note|message/i, 'Our new hires need Business Premium licenses.'],
  [/search|text|query/i, 'alice'],
  [/name/i, 'Northwind Traders'],
];

const pool = [
  'CFQ7TTC0LCHC:0002',
  'CFQ7TTC0LCHC:0002:P1Y',
  'CFQ7TTC0LCHC:0002:0001',
  'CFQ7TTC0LCHC:P1Y',
  '12.50',
  '2026-10',
  'INV-20261016-0A1B2C3D',
  'contoso',
  'contoso-east',
  'Northwind Traders',
  'Northwind',
  'SPB',
  'en-US',
  'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V',
  'alice',
  'Business Premium',
];

function stringExample(schema: JsonSchema, name: string): string {
  const sources = [schema.pattern, ...((schema.patterns as unknown[]) ?? [])].filter((p) => typeof p === 'string');
  // Each pattern as JavaScript reads it, and as a validator without the `u` flag may (a `\p{…}` class would
  // then mean letters; the schemas spell control characters as ranges for that reason): both must pass.
  const patterns = sources.flatMap((source) => [safeRegExp(source, 'u'), safeRegExp(source, '')]);
  const min = Number(schema.minLength ?? 0);
  const max = Number(schema.maxLength ?? Infinity);
  const fits = (value: string) =>
    value.length >= min && value.length <= max && patterns.every((p) => !p || p.test(value)) ? value : undefined;
  const format = typeof schema.format === 'string' ? byFormat[schema.format] : undefined;
  const named = byName.find(([test]) => test.test(name))?.[1];
  for (const candidate of [format, named, ...pool, 'x'.repeat(Math.max(1, min))]) {
    if (candidate !== undefined && fits(candidate)) return candidate;
  }
  return format ?? named ?? 'x'.repeat(Math.max(1, min));
}

function safeRegExp(pattern: string, flags: string): RegExp | undefined {
  try {
    return new RegExp(pattern, flags);
  } catch {
    return undefined;
  }
}
