import { z } from 'zod';

/**
 * Characters PostgreSQL cannot hold: NUL (`\0`: text and jsonb both refuse it) and
 * lone UTF-16 surrogates (they have no UTF-8 form: text would silently get
 * U+FFFD, jsonb refuses the escape). In `u` mode the class matches only
 * unpaired surrogates; a pair is one code point outside it.
 */
const UNSTORABLE = /[\0\uD800-\uDFFF]/u;

export const isStorableText = (text: string): boolean => !UNSTORABLE.test(text);

const NUL = '\\u0000';
/** What String.prototype.trim removes, spelled out: other regex dialects' \s (Python's, say) differ. */
const WHITESPACE = '\\t\\n\\v\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF';

/*
 * The schemas of text fields, whose patterns the OpenAPI document shows.
 * They name NUL only: a pattern naming surrogates compiles in no regex
 * dialect whose strings are Unicode scalars (Rust's, used by contract
 * testers), and a string holding an unpaired one is no I-JSON (RFC 7493)
 * string at all; the JSON body guard refuses it in any field, as the
 * document's description says.
 */

/** Free text of `min` to `max` characters (code points, as JSON Schema counts them), stored as given. */
export const storableText = (max: number, min = 0) =>
  z
    .string()
    .min(min)
    .max(max)
    .regex(new RegExp(`^[^${NUL}]*$`), 'must not contain NUL (\\u0000)');

/** Text stored trimmed: at most `max` characters as sent, at least one of them not whitespace. */
export const trimmedText = (max: number) =>
  z
    .string()
    .max(max)
    .regex(
      new RegExp(`^[^${NUL}]*[^${WHITESPACE}${NUL}][^${NUL}]*$`),
      'must hold more than whitespace, and no NUL (\\u0000)',
    )
    .trim();
