import { describe, expect, it } from 'vitest';
import { partnerMail } from '../../../src/domain/partner-mail.ts';

describe('partnerMail', () => {
  const content = {
    heading: 'Billing run 2026-04 completed',
    paragraphs: ['4 customer(s) billed <all>.'],
    facts: [['Customers billed', '4']] as [string, string][],
  };

  it('heads the mail with the legal name in the accent colour when there is no logo, and escapes every value', () => {
    const { text, html } = partnerMail({ legalName: 'Smith & <Jones> "Ltd"', accentColor: '#1F4E79' }, content);
    expect(html).toContain(
      '<div style="font-size:18px;font-weight:bold;color:#1F4E79">Smith &amp; &lt;Jones&gt; &quot;Ltd&quot;</div>',
    );
    expect(html).toContain('4 customer(s) billed &lt;all&gt;.');
    expect(html).not.toContain('<all>');
    expect(html).not.toContain('<img');
    expect(text.split('\n')[0]).toBe('Smith & <Jones> "Ltd"');
    expect(text).toContain('Customers billed: 4');
    // No support contact in the profile: no support line.
    expect(text).not.toContain('Support:');
  });

  it('shows the logo at its given size, named by the legal name, and the support contact in the footer', () => {
    const { text, html } = partnerMail(
      {
        legalName: 'Northwind Ltd',
        accentColor: '#0A7D5A',
        supportEmail: 'help@northwind.example',
        supportPhone: '+44 20 7946 0000',
      },
      { ...content, logo: { url: 'https://portal.example/api/branding/logo?a=1&b=2', width: 200, height: 40 } },
    );
    expect(html).toContain(
      '<img src="https://portal.example/api/branding/logo?a=1&amp;b=2" alt="Northwind Ltd" width="200" height="40"',
    );
    expect(text).toContain('Support: help@northwind.example · +44 20 7946 0000');
    expect(html).toContain('Support: help@northwind.example · +44 20 7946 0000');
  });
});
