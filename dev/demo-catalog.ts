import { createProduct } from '../src/app/products.ts';
import { savePrices } from '../src/app/price-lists.ts';
import type { BillingFrequency, Term } from '../src/domain/calendar.ts';
import { dec, money } from '../src/domain/money.ts';
import { GLOBAL_PRICE_LIST, type PriceEntry } from '../src/domain/price-list.ts';
import type { Product } from '../src/domain/product.ts';
import type { Services } from '../src/main.ts';

/**
 * A demo catalog with Microsoft's list prices per seat (USD, EUR, GBP): monthly billing on an annual term, the
 * same ×12 billed annually, and the monthly term 20% dearer. Product and SKU ids are Microsoft's for the licence
 * plans; the availability ids, and the product ids of Teams Premium and Defender for Business, are illustrative.
 */
const BASIC = 'CFQ7TTC0LH18:0001';
const STANDARD = 'CFQ7TTC0LDPB:0001';
const PREMIUM = 'CFQ7TTC0LCHC:0002';
const O365_E3 = 'CFQ7TTC0LF8Q:0001';
const M365_E3 = 'CFQ7TTC0LFLX:0001';
const M365_E5 = 'CFQ7TTC0LFLZ:0002';
const AZURE_PLAN = 'DZH318Z0BPS6:0001';

const seatTerms: Product['terms'] = [
  { term: 'P1M', frequencies: ['monthly'] },
  { term: 'P1Y', frequencies: ['monthly', 'annual'] },
];

type Seat = Pick<Product, 'id' | 'name' | 'description' | 'category' | 'productGroup' | 'skuPartNumber'> &
  Partial<Pick<Product, 'addOnOf' | 'maxQuantity'>> & {
    availabilityId: string;
    monthly: { USD: string; EUR: string; GBP: string };
  };

const seats: Seat[] = [
  {
    id: BASIC,
    availabilityId: 'CFQ7TTC0K5B1',
    name: 'Microsoft 365 Business Basic',
    skuPartNumber: 'O365_BUSINESS_ESSENTIALS',
    description: 'Web and mobile Office apps, Exchange mailbox, 1 TB OneDrive, Teams. Up to 300 users.',
    category: 'Productivity',
    productGroup: 'Microsoft 365 Business',
    maxQuantity: 300,
    monthly: { USD: '6.00', EUR: '5.60', GBP: '4.90' },
  },
  {
    id: STANDARD,
    availabilityId: 'CFQ7TTC0K5DR',
    name: 'Microsoft 365 Business Standard',
    skuPartNumber: 'O365_BUSINESS_PREMIUM',
    description: 'Business Basic plus the desktop Office apps, webinars and Bookings. Up to 300 users.',
    category: 'Productivity',
    productGroup: 'Microsoft 365 Business',
    maxQuantity: 300,
    monthly: { USD: '12.50', EUR: '11.70', GBP: '10.30' },
  },
  {
    id: PREMIUM,
    availabilityId: 'CFQ7TTC0K5JV',
    name: 'Microsoft 365 Business Premium',
    skuPartNumber: 'SPB',
    description:
      'Business Standard plus Intune, Entra ID P1, Defender for Business and Defender for Office 365 P1. Up to 300 users.',
    category: 'Productivity',
    productGroup: 'Microsoft 365 Business',
    maxQuantity: 300,
    monthly: { USD: '22.00', EUR: '20.60', GBP: '18.10' },
  },
  {
    id: O365_E3,
    availabilityId: 'CFQ7TTC0K8P5',
    name: 'Office 365 E3',
    skuPartNumber: 'ENTERPRISEPACK',
    description: 'Office apps, 100 GB mailbox, OneDrive, SharePoint, Teams and compliance tools for enterprises.',
    category: 'Productivity',
    productGroup: 'Office 365 Enterprise',
    monthly: { USD: '23.00', EUR: '21.60', GBP: '19.00' },
  },
  {
    id: M365_E3,
    availabilityId: 'CFQ7TTC0K8RF',
    name: 'Microsoft 365 E3',
    skuPartNumber: 'SPE_E3',
    description: 'Office 365 E3 plus Windows Enterprise, Intune and Entra ID P1.',
    category: 'Productivity',
    productGroup: 'Microsoft 365 Enterprise',
    monthly: { USD: '36.00', EUR: '33.75', GBP: '29.60' },
  },
  {
    id: M365_E5,
    availabilityId: 'CFQ7TTC0K8RH',
    name: 'Microsoft 365 E5',
    skuPartNumber: 'SPE_E5',
    description: 'Microsoft 365 E3 plus Defender XDR, Entra ID P2, Purview and Power BI Pro.',
    category: 'Productivity',
    productGroup: 'Microsoft 365 Enterprise',
    monthly: { USD: '57.00', EUR: '54.75', GBP: '47.10' },
  },
  {
    id: 'CFQ7TTC0LH16:0001',
    availabilityId: 'CFQ7TTC0K4ZR',
    name: 'Exchange Online (Plan 1)',
    skuPartNumber: 'EXCHANGESTANDARD',
    description: 'A 50 GB business mailbox with calendar and contacts, on the web and in Outlook.',
    category: 'Email',
    productGroup: 'Exchange Online',
    monthly: { USD: '4.00', EUR: '3.70', GBP: '3.30' },
  },
  {
    id: 'CFQ7TTC0LH1G:0001',
    availabilityId: 'CFQ7TTC0K6MB',
    name: 'Microsoft Teams Phone Standard',
    skuPartNumber: 'MCOEV',
    description: 'Add-on: phone system in Teams (calling plan or Direct Routing needed for PSTN numbers).',
    category: 'Communication',
    productGroup: 'Microsoft Teams',
    addOnOf: [O365_E3, M365_E3, M365_E5, PREMIUM],
    monthly: { USD: '10.00', EUR: '9.40', GBP: '8.20' },
  },
  {
    id: 'CFQ7TTC0RM8K:0001',
    availabilityId: 'CFQ7TTC0RM8N',
    name: 'Microsoft Teams Premium',
    skuPartNumber: 'Microsoft_Teams_Premium',
    description: 'Add-on: intelligent recap, live translated captions, advanced webinars and meeting protection.',
    category: 'Communication',
    productGroup: 'Microsoft Teams',
    addOnOf: [BASIC, STANDARD, PREMIUM, O365_E3, M365_E3, M365_E5],
    monthly: { USD: '10.00', EUR: '9.40', GBP: '8.20' },
  },
  {
    id: 'CFQ7TTC0MBMD:0001',
    availabilityId: 'CFQ7TTC0MBMF',
    name: 'Microsoft Defender for Business',
    skuPartNumber: 'MDE_SMB',
    description: 'Add-on: endpoint protection, detection and response for businesses up to 300 users.',
    category: 'Security',
    productGroup: 'Microsoft Defender',
    addOnOf: [BASIC, STANDARD],
    maxQuantity: 300,
    monthly: { USD: '3.00', EUR: '2.80', GBP: '2.50' },
  },
];

