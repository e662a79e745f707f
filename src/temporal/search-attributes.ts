import type { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { ORDER_SEARCH_ATTRIBUTES } from '../shared/search-attributes.ts';

/**
 * Registers the order search attributes on a namespace, as
 * `temporal operator search-attribute create` does. Used for test servers;
 * `npm start` passes them to the dev server on its command line.
 */
export async function registerOrderSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const searchAttributes = Object.fromEntries(ORDER_SEARCH_ATTRIBUTES.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)]));
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: searchAttributes as Record<string, number> });
}
