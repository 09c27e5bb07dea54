import type { HttpMethod } from '../src/http/route.ts';

/** Matches a request path against `{param}` templates, as the Functions host does for `route`. */
export interface RouteEntry<T> {
  method: HttpMethod;
  path: string;
  target: T;
}

export interface Match<T> {
  target: T;
  params: Record<string, string>;
}

export type RouteLookup<T> = { found: Match<T> } | { found: undefined; methodsAllowed: string[] };

export function createRouter<T>(entries: RouteEntry<T>[]): (method: string, path: string) => RouteLookup<T> {
  const compiled = entries.map((entry) => ({ entry, segments: entry.path.split('/').filter(Boolean) }));
  return (method, requestPath) => {
    const parts = requestPath.split('/').filter(Boolean);
    const allowed: string[] = [];
    for (const { entry, segments } of compiled) {
      const params = matchSegments(segments, parts);
      if (!params) continue;
      if (entry.method === method) return { found: { target: entry.target, params } };
      allowed.push(entry.method);
    }
    return { found: undefined, methodsAllowed: allowed };
  };
}

function matchSegments(template: string[], parts: string[]): Record<string, string> | undefined {
  if (template.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i] as string;
    const p = parts[i] as string;
    if (t.startsWith('{') && t.endsWith('}')) {
      try {
        params[t.slice(1, -1)] = decodeURIComponent(p);
      } catch {
        return undefined;
      }
    } else if (t.toLowerCase() !== p.toLowerCase()) {
      return undefined;
    }
  }
  return params;
}
