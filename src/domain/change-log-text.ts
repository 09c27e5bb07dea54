/**
 * A change-log entry's before/after states as a person reads them in a spreadsheet: only the fields that changed,
 * e.g. before `quantity 10`, after `quantity 15`, change `quantity 10 → 15`. Nested values are flattened
 * (`scheduled quantity 8`), booleans read on/off.
 */
export function describeChange(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
): { before: string; after: string; change: string } {
  const was = flatten(before ?? {});
  const now = flatten(after ?? {});
  const keys = [...new Set([...was.keys(), ...now.keys()])].filter((key) => was.get(key) !== now.get(key));
  const side = (values: Map<string, string>) =>
    keys
      .filter((key) => values.has(key))
      .map((key) => `${key} ${values.get(key)}`)
      .join('; ');
  const change = keys
    .map((key) => {
      const from = was.get(key);
      const to = now.get(key);
      if (from === undefined) return `${key} ${to}`;
      if (to === undefined) return `${key} ${from} → (none)`;
      return `${key} ${from} → ${to}`;
    })
    .join('; ');
  return { before: side(was), after: side(now), change };
}

function flatten(value: Record<string, unknown>, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [key, inner] of Object.entries(value)) {
    const name = prefix ? `${prefix} ${key}` : key;
    if (inner === undefined || inner === null) continue;
    if (typeof inner === 'object' && !Array.isArray(inner)) flatten(inner as Record<string, unknown>, name, out);
    else if (typeof inner === 'boolean') out.set(name, inner ? 'on' : 'off');
    else if (Array.isArray(inner)) out.set(name, inner.map(String).join(', '));
    else out.set(name, String(inner));
  }
  return out;
}
