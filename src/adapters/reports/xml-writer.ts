/**
 * A small XML writer for the reports: elements, attributes and text, escaped on the way out. Characters that
 * XML 1.0 cannot carry at all (most control characters, lone surrogates, U+FFFE/U+FFFF) become U+FFFD, so that
 * whatever a description holds, the document stays well-formed. Output is UTF-8, two-space indented.
 */
const notXmlChar =
  // eslint-disable-next-line no-control-regex -- exactly the characters XML 1.0 does not allow
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlText(value: string): string {
  return value.replace(notXmlChar, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function xmlAttribute(value: string): string {
  // Tabs and line breaks are kept as references: a parser would otherwise normalize them to spaces.
  return xmlText(value).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

const namePattern = /^[A-Za-z_][A-Za-z0-9_.-]*(:[A-Za-z_][A-Za-z0-9_.-]*)?$/;

export type Attributes = Record<string, string | number | undefined>;

export class XmlWriter {
  private readonly parts: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  private readonly open: string[] = [];

  private tag(name: string, attributes: Attributes): string {
    if (!namePattern.test(name)) throw new Error(`Not an XML name: ${name}`);
    let out = `<${name}`;
    for (const [key, value] of Object.entries(attributes)) {
      if (value === undefined) continue;
      if (!namePattern.test(key)) throw new Error(`Not an XML name: ${key}`);
      out += ` ${key}="${xmlAttribute(String(value))}"`;
    }
    return out;
  }

  private indent(): string {
    return '  '.repeat(this.open.length);
  }

  /** Opens an element that will hold others. */
  start(name: string, attributes: Attributes = {}): this {
    this.parts.push(`${this.indent()}${this.tag(name, attributes)}>\n`);
    this.open.push(name);
    return this;
  }

  /** An element with text (left out when the text is undefined), or an empty one. */
  leaf(name: string, text?: string | number, attributes: Attributes = {}): this {
    if (text === undefined) return this;
    const content = String(text);
    this.parts.push(
      content === ''
        ? `${this.indent()}${this.tag(name, attributes)}/>\n`
        : `${this.indent()}${this.tag(name, attributes)}>${xmlText(content)}</${name}>\n`,
    );
    return this;
  }

  end(): this {
    const name = this.open.pop();
    if (!name) throw new Error('No element is open');
    this.parts.push(`${this.indent()}</${name}>\n`);
    return this;
  }

  toBytes(): Uint8Array {
    if (this.open.length) throw new Error(`Elements left open: ${this.open.join(' > ')}`);
    return new TextEncoder().encode(this.parts.join(''));
  }
}
