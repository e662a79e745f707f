import { describe, expect, it } from 'vitest';
import { isStorableText } from '../../src/util/storable-text.ts';

describe('text PostgreSQL can store', () => {
  it('is any well-formed text without NUL, other control characters and astral characters included', () => {
    for (const text of ['', 'plain', '中文 😀', '\u0001\u001f\u007f', '\uFFFF', '\uD83D\uDE00'])
      expect(isStorableText(text), JSON.stringify(text)).toBe(true);
  });

  it('is not text with NUL or an unpaired surrogate', () => {
    for (const text of ['\u0000', 'a\u0000b', '\uD800', 'x\uDC00', '\uDE00\uD83D', '😀\uD83D'])
      expect(isStorableText(text), JSON.stringify(text)).toBe(false);
  });
});
