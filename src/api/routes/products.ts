import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { ApiDeps } from '../deps.ts';
import { unknownSegment } from '../errors.ts';
import type { MerchantEnv } from '../merchant-auth.ts';
import { phone } from '../request-schemas.ts';
import { validate } from '../validate.ts';

/**
 * What the calling merchant can buy now, at its own prices: for one number
 * (its carrier and province), or the whole catalogue by carrier and province
 * (`province: null`: every province).
 */
export function productRoutes(
  { productService }: Pick<ApiDeps, 'productService'>,
  auth: MiddlewareHandler<MerchantEnv>,
) {
  return new Hono<MerchantEnv>()
    .use(auth)
    .get('/', validate('query', z.strictObject({ phone: phone.optional() })), async (c) => {
      const { phone: number } = c.req.valid('query');
      const result = await productService.products(c.get('merchant').rates, number);
      if (result.kind === 'unknown-segment') return unknownSegment(c, 404);
      return c.json({ ...(result.segment && { number: result.segment }), products: result.products });
    });
}
