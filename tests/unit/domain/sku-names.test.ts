import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { shippedSkuNames, skuName } from '../../../src/domain/sku-names.ts';

describe('skuName', () => {
  it.each([
    ['SPB', 'Microsoft 365 Business Premium'],
    ['O365_BUSINESS_PREMIUM', 'Microsoft 365 Business Standard'],
    ['O365_BUSINESS_ESSENTIALS', 'Microsoft 365 Business Basic'],
    ['ENTERPRISEPACK', 'Office 365 E3'],
    ['SPE_E3', 'Microsoft 365 E3'],
    ['SPE_E5', 'Microsoft 365 E5'],
    ['EXCHANGESTANDARD', 'Exchange Online (Plan 1)'],
    ['MCOEV', 'Microsoft Teams Phone Standard'],
  ])('names %s %s from the shipped list', (partNumber, name) => {
    expect(skuName(partNumber)).toEqual({ name, source: 'shipped' });
  });

  it('prefers the partner’s override, then the catalog’s product name, then the shipped name, then the part number', () => {
    const catalog = new Map([['SPB', 'Business Premium (catalog)']]);
    expect(skuName('SPB', { overrides: { SPB: 'Premium, our way' }, catalog })).toEqual({
      name: 'Premium, our way',
      source: 'override',
    });
    expect(skuName('SPB', { catalog })).toEqual({ name: 'Business Premium (catalog)', source: 'catalog' });
    expect(skuName('SPE_E5', { catalog })).toEqual({ name: 'Microsoft 365 E5', source: 'shipped' });
    expect(skuName('CONTOSO_SPECIAL', { catalog })).toEqual({ name: 'CONTOSO_SPECIAL', source: 'partNumber' });
  });

  it('matches part numbers ignoring case when no exact match exists', () => {
    expect(skuName('microsoft_teams_premium').name).toBe(shippedSkuNames.Microsoft_Teams_Premium);
  });
});

describe('SKU_NAME_OVERRIDES', () => {
  const base = {
    AUTH_MODE: 'local',
    AUTH_AUDIENCE: 'a',
    AUTH_ISSUER: 'i',
    AUTH_ALLOWED_TENANTS: '*',
    PARTNER_TENANT_ID: '00000000-0000-4000-8000-00000000cafe',
    STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
  };

  it('reads a JSON object of part numbers to names, empty by default', () => {
    expect(loadConfig(base).SKU_NAME_OVERRIDES).toEqual({});
    expect(loadConfig({ ...base, SKU_NAME_OVERRIDES: '{"SPB":"Business Premium"}' }).SKU_NAME_OVERRIDES).toEqual({
      SPB: 'Business Premium',
    });
  });

  it('refuses what is not such an object', () => {
    expect(() => loadConfig({ ...base, SKU_NAME_OVERRIDES: 'SPB=Premium' })).toThrow(/SKU_NAME_OVERRIDES/);
    expect(() => loadConfig({ ...base, SKU_NAME_OVERRIDES: '{"bad key!":"x"}' })).toThrow(/SKU_NAME_OVERRIDES/);
  });

  it('requires the Graph app’s credentials with Partner Center', () => {
    expect(() =>
      loadConfig({
        ...base,
        COMMERCE_MODE: 'partnerCenter',
        PARTNER_CENTER_CLIENT_ID: 'x',
        PARTNER_CENTER_CLIENT_SECRET: 'y',
      }),
    ).toThrow(/GRAPH_CLIENT_ID/);
  });
});
