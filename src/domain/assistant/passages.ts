/**
 * Knowledge documents and their passages (F-ASSIST). A document is split at its headings into passages,
 * each with the document's title, its section heading and an anchor, so that an answer can cite the
 * section it rests on. Pure: no I/O.
 */

export const documentFormats = ['markdown', 'html', 'text', 'pdf'] as const;
export type DocumentFormat = (typeof documentFormats)[number];

export interface KnowledgeText {
  /** Stable id: the article's slug, or the id an upload was stored under. */
  id: string;
  title: string;
  /** `shipped`: an article of the product; `uploaded`: a partner's document. */
  source: 'shipped' | 'uploaded';
  /** Markdown, HTML or plain text (a PDF arrives here as its extracted text). */
  format: Exclude<DocumentFormat, 'pdf'>;
  text: string;
}

export interface Passage {
  /** `{documentId}#{anchor}`: unique within the knowledge base. */
  id: string;
  documentId: string;
  documentTitle: string;
  /** The section heading (the document's title for text before the first heading). */
  section: string;
  anchor: string;
  source: 'shipped' | 'uploaded';
  text: string;
}

/** Longest passage kept whole; longer sections are cut at paragraph ends into parts of about this size. */
export const MAX_PASSAGE_CHARS = 1500;

export function slugify(text: string): string {
  return (
    text
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'section'
  );
}

interface Section {
  heading: string;
  body: string;
}

/** The title of a Markdown document: its first `# ` heading. */
export function markdownTitle(markdown: string): string | undefined {
  return /^#\s+(.+?)\s*#*\s*$/m.exec(markdown)?.[1]?.trim();
}

function markdownSections(markdown: string, title: string): Section[] {
  const sections: Section[] = [{ heading: title, body: '' }];
  let fenced = false;
  for (const line of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading) {
      // The document's own title line starts no section of its own.
      if (heading[1] === '#' && heading[2]?.trim() === title && sections.length === 1 && !sections[0]?.body.trim())
        continue;
      sections.push({ heading: (heading[2] ?? '').trim(), body: '' });
    } else {
      const last = sections[sections.length - 1];
      if (last) last.body += `${line}\n`;
    }
  }
  return sections.map((s) => ({ heading: s.heading, body: markdownToPlain(s.body) }));
}

/** Markdown as readable plain text: links keep their words, emphasis and code marks go. */
export function markdownToPlain(markdown: string): string {
  return markdown
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/`{1,3}([^`]*)`{1,3}/g, '$1')
    .replace(/(\*\*|__)(.*?)\1/g, '$2')
    .replace(/(^|[\s(])[*_]([^*_\n]+)[*_](?=[\s).,;:!?]|$)/g, '$1$2')
    .replace(/^\s*>\s?/gm, '')
    .replace(/^\s*[-*+]\s+/gm, '- ')
    .replace(/^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16) || 32);
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10) || 32);
    return entities[name.toLowerCase()] ?? whole;
  });
}

/**
 * HTML as Markdown-like text: scripts, styles and comments dropped (never run, never indexed), headings kept
 * as `#` lines, block ends as line breaks, every other tag removed.
 */
export function htmlToMarkdown(html: string): { title?: string; markdown: string } {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const body = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|noscript|template|head|title)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1\s*>/gi, (_, level: string, inner: string) => {
      const text = inner
        .replace(/<[^>]*>/g, '')
        .replace(/\s+/g, ' ')
        .trim();
      return `\n\n${'#'.repeat(Number(level))} ${text}\n\n`;
    })
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<(br|\/p|\/div|\/li|\/tr|\/section|\/article|\/ul|\/ol|\/table)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ');
  const markdown = decodeEntities(body)
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const cleanTitle = title ? decodeEntities(title.replace(/<[^>]*>/g, '')).trim() : undefined;
  return cleanTitle ? { title: cleanTitle, markdown } : { markdown };
}

/** Plain text: a short line followed by a blank line and standing alone reads as a heading. */
function textSections(text: string, title: string): Section[] {
  const blocks = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((b) => b.trim())
    .filter(Boolean);
  const sections: Section[] = [{ heading: title, body: '' }];
  for (const block of blocks) {
    const isHeading = !block.includes('\n') && block.length <= 80 && !/[.!?:;,]$/.test(block);
    if (isHeading) sections.push({ heading: block, body: '' });
    else {
      const last = sections[sections.length - 1];
      if (last) last.body += `${block}\n\n`;
    }
  }
  return sections.map((s) => ({ heading: s.heading, body: s.body.trim() }));
}

function cut(body: string): string[] {
  if (body.length <= MAX_PASSAGE_CHARS) return [body];
  const parts: string[] = [];
  let current = '';
  for (const paragraph of body.split(/\n\s*\n/)) {
    if (current && current.length + paragraph.length > MAX_PASSAGE_CHARS) {
      parts.push(current.trim());
      current = '';
    }
    if (paragraph.length > MAX_PASSAGE_CHARS) {
      for (let i = 0; i < paragraph.length; i += MAX_PASSAGE_CHARS)
        parts.push(paragraph.slice(i, i + MAX_PASSAGE_CHARS));
    } else current += `${paragraph}\n\n`;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/** Splits a document into passages at its headings; empty sections are left out. */
export function toPassages(doc: KnowledgeText): Passage[] {
  let sections: Section[];
  if (doc.format === 'markdown') sections = markdownSections(doc.text, doc.title);
  else if (doc.format === 'html') sections = markdownSections(htmlToMarkdown(doc.text).markdown, doc.title);
  else sections = textSections(doc.text, doc.title);

  const used = new Set<string>();
  const passages: Passage[] = [];
  for (const section of sections) {
    const parts = cut(section.body).filter((p) => p.trim().length > 0);
    parts.forEach((text, index) => {
      let anchor = slugify(section.heading) + (index > 0 ? `-${index + 1}` : '');
      for (let n = 2; used.has(anchor); n += 1) anchor = `${slugify(section.heading)}-${n}`;
      used.add(anchor);
      passages.push({
        id: `${doc.id}#${anchor}`,
        documentId: doc.id,
        documentTitle: doc.title,
        section: section.heading,
        anchor,
        source: doc.source,
        text,
      });
    });
  }
  return passages;
}
