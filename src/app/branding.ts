import { displayedSize, LOGO_LIMITS, logoContentTypes, svgHazard } from '../domain/logo.ts';
import { AppError } from './errors.ts';
import type { LogoStore, StoredLogo } from './ports/logo-store.port.ts';

export interface LogoInfo {
  contentType: string;
  width: number;
  height: number;
  bytes: number;
  etag: string;
}

const badImage = (code: string, message: string, extra: Record<string, unknown> = {}) =>
  new AppError('Validation', code, message, { errors: [{ path: 'body', message }], ...extra });

/**
 * Checks an uploaded logo by its content (not by what the request says it is): a PNG, JPEG or SVG of at most
 * 502 x 81 pixels whose type matches the declared Content-Type, and for an SVG nothing that could run. Stores it.
 */
export async function uploadLogo(
  deps: { logos: LogoStore },
  bytes: Uint8Array,
  declaredContentType: string,
): Promise<LogoInfo> {
  const { imageSize } = await import('image-size');
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(bytes);
  } catch {
    throw badImage('BRANDING.NOT_AN_IMAGE', 'The body is not a readable PNG, JPEG or SVG image.');
  }
  const contentType = size.type ? logoContentTypes[size.type] : undefined;
  if (!contentType) {
    throw new AppError(
      'UnsupportedMediaType',
      'BRANDING.UNSUPPORTED_IMAGE_TYPE',
      `The image is ${size.type ?? 'of an unknown type'}: send a PNG, JPEG or SVG.`,
      { detectedType: size.type },
    );
  }
  const declared = declaredContentType.split(';')[0]?.trim().toLowerCase();
  if (declared !== contentType) {
    throw new AppError(
      'UnsupportedMediaType',
      'BRANDING.CONTENT_TYPE_MISMATCH',
      `The content is ${contentType}, but it was sent as ${declared}.`,
      { detectedType: contentType },
    );
  }
  if (contentType === 'image/svg+xml') {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw badImage('BRANDING.NOT_AN_IMAGE', 'The SVG is not valid UTF-8.');
    }
    const hazard = svgHazard(text);
    if (hazard) throw badImage('BRANDING.UNSAFE_SVG', `The SVG is refused: ${hazard}.`);
  }
  if (!size.width || !size.height)
    throw badImage(
      'BRANDING.NO_DIMENSIONS',
      'The image does not state its width and height (an SVG needs width and height, or a viewBox).',
    );
  const { width, height } = displayedSize({
    width: size.width,
    height: size.height,
    ...(size.orientation !== undefined ? { orientation: size.orientation } : {}),
  });
  if (width > LOGO_LIMITS.width || height > LOGO_LIMITS.height) {
    throw badImage(
      'BRANDING.IMAGE_TOO_LARGE',
      `The logo is ${width} x ${height} px; it may be at most ${LOGO_LIMITS.width} x ${LOGO_LIMITS.height} px.`,
      {
        width,
        height,
        maxWidth: LOGO_LIMITS.width,
        maxHeight: LOGO_LIMITS.height,
      },
    );
  }
  const { etag } = await deps.logos.put({ bytes, contentType, width, height });
  return { contentType, width, height, bytes: bytes.byteLength, etag };
}

/** Whether an If-None-Match header names this ETag (weak comparison, as for GET). */
export function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  if (!header) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

export type { StoredLogo };
