import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { BlockedCursor } from '../../db/risk-repository.ts';
import { maskPhone } from '../../util/mask.ts';
import { trimmedText } from '../../util/storable-text.ts';
import type { AdminEnv } from '../admin-auth.ts';
import type { ApiDeps } from '../deps.ts';
import { problem } from '../errors.ts';
import { integerQueryOr, noQuery, phone, phoneParam } from '../request-schemas.ts';
import { validate } from '../validate.ts';

type Deps = Pick<ApiDeps, 'risk' | 'logger'>;

// Any 11-digit mainland mobile number, of a segment the table knows or not: a block outlives segment changes.
const blockBody = z
  .strictObject({ phone, reason: trimmedText(500) })
  .meta({ examples: [{ phone: '13812345678', reason: 'fraud: stolen SIM reported by the carrier, ticket 4471' }] });
const limitsBody = z
  .strictObject({
    perNumberDailyOrders: z.number().int().min(1).max(10_000),
    perNumberDailyAmountYuan: z.number().int().min(1).max(10_000_000),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'nothing to change')
  .meta({ minProperties: 1, examples: [{ perNumberDailyOrders: 20 }, { perNumberDailyAmountYuan: 2000 }] });

/** A page's end as `nextBefore` gives it: its last entry's time (ms since 1970, up to year 2286) and number. */
const cursorText = ({ createdAt, phone }: BlockedCursor) => `${createdAt.getTime()}-${phone}`;
const listQuery = z.strictObject({
  limit: integerQueryOr(50, 1, 500),
  before: z
    .string()
    .regex(/^\d{1,13}-1[3-9]\d{9}$/, 'must be the nextBefore of a page')
    .transform((text): BlockedCursor => {
      const [ms, number] = text.split('-') as [string, string];
      return { createdAt: new Date(Number(ms)), phone: number };
    })
    .optional(),
});

/** Blocks the number as the request's operator; 409 naming who blocked it and why if it is blocked already. */
async function blockNumber({ risk, logger }: Deps, c: Context<AdminEnv>, body: z.infer<typeof blockBody>) {
  const operator = c.get('operator').name;
  const { created, entry } = await risk.block({ ...body, blockedBy: operator });
  if (!created)
    return problem(
      c,
      409,
      'number_already_blocked',
      `${entry.phone} was blocked by ${entry.blockedBy} at ${entry.createdAt.toISOString()}: ${entry.reason}`,
    );
  logger.info({ phone: maskPhone(entry.phone), operator }, 'number blocked');
  return c.json(entry, 201);
}

/** A page of blocked numbers, newest first; `nextBefore` pages on (null on the last page). */
async function listBlocked({ risk }: Deps, c: Context, query: z.infer<typeof listQuery>) {
  const entries = await risk.listBlocked(query);
  const last = entries.length === query.limit ? entries.at(-1) : undefined;
  return c.json({ blockedNumbers: entries, nextBefore: last ? cursorText(last) : null });
}

/**
 * Numbers that must never be topped up, and how much one number may be
 * topped up a day: what every order is checked against. An operator blocks
 * and unblocks numbers (fraud, complaints); an admin sets the limits.
 */
export function adminRiskRoutes({ risk, logger }: Deps) {
  return new Hono<AdminEnv>()
    .post('/blocked-numbers', validate('query', noQuery), validate('json', blockBody), (c) =>
      blockNumber({ risk, logger }, c, c.req.valid('json')),
    )
    .get('/blocked-numbers', validate('query', listQuery), (c) =>
      listBlocked({ risk, logger }, c, c.req.valid('query')),
    )
    .delete('/blocked-numbers/:phone', validate('param', phoneParam), validate('query', noQuery), async (c) => {
      const { phone: number } = c.req.valid('param');
      if (!(await risk.unblock(number))) return problem(c, 404, 'number_not_blocked', `${number} is not blocked`);
      logger.info({ phone: maskPhone(number), operator: c.get('operator').name }, 'number unblocked');
      return c.body(null, 204);
    })
    .get('/risk-limits', validate('query', noQuery), async (c) => c.json(await risk.limits()))
    .patch('/risk-limits', validate('query', noQuery), validate('json', limitsBody), async (c) => {
      const change = c.req.valid('json');
      const operator = c.get('operator').name;
      const limits = await risk.setLimits(change, operator);
      logger.info({ change, operator }, 'risk limits changed');
      return c.json(limits);
    });
}
