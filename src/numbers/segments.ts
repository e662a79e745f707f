/**
 * The number-segment table (号段): for a mainland mobile number, its 7-digit segment's carrier,
 * province and city, from the vendored data/segments/phone.dat (docs/numbers.md).
 */
import { fileURLToPath } from 'node:url';
import type { Carrier } from '../shared/carriers.ts';
import { FIRST_SEGMENT, LAST_SEGMENT, readSegmentFile, type SegmentCarrier } from './segment-file.ts';

export type { SegmentCarrier } from './segment-file.ts';

export interface NumberSegment {
  segment: string;
  carrier: SegmentCarrier;
  /** As the data set names them: 北京, 广东, 内蒙古, ... */
  province: string;
  city: string;
  /** A virtual-operator (MVNO) segment, hosted by `carrier`. */
  virtual: boolean;
}

export interface SegmentTable {
  /** The segment of an 11-digit number (or a 7-digit segment), or undefined when the table does not know it. */
  lookup(phone: string): NumberSegment | undefined;
  /** The data set's version, YYMM ("2312"). */
  readonly version: string;
  /** Number of segments. */
  readonly size: number;
  /** Every segment the table knows, ascending (for tests and measurements). */
  segments(): Iterable<string>;
}

// Sources (src/numbers/) → <repo>/data/segments; compiled (dist/src/numbers/) → dist/data/segments,
// where scripts/build.ts copies it.
const VENDORED_PATH = fileURLToPath(new URL('../../data/segments/phone.dat', import.meta.url));

/** The first seven digits of a 7- or 11-digit string as a number, or undefined for anything else. */
function segmentNumber(phone: string): number | undefined {
  if (phone.length !== 7 && phone.length !== 11) return undefined;
  let segment = 0;
  for (let i = 0; i < phone.length; i++) {
    const digit = phone.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    if (i < 7) segment = segment * 10 + digit;
  }
  return segment;
}

export function loadSegmentTable(path: string = VENDORED_PATH): SegmentTable {
  const { version, codes, profiles, size } = readSegmentFile(path);
  return {
    version,
    size,
    lookup(phone) {
      const segment = segmentNumber(phone);
      if (segment === undefined || segment < FIRST_SEGMENT || segment > LAST_SEGMENT) return undefined;
      const code = codes[segment - FIRST_SEGMENT];
      if (!code) return undefined;
      const { carrier, province, city, virtual } = profiles[code - 1]!;
      return { segment: phone.length === 7 ? phone : phone.slice(0, 7), carrier, province, city, virtual };
    },
    *segments() {
      for (let i = 0; i < codes.length; i++) if (codes[i]) yield String(FIRST_SEGMENT + i);
    },
  };
}

let processTable: SegmentTable | undefined;

/** The process's table, loaded once on first use. */
export function segmentTable(): SegmentTable {
  processTable ??= loadSegmentTable();
  return processTable;
}

/**
 * The segment's carrier if the platform sells its numbers: not a virtual
 * operator's (an MVNO's number is recharged through that operator, which no
 * supplier here is), nor China Broadcast Network's (192), which no supplier sells yet.
 */
export const soldCarrier = (segment: NumberSegment | undefined): Carrier | undefined =>
  segment === undefined || segment.virtual || segment.carrier === 'CBN' ? undefined : segment.carrier;
