/** Hostile values for the hostile-input property test: strings, numbers, wrong types, broken encodings. */
import fc from 'fast-check';

export const SQL_FRAGMENTS = [
  "' OR '1'='1",
  "'; DROP TABLE orders; --",
  '1; SELECT pg_sleep(5)',
  "') UNION SELECT api_key_hash FROM merchants --",
  '$1',
  '\\',
  '%',
  '_%',
  "E'\\x00'",
  '" OR ""="',
];
export const SCRIPT_FRAGMENTS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '{{7*7}}',
  '${7*7}',
  '../../etc/passwd',
  '\r\nX-Injected: 1',
  '\u202Egnp.exe',
];
/** Names every JavaScript object inherits: a lookup keyed by input that is not an own-key lookup finds them. */
export const PROPERTY_NAMES = [
  'constructor',
  '__proto__',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
];
export const NUMERIC_STRINGS = [
  '50',
  '-1',
  '0',
  '1e308',
  '1e999',
  'NaN',
  'Infinity',
  '0x10',
  '1_000',
  '１２３',
  ' 7',
  '9007199254740993',
  '-0',
  '1.5',
];
/** Percent-encoded sequences that are not UTF-8 or decode to NUL, and malformed percent-encoding. */
export const BAD_PERCENT = [
  '%00',
  '%C3%28',
  '%FF',
  '%ED%A0%80',
  '%C0%80',
  '%E4%BD',
  '%80',
  '%F8%88%80%80%80',
  '%zz',
  '%',
  '%0',
  '%%',
];

/** Inserts a character at a position picked by the generator. */
const inserted = (char: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.string({ maxLength: 20 }), char, fc.string({ maxLength: 20 }))
    .map(([before, c, after]) => `${before}${c}${after}`);

/** Strings PostgreSQL cannot store: a NUL or a lone surrogate somewhere. */
export const unstorableString = inserted(fc.constantFrom('\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF'));

/** A string of min..max characters (code points, as zod counts them), without spending the generator's time on it. */
export const longString = (min: number, max: number) =>
  fc
    .tuple(fc.integer({ min, max }), fc.constantFrom('x', 'é', '中', '😀', ' ', "'"))
    .map(([length, unit]) => unit.repeat(length));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }), // control characters
  fc.constantFrom(
    ...SQL_FRAGMENTS,
    ...SCRIPT_FRAGMENTS,
    ...NUMERIC_STRINGS,
    ...PROPERTY_NAMES,
    '',
    ' ',
    'null',
    'true',
    '[]',
    '{}',
  ),
  unstorableString,
  longString(100, 20_000),
);

const hugeNumbers = fc.constantFrom(
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER - 2,
  2 ** 31,
  2 ** 63,
  Number.MIN_VALUE,
  -0,
);
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  hugeNumbers,
);

/** Any JSON value a client could send, nested a little. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
})).value;

/** Values of another JSON type than the one a field wants. */
export const notAString = fc.oneof(
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileJson, { maxLength: 3 }),
  fc.dictionary(hostileString, hostileJson, { maxKeys: 3 }),
);
export const notANumber = fc.oneof(
  fc.constantFrom(...NUMERIC_STRINGS),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileNumber, { maxLength: 3 }),
  fc.dictionary(hostileString, hostileJson, { maxKeys: 3 }),
);

/** Strings that trim to nothing. */
export const blank = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u3000', '\u00A0'), maxLength: 5 });

/** A string with at least one character outside `allowed` (a character class such as A-Za-z0-9_-). */
export const withForbiddenChar = (allowed: RegExp) =>
  fc
    .tuple(
      fc.string({ maxLength: 10 }),
      fc
        .oneof(hostileString, fc.constantFrom(' ', "'", ';', '<', '中', '/', '\n', '😀'))
        .filter((s) => [...s].some((c) => !allowed.test(c))),
      fc.string({ maxLength: 10 }),
    )
    .map((parts) => parts.join(''));

/** Percent-encodes a string for a URL; lone surrogates (which no URL can carry) become U+FFFD first. */
export const encode = (value: string) => encodeURIComponent(value.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'));

/** Header values a client can send (Latin-1, no CR, LF or NUL), for keys, tokens and signatures. */
export const headerValue = fc.string({
  unit: fc.oneof(
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
    fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
  ),
  maxLength: 80,
});
