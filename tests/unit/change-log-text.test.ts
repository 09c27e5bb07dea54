import { describe, expect, it } from 'vitest';
import { describeChange } from '../../src/domain/change-log-text.ts';

describe('describeChange', () => {
  it('names only what changed, arrows between the values', () => {
    const state = { productId: 'CFQ7TTC0LCHC:0002', quantity: 10, status: 'active', autoRenew: true };
    expect(describeChange(state, { ...state, quantity: 15, autoRenew: false })).toEqual({
      before: 'quantity 10; autoRenew on',
      after: 'quantity 15; autoRenew off',
      change: 'quantity 10 → 15; autoRenew on → off',
    });
  });

  it('flattens a scheduled change and reads a purchase (no before) as the new values', () => {
    expect(describeChange({ quantity: 10 }, { quantity: 10, scheduled: { kind: 'quantity', quantity: 8 } })).toEqual({
      before: '',
      after: 'scheduled kind quantity; scheduled quantity 8',
      change: 'scheduled kind quantity; scheduled quantity 8',
    });
    expect(describeChange(undefined, { quantity: 5 }).change).toBe('quantity 5');
    expect(describeChange({ quantity: 5 }, undefined).change).toBe('quantity 5 → (none)');
  });
});
