import { addressLines, type PartnerProfile } from './partner-profile.ts';

/**
 * F-BRAND: a mail in the partner's name, as its reports and invoices are: the logo (or the legal name) at the top
 * in the accent colour, the message, its facts as a table, and a footer with the legal name, address, tax id and
 * support contact. Both a plain-text and an HTML body; every value is escaped in the HTML.
 */
export interface PartnerMailContent {
  heading: string;
  paragraphs: string[];
  facts?: [label: string, value: string][];
  /** A public URL of the partner's logo with its shown size; without one, the legal name heads the mail. */
  logo?: { url: string; width: number; height: number };
}

export function partnerMail(profile: PartnerProfile, content: PartnerMailContent): { text: string; html: string } {
  const contact = [profile.supportEmail, profile.supportPhone].filter((v): v is string => !!v);
  const footer = [
    profile.legalName,
    ...addressLines(profile.address),
    ...(profile.taxId ? [`Tax id ${profile.taxId}`] : []),
    ...(contact.length ? [`Support: ${contact.join(' · ')}`] : []),
  ];
  const facts = content.facts ?? [];
  const text = [
    profile.legalName,
    '',
    content.heading,
    '',
    ...content.paragraphs.flatMap((p) => [p, '']),
    ...facts.map(([label, value]) => `${label}: ${value}`),
    ...(facts.length ? [''] : []),
    '-- ',
    ...footer,
  ].join('\n');

  const accent = profile.accentColor;
  const top = content.logo
    ? `<img src="${attr(content.logo.url)}" alt="${attr(profile.legalName)}" width="${content.logo.width}" height="${content.logo.height}" style="display:block;border:0">`
    : `<div style="font-size:18px;font-weight:bold;color:${accent}">${html(profile.legalName)}</div>`;
  const rows = facts
    .map(
      ([label, value]) =>
        `<tr><th align="left" style="padding:4px 16px 4px 0;color:#555555;font-weight:normal">${html(label)}</th><td style="padding:4px 0">${html(value)}</td></tr>`,
    )
    .join('');
  const body = [
    '<!DOCTYPE html>',
    '<html><body style="margin:0;padding:0;font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#222222">',
    `<div style="max-width:640px;margin:0 auto;padding:24px;border-top:4px solid ${accent}">`,
    top,
    `<h1 style="font-size:20px;color:${accent};margin:24px 0 12px">${html(content.heading)}</h1>`,
    ...content.paragraphs.map((p) => `<p style="margin:0 0 12px">${html(p)}</p>`),
    rows ? `<table style="border-collapse:collapse;margin:8px 0 16px">${rows}</table>` : '',
    `<div style="margin-top:24px;padding-top:12px;border-top:1px solid #BBBBBB;font-size:12px;color:#555555">`,
    footer.map(html).join('<br>'),
    '</div></div></body></html>',
  ]
    .filter(Boolean)
    .join('\n');
  return { text, html: body };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const html = (value: string) => value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
const attr = html;
