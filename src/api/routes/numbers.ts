import { Hono, type MiddlewareHandler } from 'hono';
import type { ApiDeps } from '../deps.ts';
import { unknownSegment } from '../errors.ts';
import type { MerchantEnv } from '../merchant-auth.ts';
import { noQuery, phoneParam } from '../request-schemas.ts';
import { validate } from '../validate.ts';

/** 归属地查询: where a number is, and which carrier it belongs to, before a merchant sells to it. */
export function numberRoutes(
  { productService }: Pick<ApiDeps, 'productService'>,
  auth: MiddlewareHandler<MerchantEnv>,
) {
  return new Hono<MerchantEnv>()
    .use(auth)
    .get('/:phone', validate('param', phoneParam), validate('query', noQuery), (c) => {
      const segment = productService.lookupNumber(c.req.valid('param').phone);
      return segment ? c.json(segment) : unknownSegment(c, 404);
    });
}
