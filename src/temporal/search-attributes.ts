import type { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { ORDER_SEARCH_ATTRIBUTES } from '../shared/search-attributes.ts';

/**
 * Registers the order search attributes a namespace lacks, as `temporal
 * operator search-attribute create` does; safe to run at every deployment.
 * Returns the names it added. (`npm start` passes them to its dev server on
 * the command line instead.)
 */
export async function registerOrderSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const known = await connection.operatorService.listSearchAttributes({ namespace }).then(
    (existing) => new Set(Object.keys(existing.customAttributes ?? {})),
    (error: { code?: number }) => {
      if (error.code !== 12) throw error; // UNIMPLEMENTED: the time-skipping test server cannot list; add them all
      return new Set<string>();
    },
  );
  const missing = ORDER_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  const searchAttributes = Object.fromEntries(
    missing.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)]),
  );
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: searchAttributes as Record<string, number>,
  });
  return missing.map((key) => key.name);
}