const azurePlan: Product = {
  id: AZURE_PLAN,
  catalogItemId: `${AZURE_PLAN}:DZH318Z0BPS6`,
  name: 'Azure plan',
  description: 'Pay-as-you-go Azure services, billed monthly in arrears from usage.',
  category: 'Azure',
  productGroup: 'Azure',
  isNce: false,
  addOnOf: [],
  terms: [{ term: 'P1M', frequencies: ['monthly'] }],
  minQuantity: 1,
  maxQuantity: 1,
};

const EFFECTIVE_FROM = '2025-04-01';
const COST_SHARE = '0.9';

function entry(
  productId: string,
  term: Term,
  frequency: BillingFrequency,
  currency: string,
  salePrice: string,
): PriceEntry {
  const cost = money(dec(salePrice).times(COST_SHARE), currency).amount;
  return { productId, term, frequency, currency, salePrice, cost, effectiveFrom: EFFECTIVE_FROM };
}

function seatPrices({ id, monthly }: Seat): PriceEntry[] {
  return Object.entries(monthly).flatMap(([currency, price]) => [
    entry(id, 'P1Y', 'monthly', currency, price),
    entry(id, 'P1Y', 'annual', currency, money(dec(price).times(12), currency).amount),
    entry(id, 'P1M', 'monthly', currency, money(dec(price).times('1.2'), currency).amount),
  ]);
}

/** Writes the demo catalog and its global prices when the catalog is empty. */
export async function seedDemoCatalog(services: Services): Promise<void> {
  if ((await services.catalogAdmin.products.all()).length > 0) return;
  const products: Product[] = [
    ...seats.map(({ availabilityId, monthly: _monthly, ...seat }) => ({
      isNce: true,
      addOnOf: [],
      terms: seatTerms,
      minQuantity: 1,
      maxQuantity: 10_000,
      ...seat,
      catalogItemId: `${seat.id}:${availabilityId}`,
    })),
    azurePlan,
  ];
  for (const product of products) await createProduct(services, product);
  const azurePrices = ['USD', 'EUR', 'GBP'].map((currency) => entry(AZURE_PLAN, 'P1M', 'monthly', currency, '0'));
  await savePrices(services, GLOBAL_PRICE_LIST, [...seats.flatMap(seatPrices), ...azurePrices]);
}
