import { createLightTheme, type BrandVariants, type Theme } from '@fluentui/react-components';
import { api } from '../api/client';

/** The partner's public profile: GET /api/branding when the API has it, else these defaults. */
export interface Branding {
  partnerName: string;
  accentColor: string;
  logoUrl: string | undefined;
}

export const defaultBranding: Branding = {
  partnerName: 'Contoso Cloud Partner',
  accentColor: '#0f6cbd',
  logoUrl: undefined,
};

/**
 * The partner's public branding (anonymous GET /api/branding), falling back to the defaults when unreachable or when
 * it has not answered in five seconds (the portal waits for it before showing anything).
 */
export async function loadBranding(): Promise<Branding> {
  const profile = await api.GET('/api/branding', { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  if (!profile?.data) return defaultBranding;
  return {
    partnerName: profile.data.partnerName || defaultBranding.partnerName,
    accentColor: validColor(profile.data.accentColor) ?? defaultBranding.accentColor,
    logoUrl: profile.data.logoUrl ?? undefined,
  };
}

export function validColor(value: string | undefined): string | undefined {
  return value && /^#[0-9a-f]{6}$/i.test(value) ? value : undefined;
}

/** A Fluent theme whose brand ramp is built around the partner's accent colour (shade 80 = the colour). */
export function themeFor(accent: string): Theme {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(accent.slice(i, i + 2), 16)) as [number, number, number];
  const mix = (weight: number, target: number) => (c: number) => Math.round(c + (target - c) * weight);
  const hex = (c: number) => c.toString(16).padStart(2, '0');
  const shade = (step: number) => {
    // 10..70 darker than the accent, 80 the accent, 90..160 lighter.
    const f = step < 80 ? mix((80 - step) / 80, 0) : mix((step - 80) / 90, 255);
    return `#${hex(f(r))}${hex(f(g))}${hex(f(b))}`;
  };
  const ramp = Object.fromEntries(
    [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160].map((s) => [s, shade(s)]),
  ) as unknown as BrandVariants;
  return createLightTheme(ramp);
}

/** Black or white text on the accent, whichever contrasts more (WCAG relative luminance). */
export function textOn(accent: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(accent.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) ? '#000000' : '#ffffff';
}
