import { Hono } from 'hono';
import type { AdminEnv } from '../admin-auth.ts';
import type { ApiDeps } from '../deps.ts';
import { merchantIdParam } from '../request-schemas.ts';
import { statementAnswer, statementDateParam, statementQuery } from '../statement-answer.ts';
import { validate } from '../validate.ts';

/** A merchant's daily statement, as the merchant gets it, for the platform's operators (any role). */
export function adminMerchantStatementRoutes({ statements }: Pick<ApiDeps, 'statements'>) {
  return new Hono<AdminEnv>().get(
    '/:date',
    validate('param', merchantIdParam.extend(statementDateParam.shape)),
    validate('query', statementQuery),
    async (c) => {
      const { merchantId, date } = c.req.valid('param');
      const result = await statements.statementOf(merchantId, date, {
        partial: c.req.valid('query').partial === 'true',
      });
      return statementAnswer(c, merchantId, date, result);
    },
  );
}
