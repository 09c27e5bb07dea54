import { describe, expect, it } from 'vitest';
import { applyPatch, initialProfile } from '../../../src/domain/user-profile.ts';

const now = new Date('2026-03-01T10:00:00.000Z');

describe('initialProfile', () => {
  it('splits the token’s name into first and last name and keeps its e-mail in lower case', () => {
    expect(initialProfile({ name: 'Mary Ann  van Dyke', email: 'Mary@Contoso.example' }, now)).toEqual({
      firstName: 'Mary',
      lastName: 'Ann van Dyke',
      email: 'mary@contoso.example',
      preferredContactMethod: 'email',
      updatedAt: '2026-03-01T10:00:00.000Z',
    });
  });

  it('leaves out what the token does not say, or says badly', () => {
    expect(initialProfile({ email: 'not an address' }, now)).toEqual({
      preferredContactMethod: 'email',
      updatedAt: '2026-03-01T10:00:00.000Z',
    });
  });
});

describe('applyPatch', () => {
  it('replaces given values, removes nulls and keeps the rest', () => {
    expect(applyPatch({ a: 1, b: 2, c: 3 }, { a: 10, b: null, d: undefined })).toEqual({ a: 10, c: 3 });
  });
});
