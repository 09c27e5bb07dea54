/**
 * Spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage return) as a formula.
 * Exports prefix such text cells with an apostrophe so that they show as text (OWASP "CSV injection").
 */
export function inertCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
}
