import type { Clock } from '../ports/clock.port.ts';
import type { CustomerDataStore } from '../ports/customer-data.port.ts';
import type { CustomerRepository } from '../ports/customer.repository.port.ts';
import type { SeatSnapshotStore } from '../ports/seat-snapshot.port.ts';

export interface SeatSnapshotDeps {
  clock: Clock;
  customers: CustomerRepository;
  customerData: Pick<CustomerDataStore, 'services'>;
  seatSnapshots: SeatSnapshotStore;
}
