import { describe, expect, it } from 'vitest';
import { XmlWriter, xmlAttribute, xmlText } from '../../src/adapters/reports/xml-writer.ts';
import { validateAgainst } from '../support/reports.ts';

describe('XmlWriter', () => {
  it('escapes markup in text and attributes and keeps tabs and line breaks in attributes', () => {
    expect(xmlText('a < b && c > "d"')).toBe('a &lt; b &amp;&amp; c &gt; "d"');
    expect(xmlAttribute('say "hi"\tand\nbye')).toBe('say &quot;hi&quot;&#9;and&#10;bye');
  });

  it('replaces characters XML cannot carry, so any description stays well-formed', () => {
    expect(xmlText('bell\u0007 nul\u0000 lone\uD800 ok\uD83D\uDE00')).toBe(
      'bell\uFFFD nul\uFFFD lone\uFFFD ok\uD83D\uDE00',
    );
  });

  it('refuses names that are not XML names and unclosed documents', () => {
    expect(() => new XmlWriter().start('1bad')).toThrow(/Not an XML name/);
    expect(() => new XmlWriter().start('ok').toBytes()).toThrow(/left open/);
  });

  it('writes a document that parses against a schema', async () => {
    const xml = new XmlWriter().start('licenseReport', {
      xmlns: 'urn:csp-portal:license-report:1',
      version: '1',
      period: '2026-10',
    });
    xml.start('partner').leaf('name', 'A & B <partners>\u0001').end();
    xml.leaf('totals', '', { products: 0, seatsHeld: 0, inUse: 0, manualCount: 0 });
    const result = await validateAgainst('license-report.xsd', xml.end().toBytes());
    expect(result.errors).toEqual([]);
  });
});
