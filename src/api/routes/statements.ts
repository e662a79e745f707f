import { Hono, type MiddlewareHandler } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { MerchantEnv } from '../merchant-auth.ts';
import { statementAnswer, statementDateParam, statementQuery } from '../statement-answer.ts';
import { validate } from '../validate.ts';

/** The calling merchant's daily statement (对账单) of a local day: CSV, or JSON with `Accept: application/json`. */
export function statementRoutes({ statements }: Pick<ApiDeps, 'statements'>, auth: MiddlewareHandler<MerchantEnv>) {
  return new Hono<MerchantEnv>()
    .use(auth)
    .get('/:date', validate('param', statementDateParam), validate('query', statementQuery), async (c) => {
      const { id } = c.get('merchant');
      const { date } = c.req.valid('param');
      const result = await statements.statementOf(id, date, { partial: c.req.valid('query').partial === 'true' });
      return statementAnswer(c, id, date, result);
    });
}
