import { describe, expect, it } from 'vitest';
import { postalCodeProblem } from '../../../src/domain/postal-code.ts';
import { postalAddressInputSchema, postalAddressSchema } from '../../../src/domain/customer.ts';

describe('postalCodeProblem', () => {
  it.each([
    ['US', '98052'],
    ['US', '98052-6399'],
    ['GB', 'SW1A 1AA'],
    ['GB', 'sw1a1aa'],
    ['GB', 'M1 1AE'],
    ['GB', 'GIR 0AA'],
    ['DE', '80807'],
    ['FR', '75007'],
    ['CA', 'K1A 0B1'],
    ['CA', 'k1a0b1'],
    ['NL', '1234 AB'],
    ['JP', '100-0001'],
  ])('accepts %s %s', (country, code) => {
    expect(postalCodeProblem(country, code)).toBeUndefined();
  });

  it.each([
    ['US', '9805'],
    ['US', '98052-63'],
    ['US', 'ABCDE'],
    ['GB', '12345'],
    ['GB', 'SW1A 1A'],
    ['DE', '8080'],
    ['DE', '808071'],
    ['FR', '7500A'],
    ['CA', 'D1A 0B1'],
    ['CA', '12345'],
  ])('refuses %s %s, with an example', (country, code) => {
    expect(postalCodeProblem(country, code)).toMatch(new RegExp(`^not a postal code of ${country}, e\\.g\\. `));
  });
});

describe('postal addresses', () => {
  const address = { line1: '1 Main St', city: 'Berlin', postalCode: '1011', country: 'DE' };

  it('checks the code against the country when entered, naming the field', () => {
    const result = postalAddressInputSchema.safeParse(address);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['postalCode']);
  });

  it('still reads an address stored before the rule existed', () => {
    expect(postalAddressSchema.safeParse(address).success).toBe(true);
  });
});
