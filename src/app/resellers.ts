import type { Reseller, ResellerFields } from '../domain/reseller.ts';
import { notFound, preconditionFailed } from './errors.ts';
import type { Clock } from './ports/clock.port.ts';
import type { IdGenerator } from './ports/ids.port.ts';
import type { Versioned } from './ports/customer.repository.port.ts';
import type { ResellerStore } from './ports/reseller.port.ts';

export interface ResellerDeps {
  resellers: ResellerStore;
  clock: Clock;
  ids: IdGenerator;
}

export async function createReseller(deps: ResellerDeps, fields: ResellerFields): Promise<Versioned<Reseller>> {
  const now = deps.clock.now().toISOString();
  return deps.resellers.create({ ...fields, id: deps.ids.next(), createdAt: now, updatedAt: now });
}

export async function getReseller(
  deps: Pick<ResellerDeps, 'resellers'>,
  resellerId: string,
): Promise<Versioned<Reseller>> {
  const found = await deps.resellers.get(resellerId);
  if (!found) throw notFound('RESELLER.NOT_FOUND', `No reseller ${resellerId}.`);
  return found;
}

/** Fields given replace the stored ones, conditionally on the ETag read before. */
export async function updateReseller(
  deps: ResellerDeps,
  resellerId: string,
  patch: Partial<ResellerFields>,
  etag: string,
): Promise<Versioned<Reseller>> {
  const current = await getReseller(deps, resellerId);
  if (current.etag !== etag) throw preconditionFailed();
  return deps.resellers.replace({ ...current.value, ...patch, updatedAt: deps.clock.now().toISOString() }, etag);
}
