import type { PdfText } from '../../app/ports/knowledge.port.ts';

/** PDF text with unpdf (pdf.js for servers), imported on first use: it is large and most calls never need it. */
export const unpdfText: PdfText = {
  async extract(bytes) {
    const { extractText, getDocumentProxy } = await import('unpdf');
    const pdf = await getDocumentProxy(new Uint8Array(bytes));
    const { text } = await extractText(pdf, { mergePages: false });
    // Pages as paragraphs: a page break is a section break for the splitter.
    return text.map((page) => page.trim()).join('\n\n');
  },
};
