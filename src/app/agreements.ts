import { agreementDefinitions, type Acceptance, type AgreementDefinition, type Signer } from '../domain/agreement.ts';
import { conflict, notFound } from './errors.ts';
import type { AgreementStore } from './ports/agreements.port.ts';
import type { Clock } from './ports/clock.port.ts';
import type { CustomerRepository } from './ports/customer.repository.port.ts';

export interface AgreementDeps {
  agreements: AgreementStore;
  customers: Pick<CustomerRepository, 'get'>;
  clock: Clock;
}

export type AgreementView = AgreementDefinition &
  ({ status: 'pending' } | { status: 'accepted'; acceptedAt: string; acceptedBy: string; signer: Signer });

async function requireCustomer(deps: AgreementDeps, customerId: string): Promise<void> {
  if (!(await deps.customers.get(customerId))) throw notFound('CUSTOMER.NOT_FOUND', `No customer ${customerId}.`);
}

function view(definition: AgreementDefinition, acceptance: Acceptance | undefined): AgreementView {
  return acceptance
    ? {
        ...definition,
        status: 'accepted',
        acceptedAt: acceptance.acceptedAt,
        acceptedBy: acceptance.acceptedBy.label,
        signer: acceptance.signer,
      }
    : { ...definition, status: 'pending' };
}

/** Every agreement of the customer: accepted ones with who and when, the rest pending. */
export async function listAgreements(
  deps: AgreementDeps,
  customerId: string,
): Promise<{ accepted: AgreementView[]; pending: AgreementView[] }> {
  await requireCustomer(deps, customerId);
  const acceptances = await deps.agreements.acceptances(customerId);
  const views = agreementDefinitions.map((d) =>
    view(
      d,
      acceptances.find((a) => a.agreementId === d.id),
    ),
  );
  return {
    accepted: views.filter((v) => v.status === 'accepted'),
    pending: views.filter((v) => v.status === 'pending'),
  };
}

/** Records the customer's acceptance, once: accepting again is a conflict, not a second record. */
export async function acceptAgreement(
  deps: AgreementDeps,
  input: { customerId: string; agreementId: string; signer: Signer; actor: { id: string; label: string } },
): Promise<AgreementView> {
  const definition = agreementDefinitions.find((d) => d.id === input.agreementId);
  if (!definition) throw notFound('AGREEMENT.NOT_FOUND', `No agreement ${input.agreementId}.`);
  await requireCustomer(deps, input.customerId);
  const acceptance: Acceptance = {
    customerId: input.customerId,
    agreementId: definition.id,
    signer: input.signer,
    acceptedAt: deps.clock.now().toISOString(),
    acceptedBy: input.actor,
  };
  const existing = (await deps.agreements.acceptances(input.customerId)).find((a) => a.agreementId === definition.id);
  if (existing)
    throw conflict(
      'AGREEMENT.ALREADY_ACCEPTED',
      `The ${definition.name} was accepted on ${existing.acceptedAt.slice(0, 10)} already.`,
    );
  await deps.agreements.recordAcceptance(acceptance);
  return view(definition, acceptance);
}
