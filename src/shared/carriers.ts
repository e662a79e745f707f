/** The mainland China mobile carriers the platform sells (a number's carrier is its segment's: src/numbers/segments.ts). */
export const Carrier = { CMCC: 'CMCC', CUCC: 'CUCC', CTCC: 'CTCC' } as const;
export type Carrier = (typeof Carrier)[keyof typeof Carrier];
export const CARRIERS = Object.values(Carrier);

/** Face values (whole yuan) the platform sells. */
export const DENOMINATIONS_YUAN = [10, 20, 30, 50, 100, 200, 300, 500] as const;

/** An 11-digit mainland mobile number. */
export const PHONE_PATTERN = /^1[3-9]\d{9}$/;
