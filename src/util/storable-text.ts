/**
 * Characters PostgreSQL cannot hold: NUL (`\0`: text and jsonb both refuse it) and
 * lone UTF-16 surrogates (they have no UTF-8 form: text would silently get
 * U+FFFD, jsonb refuses the escape). In `u` mode the class matches only
 * unpaired surrogates; a pair is one code point outside it.
 */
const UNSTORABLE = /[\0\uD800-\uDFFF]/u;

export const isStorableText = (text: string): boolean => !UNSTORABLE.test(text);
