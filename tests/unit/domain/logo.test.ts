import { describe, expect, it } from 'vitest';
import { displayedSize, svgHazard } from '../../../src/domain/logo.ts';

const svg = (inner: string, attributes = '') =>
  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="300" height="60"${attributes}>${inner}</svg>`;

describe('svgHazard', () => {
  it.each([
    [
      'shapes, gradients and inline styles',
      svg(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs><style>.a{fill:url(#g)}</style><rect class="a" width="300" height="60"/>',
      ),
    ],
    ['text that mentions scripts and events', svg('<text>Scripts online: javascript is a word, onboarding too</text>')],
    ['an internal link', svg('<use xlink:href="#logo"/><a href="https://partner.example"><text>x</text></a>')],
  ])('lets %s through', (_, text) => {
    expect(svgHazard(text)).toBeUndefined();
  });

  it.each([
    ['<script', svg('<SCRIPT>alert(1)</SCRIPT>'), 'script'],
    ['an entity declaration', `<!DOCTYPE svg [<!ENTITY x "javascript:">]>${svg('<a href="&x;"/>')}`, 'DOCTYPE'],
    ['onload', svg('', ' onload="x()"'), 'event handler'],
    ['a decimal-encoded javascript: URL', svg('<a href="&#106;avascript:alert(1)"/>'), 'javascript:'],
    ['a named-entity colon', svg('<a href="javascript&colon;alert(1)"/>'), 'javascript:'],
    ['a data: HTML URL', svg('<image href="data:text/html;base64,PHNjcmlwdD4="/>'), 'data:'],
  ])('refuses %s', (_, text, reason) => {
    expect(svgHazard(text)).toContain(reason);
  });
});

describe('displayedSize', () => {
  it('swaps width and height of a JPEG turned a quarter by its EXIF orientation', () => {
    expect(displayedSize({ width: 81, height: 502, orientation: 6 })).toEqual({ width: 502, height: 81 });
    expect(displayedSize({ width: 502, height: 81, orientation: 1 })).toEqual({ width: 502, height: 81 });
    expect(displayedSize({ width: 502, height: 81 })).toEqual({ width: 502, height: 81 });
  });
});
