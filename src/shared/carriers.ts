/** Mainland China mobile carriers and the number prefixes each one owns. */
export const Carrier = { CMCC: 'CMCC', CUCC: 'CUCC', CTCC: 'CTCC' } as const;
export type Carrier = (typeof Carrier)[keyof typeof Carrier];
export const CARRIERS = Object.values(Carrier);

/** Face values (whole yuan) the platform sells. */
export const DENOMINATIONS_YUAN = [10, 20, 30, 50, 100, 200, 300, 500] as const;

// Three-digit segments allocated by MIIT to each carrier (virtual-operator
// 170/171 segments are ambiguous and deliberately not accepted).
const PREFIXES: Record<Carrier, readonly string[]> = {
  CMCC: [
    '134',
    '135',
    '136',
    '137',
    '138',
    '139',
    '147',
    '148',
    '150',
    '151',
    '152',
    '157',
    '158',
    '159',
    '172',
    '178',
    '182',
    '183',
    '184',
    '187',
    '188',
    '195',
    '197',
    '198',
  ],
  CUCC: ['130', '131', '132', '145', '146', '155', '156', '166', '167', '175', '176', '185', '186', '196'],
  CTCC: ['133', '149', '153', '173', '174', '177', '180', '181', '189', '190', '191', '193', '199'],
};

const CARRIER_BY_PREFIX = new Map<string, Carrier>(
  (Object.entries(PREFIXES) as [Carrier, readonly string[]][]).flatMap(([carrier, prefixes]) =>
    prefixes.map((prefix) => [prefix, carrier] as const),
  ),
);

export const PHONE_PATTERN = /^1[3-9]\d{9}$/;

/** A mobile number in a segment of a carrier the platform serves (what the API takes, and says it takes). */
export const SUPPORTED_PHONE_PATTERN = new RegExp(`^(?:${[...CARRIER_BY_PREFIX.keys()].sort().join('|')})\\d{8}$`);

/** The carrier that owns a mobile number, or undefined for an unknown segment. */
export function carrierOf(phone: string): Carrier | undefined {
  return CARRIER_BY_PREFIX.get(phone.slice(0, 3));
}
