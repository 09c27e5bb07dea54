import { z } from 'zod';
import { countryCodeSchema, phoneSchema, type Customer } from '../../domain/customer.ts';
import { dec, money, type Dec, type Money } from '../../domain/money.ts';
import { displayText } from '../../domain/product.ts';
import { monthlyCost } from '../../domain/proration.ts';
import { AppError, validation, type FieldError } from '../errors.ts';
import type { CsvTable } from '../ports/csv-table.ts';
import { userProfileLimits, type DirectoryUser, type DirectoryUserUpdate } from '../ports/directory.port.ts';
import { requireBillingConfirmation } from '../subscriptions/confirmation.ts';
import type { Actor } from '../subscriptions/deps.ts';
import { requireTenant, type M365Deps } from './deps.ts';
import { explain, getUserView, resolveSkus, tenantSkus, userView, type SkuView, type UserView } from './licenses.ts';
import { logM365 } from './log.ts';
import { refreshAssignedLicenses } from '../subscriptions/assigned-licenses.ts';
import { generatePassword } from './password.ts';

/** Entra ID's user principal name: `alias@domain` (alias letters, digits and ' . - _ ! # ^ ~). */
export const userPrincipalNameSchema = z
  .string()
  .trim()
  .max(113)
  .regex(
    /^[A-Za-z0-9'_!#^~-][A-Za-z0-9'._!#^~-]{0,63}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/,
    'an address such as jane@contoso.com',
  );

export const newUserSchema = z
  .strictObject({
    displayName: displayText(256),
    userPrincipalName: userPrincipalNameSchema,
    mailNickname: z
      .string()
      .regex(/^[A-Za-z0-9'._!#^~-]{1,64}$/, 'letters, digits and . - _ only')
      .optional()
      .describe('Defaults to the part of the user principal name before @'),
    usageLocation: countryCodeSchema
      .optional()
      .describe(
        'Country where the user uses the services (required by Microsoft to license); defaults to the customer’s country',
      ),
    licenses: z
      .array(z.string().trim().min(1).max(64))
      .max(20)
      .default([])
      .describe('SKU part numbers (e.g. SPB) or SKU ids to assign at once'),
    sendPasswordTo: z.email().max(254).describe('Where the temporary password is mailed; it is never returned'),
    confirmBillingChange: z.boolean().optional(),
  })
  .meta({ id: 'NewM365User' });
export type NewUserRequest = z.infer<typeof newUserSchema>;

export interface CreatedUser {
  user: UserView;
  passwordSentTo: string;
  /** False when the mail could not be sent: reset the password in the Microsoft 365 admin center. */
  passwordDelivered: boolean;
  /** When the licenses could not be assigned after the user was created. */
  licenseError?: { code: string; message: string };
}

/**
 * F-LICENSES: creates a Microsoft 365 user with a generated password that goes only to `sendPasswordTo`, and
 * optionally licenses it. F-CONFIRM `createUser`: a user without licenses costs nothing, so only a request that
 * also assigns licenses (each taking a paid seat) needs the billing confirmation when the customer's switch is on.
 */
export async function createUser(
  deps: M365Deps,
  input: { customerId: string; request: NewUserRequest; actor: Actor; acceptLanguage: string | null },
): Promise<CreatedUser> {
  const customer = await requireTenant(deps, input.customerId);
  const { request } = input;
  const skus = request.licenses.length ? await tenantSkus(deps, customer.tenantId) : [];
  const errors: FieldError[] = [];
  const skuIds = resolveSkus(skus, request.licenses, 'body.licenses', errors);
  if (errors.length) throw validation('Some licenses are not the tenant’s.', errors);
  for (const skuId of skuIds) {
    const sku = skus.find((s) => s.skuId === skuId);
    if (sku && sku.available < 1) {
      throw new AppError(
        'Conflict',
        'DIRECTORY.COUNT_VIOLATION',
        `No ${sku.name} license is left: all ${sku.purchased} purchased are assigned. Buy more seats, or create the user without it.`,
        {
          skuId,
          skuPartNumber: sku.skuPartNumber,
          productName: sku.name,
          purchased: sku.purchased,
          consumed: sku.consumed,
        },
      );
    }
  }
  // The seats' cost is read only when a confirmation may be asked for.
  if (skuIds.length && customer.billingChangeConfirmation && request.confirmBillingChange !== true) {
    await requireBillingConfirmation(deps, {
      customer,
      action: 'createUser',
      confirmed: false,
      acceptLanguage: input.acceptLanguage,
      costDifference: costOf(await seatPrices(deps, customer, skus), new Map(skuIds.map((id) => [id, 1]))),
    });
  }
  const created = await createOne(deps, customer, skus, skuIds, request);
  await logM365(deps, customer.id, input.actor, [createdLogEntry(created)]);
  if (skuIds.length) await refreshAssignedLicenses(deps, customer.id, customer.tenantId);
  return created;
}

function createdLogEntry(created: CreatedUser) {
  const licenses = created.user.licenses.map((l) => l.skuPartNumber);
  return {
    action: 'createM365User',
    detail: `${created.user.userPrincipalName} created, password sent to ${created.passwordSentTo}${licenses.length ? `, licensed ${licenses.join(', ')}` : ''}`,
    ...(licenses.length ? { productName: created.user.licenses.map((l) => l.name).join(', ') } : {}),
    after: { userPrincipalName: created.user.userPrincipalName, licenses },
  };
}

/** Creates the user, assigns its licenses and mails its password (the checks and confirmation are done). */
async function createOne(
  deps: M365Deps,
  customer: Customer & { tenantId: string },
  skus: SkuView[],
  skuIds: string[],
  request: Pick<
    NewUserRequest,
    'displayName' | 'userPrincipalName' | 'mailNickname' | 'usageLocation' | 'sendPasswordTo'
  >,
): Promise<CreatedUser> {
  const password = generatePassword();
  const created = await deps.directory.createUser(customer.tenantId, {
    displayName: request.displayName,
    userPrincipalName: request.userPrincipalName,
    mailNickname: request.mailNickname ?? mailNicknameOf(request.userPrincipalName),
    usageLocation: request.usageLocation ?? customer.country,
    password,
  });
  let user: DirectoryUser = created;
  let licenseError: CreatedUser['licenseError'];
  if (skuIds.length) {
    try {
      await deps.directory.assignLicenses(customer.tenantId, created.id, { add: skuIds, remove: [] });
      user = await deps.directory.getUser(customer.tenantId, created.id);
    } catch (error) {
      const explained = explain(error, skus);
      if (!(explained instanceof AppError)) throw explained;
      licenseError = { code: explained.code, message: explained.message };
    }
  }
  const passwordDelivered = await sendPassword(
    deps,
    customer.tenantId,
    user,
    password,
    request.sendPasswordTo,
    skus.filter((s) => skuIds.includes(s.skuId)),
  );
  return {
    user: userView(user, skus),
    passwordSentTo: request.sendPasswordTo,
    passwordDelivered,
    ...(licenseError ? { licenseError } : {}),
  };
}

const mailNicknameOf = (userPrincipalName: string) =>
  (userPrincipalName.split('@')[0] ?? userPrincipalName).replace(/[^A-Za-z0-9'._!#^~-]/g, '').slice(0, 64) || 'user';

/**
 * The monthly value of one seat of each SKU at the customer's price (its active subscription for the SKU): what
 * the seats a new user takes are worth. SKUs bought outside the portal have no price here and count nothing.
 */
async function seatPrices(
  deps: M365Deps,
  customer: Customer,
  skus: SkuView[],
): Promise<Map<string, { amount: Dec; currency: string }>> {
  const { subscriptions } = await deps.customerData.services(customer.id);
  const prices = new Map<string, { amount: Dec; currency: string }>();
  for (const sku of skus) {
    const record = subscriptions
      .map((s) => s.value)
      .find((s) => s.status === 'active' && s.skuPartNumber?.toLowerCase() === sku.skuPartNumber.toLowerCase());
    if (record)
      prices.set(sku.skuId, {
        amount: monthlyCost(1, dec(record.unitPrice), record.billingFrequency, record.currency),
        currency: record.currency,
      });
  }
  return prices;
}

/** Seats per SKU at those prices, per currency. */
function costOf(
  prices: Map<string, { amount: Dec; currency: string }>,
  seats: Map<string, number>,
): Record<string, Money> {
  const totals = new Map<string, Dec>();
  for (const [skuId, count] of seats) {
    const price = prices.get(skuId);
    if (price) totals.set(price.currency, (totals.get(price.currency) ?? dec(0)).plus(price.amount.times(count)));
  }
  return Object.fromEntries([...totals].map(([currency, amount]) => [currency, money(amount, currency)]));
}

/** The password goes out once, by mail only; a failed mail leaves the user created (its password can be reset). */
async function sendPassword(
  deps: M365Deps,
  tenantId: string,
  user: DirectoryUser,
  password: string,
  to: string,
  licenses: SkuView[],
): Promise<boolean> {
  const text = [
    'Hello,',
    '',
    `A Microsoft 365 account has been created for ${user.displayName}.`,
    '',
    `  Sign-in name:       ${user.userPrincipalName}`,
    `  Temporary password: ${password}`,
    ...(licenses.length ? [`  Licenses:           ${licenses.map((l) => l.name).join(', ')}`] : []),
    '',
    'Sign in at https://www.office.com. Microsoft asks for a new password at the first sign-in.',
    'Pass the password on to the user privately, then delete this message.',
  ].join('\n');
  try {
    await deps.notifier.send({
      id: `new-user-password:${tenantId}:${user.id}`,
      to,
      subject: `Your Microsoft 365 account ${user.userPrincipalName}`,
      text,
      kind: 'new-user-password',
    });
    return true;
  } catch {
    return false;
  }
}

// ---- export ----

/** The export's columns; the first four are the import's, so that an export can be edited and imported. */
export const EXPORT_COLUMNS = [
  'displayName',
  'userPrincipalName',
  'usageLocation',
  'licenses',
  'groupLicenses',
  'mail',
  'accountEnabled',
  'id',
] as const;
const EXPORT_LIMIT = 50_000;

/** Every user of the tenant with their licenses as part numbers (`;`-separated): direct ones, and those from groups. */
export async function exportUsers(
  deps: M365Deps,
  customerId: string,
): Promise<Record<(typeof EXPORT_COLUMNS)[number], string>[]> {
  const { tenantId } = await requireTenant(deps, customerId);
  const skus = await tenantSkus(deps, tenantId);
  const rows: Record<(typeof EXPORT_COLUMNS)[number], string>[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await deps.directory.listUsers(tenantId, {
      pageSize: 999,
      ...(continuationToken ? { continuationToken } : {}),
    });
    for (const user of page.items) {
      const view = userView(user, skus);
      rows.push({
        displayName: view.displayName,
        userPrincipalName: view.userPrincipalName,
        usageLocation: view.usageLocation ?? '',
        licenses: view.licenses
          .filter((l) => l.direct)
          .map((l) => l.skuPartNumber)
          .join(';'),
        groupLicenses: view.licenses
          .filter((l) => l.groups.length)
          .map((l) => l.skuPartNumber)
          .join(';'),
        mail: view.mail ?? '',
        accountEnabled: String(view.accountEnabled),
        id: view.id,
      });
    }
    continuationToken = page.continuationToken;
  } while (continuationToken && rows.length < EXPORT_LIMIT);
  return rows.sort((a, b) => a.displayName.localeCompare(b.displayName, 'en'));
}

// ---- import ----

export const IMPORT_COLUMNS = ['displayName', 'userPrincipalName', 'usageLocation', 'licenses'] as const;
/** Columns of the export that an import reads past. */
const IGNORED_COLUMNS = ['groupLicenses', 'mail', 'accountEnabled', 'id'];
const IMPORT_LIMIT = 500;

const importRowSchema = z.object({
  displayName: displayText(256),
  userPrincipalName: userPrincipalNameSchema,
  usageLocation: z.union([z.literal(''), countryCodeSchema]),
  licenses: z
    .string()
    .transform((s) =>
      s
        .split(/[;|]/)
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().max(64)).max(20)),
});

export interface ImportResult {
  created: {
    line: number;
    userId: string;
    userPrincipalName: string;
    licenses: string[];
    passwordDelivered: boolean;
  }[];
  failed: { line: number; userPrincipalName: string; code: string; message: string }[];
}

/**
 * F-LICENSES: users from CSV (columns displayName,userPrincipalName,usageLocation,licenses; licenses as SKU part
 * numbers separated by `;`; an empty usage location is the customer's country). Every line is checked first —
 * format, duplicates in the file, users that already exist, licenses the tenant has and units enough for the
 * whole file — and one problem anywhere refuses the file with each problem's line: nothing is created. Then the
 * users are created in file order, each password mailed to `sendPasswordsTo`.
 */
export async function importUsers(
  deps: M365Deps,
  input: {
    customerId: string;
    csv: CsvTable;
    sendPasswordsTo: string;
    confirmBillingChange: boolean;
    actor: Actor;
    acceptLanguage: string | null;
  },
): Promise<ImportResult> {
  const customer = await requireTenant(deps, input.customerId);
  const { csv } = input;
  const errors: FieldError[] = [];
  const column = checkHeader(csv.header);
  if (!csv.rows.length)
    throw validation('The file has no users.', [{ path: 'line 2', message: 'no rows after the header' }]);
  if (csv.rows.length > IMPORT_LIMIT)
    throw validation(`At most ${IMPORT_LIMIT} users per file.`, [
      { path: `line ${csv.rows[IMPORT_LIMIT]?.line ?? 0}`, message: 'too many rows' },
    ]);

  const skus = await tenantSkus(deps, customer.tenantId);
  const rows: { line: number; row: z.output<typeof importRowSchema>; skuIds: string[] }[] = [];
  const firstLine = new Map<string, number>();
  for (const { line, fields } of csv.rows) {
    const at = `line ${line}`;
    if (fields.length !== csv.header.length) {
      errors.push({ path: at, message: `has ${fields.length} fields; the header has ${csv.header.length}` });
      continue;
    }
    const parsed = importRowSchema.safeParse(
      Object.fromEntries(IMPORT_COLUMNS.map((name) => [name, fields[column[name]] ?? ''])),
    );
    if (!parsed.success) {
      errors.push(
        ...parsed.error.issues.map((issue) => ({ path: [at, ...issue.path].join('.'), message: issue.message })),
      );
      continue;
    }
    const key = parsed.data.userPrincipalName.toLowerCase();
    const seen = firstLine.get(key);
    if (seen !== undefined) errors.push({ path: `${at}.userPrincipalName`, message: `the same user as line ${seen}` });
    else firstLine.set(key, line);
    const skuIds = resolveSkus(skus, parsed.data.licenses, `${at}.licenses`, errors);
    rows.push({ line, row: parsed.data, skuIds });
  }

  const existing = new Set(
    (
      await deps.directory.existingUserPrincipalNames(
        customer.tenantId,
        rows.map((r) => r.row.userPrincipalName),
      )
    ).map((u) => u.toLowerCase()),
  );
  const wanted = new Map<string, number>();
  for (const { line, row, skuIds } of rows) {
    if (existing.has(row.userPrincipalName.toLowerCase()))
      errors.push({ path: `line ${line}.userPrincipalName`, message: 'already exists in the tenant' });
    for (const skuId of skuIds) {
      const sku = skus.find((s) => s.skuId === skuId);
      const count = (wanted.get(skuId) ?? 0) + 1;
      wanted.set(skuId, count);
      if (sku && count === sku.available + 1) {
        errors.push({
          path: `line ${line}.licenses`,
          message: `no ${sku.name} license left for this user: ${sku.available} available, and the file assigns more`,
        });
      }
    }
  }
  errors.sort((a, b) => lineOf(a.path) - lineOf(b.path));
  if (errors.length) throw validation(`${errors.length} problem(s) in the file; no user was created.`, errors);

  if (wanted.size && customer.billingChangeConfirmation && !input.confirmBillingChange) {
    await requireBillingConfirmation(deps, {
      customer,
      action: 'createUser',
      confirmed: false,
      acceptLanguage: input.acceptLanguage,
      costDifference: costOf(await seatPrices(deps, customer, skus), wanted),
    });
  }

  const result: ImportResult = { created: [], failed: [] };
  const logged: ReturnType<typeof createdLogEntry>[] = [];
  for (const { line, row, skuIds } of rows) {
    try {
      const outcome = await createOne(deps, customer, skus, skuIds, {
        displayName: row.displayName,
        userPrincipalName: row.userPrincipalName,
        ...(row.usageLocation ? { usageLocation: row.usageLocation } : {}),
        sendPasswordTo: input.sendPasswordsTo,
      });
      logged.push(createdLogEntry(outcome));
      result.created.push({
        line,
        userId: outcome.user.id,
        userPrincipalName: outcome.user.userPrincipalName,
        licenses: outcome.user.licenses.map((l) => l.skuPartNumber),
        passwordDelivered: outcome.passwordDelivered,
      });
      if (outcome.licenseError)
        result.failed.push({ line, userPrincipalName: row.userPrincipalName, ...outcome.licenseError });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      result.failed.push({ line, userPrincipalName: row.userPrincipalName, code: error.code, message: error.message });
    }
  }
  await logM365(deps, customer.id, input.actor, logged);
  if (result.created.some((c) => c.licenses.length))
    await refreshAssignedLicenses(deps, customer.id, customer.tenantId);
  return result;
}

function checkHeader(header: string[]): Record<(typeof IMPORT_COLUMNS)[number], number> {
  const unknown = header.filter(
    (name) => !(IMPORT_COLUMNS as readonly string[]).includes(name) && !IGNORED_COLUMNS.includes(name),
  );
  const missing = IMPORT_COLUMNS.filter((name) => !header.includes(name));
  const duplicated = header.filter((name, i) => header.indexOf(name) !== i);
  if (unknown.length || missing.length || duplicated.length) {
    const problems = [
      ...(missing.length ? [`missing ${missing.join(', ')}`] : []),
      ...(unknown.length ? [`unknown ${unknown.join(', ')}`] : []),
      ...(duplicated.length ? [`twice: ${duplicated.join(', ')}`] : []),
    ];
    throw validation('The file’s header is not the users header.', [
      {
        path: 'line 1',
        message: `the first line must name the columns ${IMPORT_COLUMNS.join(',')} (${problems.join('; ')})`,
      },
    ]);
  }
  return Object.fromEntries(IMPORT_COLUMNS.map((name) => [name, header.indexOf(name)])) as Record<
    (typeof IMPORT_COLUMNS)[number],
    number
  >;
}

const lineOf = (path: string) => Number(/^line (\d+)/.exec(path)?.[1] ?? 0);

// ---- profile ----

/**
 * A profile property's text: trimmed, within Graph's length, no control characters (spelled as a range rather
 * than `\p{Cc}`, so that the OpenAPI document's pattern reads the same without the `u` flag).
 */
const profileText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f-\u009f]*$/, 'must not contain control characters')
    .nullable()
    .optional();

/**
 * The profile properties Graph lets the portal change on a user (`PATCH /users/{id}`), with Graph's limits. A
 * property given is set, `null` clears it (not the display name or usage location), an absent one is kept.
 */
export const userUpdateSchema = z
  .strictObject({
    usageLocation: countryCodeSchema
      .optional()
      .describe('ISO 3166-1 alpha-2 country where the user uses the services; Microsoft needs it to license'),
    displayName: displayText(userProfileLimits.displayName).optional(),
    givenName: profileText(userProfileLimits.givenName),
    surname: profileText(userProfileLimits.surname),
    jobTitle: profileText(userProfileLimits.jobTitle),
    department: profileText(userProfileLimits.department),
    officeLocation: profileText(userProfileLimits.officeLocation),
    mobilePhone: phoneSchema.nullable().optional(),
    businessPhones: z
      .array(phoneSchema)
      .max(1, 'Microsoft keeps one business phone')
      .optional()
      .describe('At most one number; [] clears it'),
    streetAddress: profileText(userProfileLimits.streetAddress),
    city: profileText(userProfileLimits.city),
    state: profileText(userProfileLimits.state),
    postalCode: profileText(userProfileLimits.postalCode),
    country: profileText(userProfileLimits.country),
    preferredLanguage: z
      .string()
      .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'an ISO 639-1 language with an optional region, e.g. en-US')
      .nullable()
      .optional(),
  })
  .refine((update) => Object.values(update).some((value) => value !== undefined), {
    message: 'name at least one property to change',
    path: ['usageLocation'],
  })
  .meta({
    id: 'M365UserUpdate',
    examples: [{ usageLocation: 'GB', jobTitle: 'Finance lead', department: 'Finance' }],
  });
export type UserUpdateRequest = z.infer<typeof userUpdateSchema>;

const profileKeys = [
  'usageLocation',
  ...Object.keys(userProfileLimits),
  'businessPhones',
] as (keyof UserUpdateRequest)[];

/** A property as the change log shows it: `—` when unset. */
const shown = (value: unknown): string =>
  Array.isArray(value) ? value.join('; ') || '—' : typeof value === 'string' && value ? value : '—';

/**
 * F-LICENSES: sets a Microsoft 365 user's usage location and other profile properties. Idempotent: only properties
 * whose value differs from the user's are sent to Microsoft and logged (`jobTitle — → Finance lead`); a request
 * that changes nothing answers the user as it is.
 */
export async function updateUserProfile(
  deps: M365Deps,
  input: { customerId: string; userId: string; request: UserUpdateRequest; actor: Actor },
): Promise<UserView> {
  const { tenantId } = await requireTenant(deps, input.customerId);
  const before = await deps.directory.getUser(tenantId, input.userId);
  const changes: DirectoryUserUpdate = {};
  const beforeLog: Record<string, unknown> = {};
  const afterLog: Record<string, unknown> = {};
  for (const key of profileKeys) {
    const wanted = input.request[key];
    if (wanted === undefined) continue;
    const current = (before as unknown as Record<string, unknown>)[key];
    if (shown(current) === shown(wanted)) continue;
    (changes as Record<string, unknown>)[key] = wanted;
    if (shown(current) !== '—') beforeLog[key] = current;
    if (shown(wanted) !== '—') afterLog[key] = wanted;
  }
  const skus = await tenantSkus(deps, tenantId);
  if (!Object.keys(changes).length) return getUserView(deps, tenantId, input.userId, skus);
  await deps.directory.updateUser(tenantId, input.userId, changes);
  const user = await getUserView(deps, tenantId, input.userId, skus);
  await logM365(deps, input.customerId, input.actor, [
    {
      action: 'updateM365User',
      detail: `${user.userPrincipalName}: ${Object.keys(changes)
        .map((key) => `${key} ${shown(beforeLog[key])} → ${shown(afterLog[key])}`)
        .join(', ')}`,
      before: beforeLog,
      after: afterLog,
    },
  ]);
  return user;
}
