import { describe, expect, it } from 'vitest';
import { PHONE_PATTERN, carrierOf } from '../../src/shared/carriers.ts';
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
    expect(carrierOf(phone)).toBe(carrier);
  });

  it('knows no carrier for virtual-operator and unallocated segments', () => {
    expect(carrierOf('17012345678')).toBeUndefined();
    expect(carrierOf('14012345678')).toBeUndefined();
  });

  it('masks the middle four digits for logs', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('123')).toBe('***');
  });
});
