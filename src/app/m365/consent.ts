import type { ConsentRequest } from '../../domain/consent-request.ts';
import { AppError } from '../errors.ts';
import type { ConsentStatus } from '../ports/directory.port.ts';
import type { Actor } from '../subscriptions/deps.ts';
import { requireTenant, type M365Deps } from './deps.ts';
import { logM365 } from './log.ts';

export interface ConsentView extends ConsentStatus {
  tenantId: string;
  /** The link a Global Administrator of the tenant opens to grant the consent. */
  consentUrl: string;
  /** The latest requests sent to the tenant's Global Administrator(s), newest first. */
  requests: ConsentRequest[];
}

/** Microsoft's admin-consent endpoint for the partner's app in the customer's tenant. */
export function adminConsentUrl(tenantId: string, clientId: string): string {
  return `https://login.microsoftonline.com/${encodeURIComponent(tenantId)}/adminconsent?client_id=${encodeURIComponent(clientId)}`;
}

export async function consentStatus(deps: M365Deps, customerId: string): Promise<ConsentView> {
  const { tenantId } = await requireTenant(deps, customerId);
  const [status, requests] = await Promise.all([
    deps.directory.consentStatus(tenantId),
    deps.consentRequests.list(customerId, 5),
  ]);
  return { tenantId, ...status, consentUrl: adminConsentUrl(tenantId, deps.config.GRAPH_CLIENT_ID), requests };
}

/**
 * F-LICENSES: a portal user who cannot grant consent asks the tenant's Global Administrator(s), with a
 * justification. The request is stored and mailed with the admin-consent link. The Global Administrators are read
 * from the directory when the app may already read it (a consent missing only some permissions); without any
 * directory access the request goes to the customer's company e-mail, the contact its admins gave the partner.
 */
export async function requestConsent(
  deps: M365Deps,
  input: { customerId: string; justification: string; actor: Actor },
): Promise<ConsentRequest> {
  const customer = await requireTenant(deps, input.customerId);
  const status = await deps.directory.consentStatus(customer.tenantId);
  if (status.granted)
    throw new AppError(
      'Conflict',
      'CONSENT.ALREADY_GRANTED',
      'The portal already has admin consent in this tenant; nothing to request.',
    );

  let sentTo: string[] = [];
  let routedVia: ConsentRequest['routedVia'] = 'directory';
  try {
    sentTo = (await deps.directory.globalAdmins(customer.tenantId))
      .map((admin) => admin.mail ?? admin.userPrincipalName)
      .filter(Boolean);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'DIRECTORY.CONSENT_REQUIRED') throw error;
  }
  if (!sentTo.length) {
    routedVia = 'companyEmail';
    if (customer.company.email) sentTo = [customer.company.email];
  }
  if (!sentTo.length) {
    throw new AppError(
      'Conflict',
      'CONSENT.NO_ADMIN_CONTACT',
      'The Global Administrator cannot be looked up before consent, and the company profile has no e-mail: add one to the company profile, or send the consent link to your Global Administrator yourself.',
      { consentUrl: adminConsentUrl(customer.tenantId, deps.config.GRAPH_CLIENT_ID) },
    );
  }

  const request: ConsentRequest = {
    id: deps.ids.next(),
    customerId: customer.id,
    tenantId: customer.tenantId,
    justification: input.justification,
    requestedBy: input.actor,
    requestedAt: deps.clock.now().toISOString(),
    consentUrl: adminConsentUrl(customer.tenantId, deps.config.GRAPH_CLIENT_ID),
    sentTo,
    routedVia,
    missingPermissions: status.missingPermissions,
  };
  await deps.consentRequests.create(request);
  const text = [
    'Hello,',
    '',
    `${input.actor.label} asks you, as a Global Administrator of ${customer.name}'s Microsoft 365 tenant, to let the customer portal manage users and licenses.`,
    '',
    'Their reason:',
    ...input.justification.split('\n').map((line) => `  ${line}`),
    '',
    `Permissions requested (application): ${status.missingPermissions.join(', ')}`,
    '',
    'To review and grant them, sign in as a Global Administrator at:',
    `  ${request.consentUrl}`,
    '',
    'If you did not expect this request, you can ignore it.',
  ].join('\n');
  for (const to of sentTo) {
    await deps.notifier.send({
      id: `consent-request:${request.id}:${to}`,
      to,
      subject: `Consent requested for the customer portal in ${customer.name}'s Microsoft 365`,
      text,
      kind: 'consent-request',
    });
  }
  await logM365(deps, customer.id, input.actor, [
    { action: 'requestConsent', detail: `admin consent requested from ${sentTo.join(', ')}: ${input.justification}` },
  ]);
  return request;
}
