/**
 * F-BRAND. The partner's logo appears in the portal's header and on the reports: at most 502 x 81 pixels and
 * 512 KiB, as PNG, JPEG or SVG.
 */
export const LOGO_LIMITS = { width: 502, height: 81, bytes: 512 * 1024 } as const;

/** Image types by the name image-size detects them as. */
export const logoContentTypes: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', svg: 'image/svg+xml' };

/**
 * Why an SVG may not be served, if it may not. An SVG is a document that can carry script; it is also served
 * with a Content-Security-Policy that forbids script, but one that tries is refused here in the first place.
 * Character references are decoded and whitespace dropped before looking for `javascript:`, as browsers do.
 */
export function svgHazard(svg: string): string | undefined {
  if (/<!(DOCTYPE|ENTITY)/i.test(svg)) return 'it declares a DOCTYPE or entities';
  if (/<([\w.-]+:)?script[\s/>]/i.test(svg)) return 'it contains a <script> element';
  if (/<([\w.-]+:)?foreignObject[\s/>]/i.test(svg)) return 'it contains a <foreignObject> element (embedded HTML)';
  if (/[\s/"']on[a-z]+\s*=/i.test(svg)) return 'it has an event handler attribute (on…=)';
  if (/attributeName\s*=\s*["']?\s*on/i.test(svg)) return 'it animates an event handler attribute';
  const normalized = [...decodeCharacterReferences(svg)]
    .filter((c) => c.charCodeAt(0) > 0x20 && c !== '\u007f')
    .join('')
    .toLowerCase();
  if (/(javascript|vbscript):/.test(normalized)) return 'it contains a javascript: URL';
  if (normalized.includes('data:text/html')) return 'it contains an HTML data: URL';
  return undefined;
}

const named: Record<string, string> = {
  colon: ':',
  tab: '\t',
  newline: '\n',
  lpar: '(',
  rpar: ')',
  amp: '&',
  quot: '"',
  apos: "'",
  lt: '<',
  gt: '>',
};

function decodeCharacterReferences(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (match, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
    }
    return named[ref.toLowerCase()] ?? match;
  });
}

/** The size as displayed: EXIF orientations 5-8 turn a JPEG a quarter, swapping width and height. */
export function displayedSize(size: { width: number; height: number; orientation?: number }): {
  width: number;
  height: number;
} {
  return size.orientation !== undefined && size.orientation >= 5
    ? { width: size.height, height: size.width }
    : { width: size.width, height: size.height };
}
