/** Customer roles, weakest first: View reads; Modify also changes quantities and licenses; Admin does all. */
export const customerRoles = ['View', 'Modify', 'Admin'] as const;
export type CustomerRole = (typeof customerRoles)[number];

const rank: Record<CustomerRole, number> = { View: 1, Modify: 2, Admin: 3 };

export function roleSatisfies(held: CustomerRole, required: CustomerRole): boolean {
  return rank[held] >= rank[required];
}
