import { Hono, type MiddlewareHandler } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { MerchantEnv } from '../merchant-auth.ts';
import { noQuery } from '../request-schemas.ts';
import { validate } from '../validate.ts';

/** The calling merchant's prepaid balance. */
export function balanceRoutes({ merchants }: Pick<ApiDeps, 'merchants'>, auth: MiddlewareHandler<MerchantEnv>) {
  return new Hono<MerchantEnv>().use(auth).get('/', validate('query', noQuery), async (c) => {
    const { id } = c.get('merchant');
    return c.json({ merchantId: id, balanceFen: Number(await merchants.balance(id)) });
  });
}
