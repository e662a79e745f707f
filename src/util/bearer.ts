import { createHash, timingSafeEqual } from 'node:crypto';

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export const bearerTokenOf = (header: string | undefined): string | undefined =>
  /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];

const digest = (value: string) => createHash('sha256').update(value).digest();

/** A check of a secret token in constant time (digests, so the length leaks nothing either). */
export function secretChecker(expected: string): (given: string) => boolean {
  const expectedDigest = digest(expected);
  return (given) => timingSafeEqual(digest(given), expectedDigest);
}
