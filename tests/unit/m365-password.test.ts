import { describe, expect, it } from 'vitest';
import { generatePassword } from '../../src/app/m365/password.ts';

describe('generatePassword', () => {
  it('makes 16 characters with every class, different each time', () => {
    const passwords = Array.from({ length: 50 }, () => generatePassword());
    for (const p of passwords) expect(p).toMatch(/^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[^A-Za-z0-9]).{16}$/);
    expect(new Set(passwords).size).toBe(50);
  });
});
