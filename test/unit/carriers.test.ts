import { describe, expect, it } from 'vitest';
import { segmentTable } from '../../src/numbers/segments.ts';
import { PHONE_PATTERN } from '../../src/shared/carriers.ts';
import { PROVINCES } from '../../src/shared/provinces.ts';
import { maskPhone } from '../../src/util/mask.ts';

describe('carrier of a phone number', () => {
  it.each([
    ['13812345678', 'CMCC'],
    ['19812345678', 'CMCC'],
    ['18612345678', 'CUCC'],
    ['13012345678', 'CUCC'],
    ['18912345678', 'CTCC'],
    ['19912345678', 'CTCC'],
  ])('%s belongs to %s', (phone, carrier) => {
    expect(PHONE_PATTERN.test(phone)).toBe(true);
    expect(segmentTable().lookup(phone)?.carrier).toBe(carrier);
  });

  it('names every province the segment table names, as it names them', () => {
    const named = new Set<string>();
    for (const segment of segmentTable().segments()) named.add(segmentTable().lookup(segment)?.province as string);
    expect([...named].sort()).toEqual([...PROVINCES].sort());
  });

  it('masks the middle four digits for logs', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('123')).toBe('***');
  });
});
