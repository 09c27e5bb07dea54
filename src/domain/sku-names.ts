/**
 * F-LICENSES: the product names people know for Microsoft's SKU part numbers (what Graph's `subscribedSkus`
 * calls `skuPartNumber`), from Microsoft's "Product names and service plan identifiers for licensing". The
 * names Microsoft uses in its admin center, which are not always the part number's words: `SPB` is Business
 * Premium and `O365_BUSINESS_PREMIUM` is Business *Standard*.
 */
export const shippedSkuNames: Readonly<Record<string, string>> = {
  SPB: 'Microsoft 365 Business Premium',
  O365_BUSINESS_PREMIUM: 'Microsoft 365 Business Standard',
  O365_BUSINESS_ESSENTIALS: 'Microsoft 365 Business Basic',
  O365_BUSINESS: 'Microsoft 365 Apps for business',
  OFFICESUBSCRIPTION: 'Microsoft 365 Apps for enterprise',
  STANDARDPACK: 'Office 365 E1',
  ENTERPRISEPACK: 'Office 365 E3',
  ENTERPRISEPREMIUM: 'Office 365 E5',
  DESKLESSPACK: 'Office 365 F3',
  SPE_E3: 'Microsoft 365 E3',
  SPE_E5: 'Microsoft 365 E5',
  SPE_F1: 'Microsoft 365 F3',
  M365_F1: 'Microsoft 365 F1',
  Microsoft_365_Copilot: 'Microsoft 365 Copilot',
  EXCHANGESTANDARD: 'Exchange Online (Plan 1)',
  EXCHANGEENTERPRISE: 'Exchange Online (Plan 2)',
  EXCHANGEDESKLESS: 'Exchange Online Kiosk',
  EXCHANGEARCHIVE_ADDON: 'Exchange Online Archiving for Exchange Online',
  MCOEV: 'Microsoft Teams Phone Standard',
  MCOPSTN1: 'Microsoft Teams Domestic Calling Plan',
  MCOMEETADV: 'Microsoft Teams Audio Conferencing',
  Microsoft_Teams_Premium: 'Microsoft Teams Premium',
  Microsoft_Teams_Rooms_Pro: 'Microsoft Teams Rooms Pro',
  TEAMS_EXPLORATORY: 'Microsoft Teams Exploratory',
  POWER_BI_STANDARD: 'Power BI (free)',
  POWER_BI_PRO: 'Power BI Pro',
  PBI_PREMIUM_PER_USER: 'Power BI Premium Per User',
  FLOW_FREE: 'Microsoft Power Automate Free',
  PROJECT_P1: 'Project Plan 1',
  PROJECTPROFESSIONAL: 'Project Plan 3',
  PROJECTPREMIUM: 'Project Plan 5',
  VISIOONLINE_PLAN1: 'Visio Plan 1',
  VISIOCLIENT: 'Visio Plan 2',
  EMS: 'Enterprise Mobility + Security E3',
  EMSPREMIUM: 'Enterprise Mobility + Security E5',
  AAD_PREMIUM: 'Microsoft Entra ID P1',
  AAD_PREMIUM_P2: 'Microsoft Entra ID P2',
  INTUNE_A: 'Microsoft Intune Plan 1',
  ATP_ENTERPRISE: 'Microsoft Defender for Office 365 (Plan 1)',
  THREAT_INTELLIGENCE: 'Microsoft Defender for Office 365 (Plan 2)',
  MDE_SMB: 'Microsoft Defender for Business',
  DEFENDER_ENDPOINT_P1: 'Microsoft Defender for Endpoint P1',
  WIN_DEF_ATP: 'Microsoft Defender for Endpoint P2',
  WIN10_VDA_E3: 'Windows 10/11 Enterprise E3',
  RIGHTSMANAGEMENT: 'Azure Information Protection Plan 1',
};

export type SkuNameSource = 'override' | 'catalog' | 'shipped' | 'partNumber';

export interface SkuNameSources {
  /** The partner's own names (config SKU_NAME_OVERRIDES): they win over everything. */
  overrides?: Readonly<Record<string, string>>;
  /** Names of the partner's catalog products, by SKU part number: they win over the shipped list. */
  catalog?: ReadonlyMap<string, string>;
}

/**
 * The name to show for a SKU part number: the partner's override, else the catalog's product name (what the
 * customer bought it as, as on My Services), else the shipped name, else the part number itself. Part numbers are
 * matched exactly first, then ignoring case.
 */
export function skuName(skuPartNumber: string, sources: SkuNameSources = {}): { name: string; source: SkuNameSource } {
  const override = lookup(sources.overrides ? new Map(Object.entries(sources.overrides)) : undefined, skuPartNumber);
  if (override) return { name: override, source: 'override' };
  const fromCatalog = lookup(sources.catalog, skuPartNumber);
  if (fromCatalog) return { name: fromCatalog, source: 'catalog' };
  const shipped = lookup(shippedNames, skuPartNumber);
  if (shipped) return { name: shipped, source: 'shipped' };
  return { name: skuPartNumber, source: 'partNumber' };
}

const shippedNames: ReadonlyMap<string, string> = new Map(Object.entries(shippedSkuNames));

function lookup(names: ReadonlyMap<string, string> | undefined, partNumber: string): string | undefined {
  if (!names) return undefined;
  const exact = names.get(partNumber);
  if (exact) return exact;
  const wanted = partNumber.toLowerCase();
  for (const [key, name] of names) if (key.toLowerCase() === wanted) return name;
  return undefined;
}
