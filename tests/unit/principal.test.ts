import { describe, expect, it } from 'vitest';
import { canActFor, isPartnerAdmin, type Principal } from '../../src/app/principal.ts';
import { identityFromClientPrincipal } from '../../src/adapters/auth/easy-auth.ts';

const partnerTenant = '00000000-0000-4000-8000-00000000cafe';
const config = {
  PARTNER_TENANT_ID: partnerTenant,
  PARTNER_ADMIN_OBJECT_IDS: ['11111111-1111-4111-8111-111111111111'],
  PARTNER_ADMIN_APP_ROLE: 'PartnerAdmin',
};
const customerA = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const customerB = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

describe('partner admins', () => {
  it('are the configured object ids or app-role holders of the partner tenant', () => {
    expect(
      isPartnerAdmin(
        { tenantId: partnerTenant, objectId: '11111111-1111-4111-8111-111111111111', appRoles: [] },
        config,
      ),
    ).toBe(true);
    expect(
      isPartnerAdmin(
        { tenantId: partnerTenant, objectId: '99999999-1111-4111-8111-111111111111', appRoles: ['PartnerAdmin'] },
        config,
      ),
    ).toBe(true);
    expect(
      isPartnerAdmin(
        { tenantId: partnerTenant, objectId: '99999999-1111-4111-8111-111111111111', appRoles: ['Reader'] },
        config,
      ),
    ).toBe(false);
  });

  it('never come from another tenant, whatever its token claims', () => {
    const other = '22222222-2222-4222-8222-222222222222';
    expect(
      isPartnerAdmin(
        { tenantId: other, objectId: '11111111-1111-4111-8111-111111111111', appRoles: ['PartnerAdmin'] },
        config,
      ),
    ).toBe(false);
  });
});

describe('customer roles', () => {
  const principal = (role: 'View' | 'Modify' | 'Admin'): Principal => ({
    identity: { tenantId: 't', objectId: 'o', appRoles: [] },
    isPartnerAdmin: false,
    memberships: [{ customerId: customerA, customerName: 'A', userId: 'u', role, enabled: true }],
  });

  it('rank View < Modify < Admin within the member customer only', () => {
    expect(canActFor(principal('View'), customerA, 'View')).toBe(true);
    expect(canActFor(principal('View'), customerA, 'Modify')).toBe(false);
    expect(canActFor(principal('Modify'), customerA, 'Modify')).toBe(true);
    expect(canActFor(principal('Modify'), customerA, 'Admin')).toBe(false);
    expect(canActFor(principal('Admin'), customerA, 'Admin')).toBe(true);
    expect(canActFor(principal('Admin'), customerB, 'View')).toBe(false);
  });

  it('let partner admins act for every customer', () => {
    expect(canActFor({ ...principal('View'), memberships: [], isPartnerAdmin: true }, customerB, 'Admin')).toBe(true);
  });
});

describe('Easy Auth client principal', () => {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

  it('reads tenant, object id, e-mail and roles', () => {
    const header = encode({
      auth_typ: 'aad',
      claims: [
        { typ: 'http://schemas.microsoft.com/identity/claims/tenantid', val: 'AAAAAAAA-0000-4000-8000-000000000001' },
        {
          typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
          val: 'BBBBBBBB-0000-4000-8000-000000000002',
        },
        { typ: 'preferred_username', val: 'Bob@Fabrikam.example' },
        { typ: 'roles', val: 'PartnerAdmin' },
      ],
      role_typ: 'roles',
    });
    expect(identityFromClientPrincipal(header)).toEqual({
      tenantId: 'aaaaaaaa-0000-4000-8000-000000000001',
      objectId: 'bbbbbbbb-0000-4000-8000-000000000002',
      email: 'bob@fabrikam.example',
      appRoles: ['PartnerAdmin'],
    });
  });

  it('refuses a missing, malformed or incomplete header', () => {
    expect(() => identityFromClientPrincipal(null)).toThrow(/Sign in/);
    expect(() => identityFromClientPrincipal('%%%')).toThrow(/not valid/);
    expect(() => identityFromClientPrincipal(encode({ claims: [{ typ: 'name', val: 'x' }] }))).toThrow(
      /tenant or object id/,
    );
  });
});
