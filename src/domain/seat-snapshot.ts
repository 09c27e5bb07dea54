import { z } from 'zod';

/**
 * F-REPORTS: a customer's seats on one day, per subscription: purchased (the subscription's quantity) and
 * assigned (licenses given to users). Taken daily from the subscriptions mirror, which only knows today, so that
 * "licenses in use" has a history for any past month.
 */
export const seatCountSchema = z.object({
  subscriptionId: z.string(),
  productId: z.string(),
  productName: z.string(),
  status: z.string(),
  purchased: z.number().int().min(0),
  assigned: z.number().int().min(0),
});
export type SeatCount = z.infer<typeof seatCountSchema>;

export const seatSnapshotSchema = z.object({
  customerId: z.string(),
  /** The UTC day it was taken. */
  date: z.iso.date(),
  subscriptions: z.array(seatCountSchema),
});
export type SeatSnapshot = z.infer<typeof seatSnapshotSchema>;
