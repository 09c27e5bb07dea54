import { z } from 'zod';
import { AppError, validation } from '../../app/errors.ts';
import { readClock } from '../../app/simulator-clock/advance-clock.ts';
import type { Services } from '../../app/services.ts';
import { defineRoute } from '../route.ts';

const clockSchema = z
  .object({
    now: z.iso.datetime().describe('The app’s current time (UTC)'),
    offsetMs: z.number().int().describe('How far the app’s time is ahead of the real time, in milliseconds'),
    advancing: z
      .object({ to: z.iso.datetime(), since: z.iso.datetime() })
      .optional()
      .describe('An advance under way: its target, and since when (real time)'),
  })
  .meta({ id: 'SimulatorClock' });

const advanceSchema = z
  .strictObject({
    to: z.iso.datetime().optional().describe('The instant to advance to (UTC); or give months, days and/or hours'),
    months: z.int().min(0).max(24).optional(),
    days: z.int().min(0).max(800).optional(),
    hours: z.int().min(0).max(20000).optional(),
  })
  .meta({ id: 'SimulatorClockAdvance' });

const advanceResultSchema = z
  .object({
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    runs: z.record(z.string(), z.int()).describe('How many times each timer ran, by job name'),
    clock: clockSchema,
  })
  .meta({ id: 'SimulatorClockAdvanced' });

function control(services: Services) {
  if (!services.simulatorClock)
    throw new AppError('NotFound', 'CLOCK.NOT_AVAILABLE', 'This process runs on a clock of its own (tests).');
  return services.simulatorClock;
}

export const getSimulatorClockRoute = defineRoute({
  name: 'getSimulatorClock',
  method: 'GET',
  path: '/simulator/clock',
  access: 'partnerAdmin',
  simulatorOnly: true,
  summary: 'The simulator clock: the app’s current time (COMMERCE_MODE=simulator only)',
  tags: ['simulator'],
  responses: { 200: { description: 'The clock', schema: clockSchema } },
  async handler({ services }) {
    return { status: 200, body: await readClock(control(services)), headers: { 'cache-control': 'no-store' } };
  },
});

export const advanceSimulatorClockRoute = defineRoute({
  name: 'advanceSimulatorClock',
  method: 'POST',
  path: '/simulator/clock/advance',
  access: 'partnerAdmin',
  simulatorOnly: true,
  summary:
    'Moves the app’s time forward, running in order and once each every timer and due change in between (COMMERCE_MODE=simulator only)',
  tags: ['simulator'],
  body: advanceSchema,
  responses: {
    200: { description: 'The span run and the clock after it', schema: advanceResultSchema },
    409: { description: 'Not later than the current time, or another advance is under way' },
  },
  async handler({ body, services }) {
    const clock = control(services);
    const given = [body.months, body.days, body.hours].some((n) => n !== undefined);
    if (body.to === undefined && !given)
      throw validation('Give `to` or an amount of months, days or hours.', [
        { path: 'body.to', message: 'required unless months, days or hours are given' },
      ]);
    if (body.to !== undefined && given)
      throw validation('Give `to` or an amount, not both.', [
        { path: 'body.to', message: 'not with months, days or hours' },
      ]);
    let to: Date;
    if (body.to !== undefined) {
      to = new Date(body.to);
    } else {
      await clock.clock.refresh();
      const now = clock.clock.now();
      to = new Date(
        Date.UTC(
          now.getUTCFullYear(),
          now.getUTCMonth() + (body.months ?? 0),
          1, // the day is set below, clamped to the target month's end
          now.getUTCHours() + (body.hours ?? 0),
          now.getUTCMinutes(),
          now.getUTCSeconds(),
          now.getUTCMilliseconds(),
        ),
      );
      const lastDay = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() + 1, 0)).getUTCDate();
      to.setUTCDate(Math.min(now.getUTCDate(), lastDay) + (body.days ?? 0));
    }
    const result = await clock.advance(to);
    return { status: 200, body: { ...result, clock: await readClock(clock) } };
  },
});
