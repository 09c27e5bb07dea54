import { createHash } from 'node:crypto';

/** A stable GUID derived from text (same text, same GUID), shaped as a version-4 UUID. */
export function guidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
