import { Hono, type MiddlewareHandler } from 'hono';
import type { MerchantBalance } from '../../db/merchant-repository.ts';
import type { ApiDeps } from '../deps.ts';
import type { MerchantEnv } from '../merchant-auth.ts';
import { noQuery } from '../request-schemas.ts';
import { validate } from '../validate.ts';

/** The calling merchant's prepaid balance (negative while it uses its credit), its credit limit, and what it may still spend. */
export function balanceRoutes({ merchants }: Pick<ApiDeps, 'merchants'>, auth: MiddlewareHandler<MerchantEnv>) {
  return new Hono<MerchantEnv>().use(auth).get('/', validate('query', noQuery), async (c) => {
    const { id } = c.get('merchant');
    const { balanceFen, creditLimitFen, availableFen } = (await merchants.balance(id)) as MerchantBalance;
    return c.json({
      merchantId: id,
      balanceFen: Number(balanceFen),
      creditLimitFen: Number(creditLimitFen),
      availableFen: Number(availableFen),
    });
  });
}
