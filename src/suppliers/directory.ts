import { createCarrierClient, type CarrierClient } from '../carrier/client.ts';
import type { SupplierRepository } from '../db/supplier-repository.ts';

/** How to reach one supplier, and where it must send its result callbacks. */
export interface SupplierEndpoint {
  client: CarrierClient;
  callbackUrl: string;
  rateLimitPerSecond: number;
  /** The HTTP client's timeout: how long a call may last once sent. */
  timeoutMs: number;
}

export interface SupplierDirectory {
  get(supplierId: string): Promise<SupplierEndpoint>;
}

/** Where a supplier's callbacks reach the API: each verified with that supplier's own secret. */
export function supplierCallbackUrl(publicBaseUrl: string, supplierId: string): string {
  return new URL(`/callbacks/suppliers/${encodeURIComponent(supplierId)}`, publicBaseUrl).toString();
}

/**
 * The suppliers' endpoints as the worker's calls need them, read from the
 * database at most every `ttlMs` per supplier, so a changed base URL or rate
 * limit is used within that time without a restart.
 */
export function createSupplierDirectory({
  suppliers,
  publicBaseUrl,
  timeoutMs,
  ttlMs = 2_000,
}: {
  suppliers: Pick<SupplierRepository, 'findById'>;
  publicBaseUrl: string;
  timeoutMs: number;
  ttlMs?: number;
}): SupplierDirectory {
  const cache = new Map<string, { endpoint: SupplierEndpoint; baseUrl: string; readAt: number }>();
  return {
    async get(supplierId) {
      const cached = cache.get(supplierId);
      if (cached && Date.now() - cached.readAt < ttlMs) return cached.endpoint;
      const supplier = await suppliers.findById(supplierId);
      if (!supplier) throw new Error(`no supplier ${supplierId}`);
      const client =
        cached?.baseUrl === supplier.baseUrl
          ? cached.endpoint.client
          : createCarrierClient(supplier.baseUrl, timeoutMs);
      const endpoint = {
        client,
        callbackUrl: supplierCallbackUrl(publicBaseUrl, supplierId),
        rateLimitPerSecond: supplier.rateLimitPerSecond,
        timeoutMs,
      };
      cache.set(supplierId, { endpoint, baseUrl: supplier.baseUrl, readAt: Date.now() });
      return endpoint;
    },
  };
}
