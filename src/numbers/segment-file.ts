/**
 * Reads phone.dat (the `phone` PyPI package's data set, data/segments/SOURCE.md) into a
 * direct index: one Uint16 per 7-digit segment from 1300000 to 1999999 naming one of a few
 * thousand shared profiles (region × carrier × virtual), so the 4.5 MB file is dropped after
 * loading and a lookup is one array read.
 *
 * Layout (little-endian): 4 bytes version (ASCII), int32 offset of the index; then
 * "province|city|zip|area_code\0" records (UTF-8); then 9-byte index entries to the end of
 * the file: int32 segment, int32 offset of its record, uint8 card type.
 */
import { readFileSync } from 'node:fs';
import type { Carrier } from '../shared/carriers.ts';

/** Carriers the table knows: the three the platform sells plus China Broadcast Network (192), which no supplier sells yet. */
export type SegmentCarrier = Carrier | 'CBN';

/** What a segment says about its numbers, shared by every segment with the same answer. */
export interface SegmentProfile {
  carrier: SegmentCarrier;
  province: string;
  city: string;
  virtual: boolean;
}

export interface SegmentFile {
  version: string;
  /** Profile index + 1 per segment (segment - FIRST_SEGMENT); 0 for a segment the file does not know. */
  codes: Uint16Array;
  profiles: SegmentProfile[];
  size: number;
}

export const FIRST_SEGMENT = 1_300_000;
export const LAST_SEGMENT = 1_999_999;

const HEADER_BYTES = 8;
const ENTRY_BYTES = 9;
/** Card type → carrier: 1 CMCC, 2 CUCC, 3 CTCC, 4 CTCC virtual, 5 CUCC virtual, 6 CMCC virtual, 7 CBN, 8 CBN virtual. */
const CARRIER_BY_CARD_TYPE: readonly (SegmentCarrier | undefined)[] = [
  undefined,
  'CMCC',
  'CUCC',
  'CTCC',
  'CTCC',
  'CUCC',
  'CMCC',
  'CBN',
  'CBN',
];
const VIRTUAL_CARD_TYPES = new Set([4, 5, 6, 8]);
// MIIT's virtual-operator (MVNO) prefixes: the data set marks many of their segments with the
// host's plain card type, yet a recharge there goes through the reseller, not the host carrier.
const VIRTUAL_PREFIXES = new Set([162, 165, 167, 170, 171]);
const CARRIER_CODES: readonly SegmentCarrier[] = ['CMCC', 'CUCC', 'CTCC', 'CBN'];

function readOrExplain(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new Error(`Number segment table ${path} cannot be read: ${reason}`, { cause: error });
  }
}

/** Reads the regions ("province|city|zip|area_code") the index points at, each once. */
class RegionReader {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly indexByOffset = new Map<number, number>();
  readonly regions: { province: string; city: string }[] = [];

  constructor(
    private readonly buffer: Buffer,
    private readonly end: number,
    private readonly fail: (problem: string) => never,
  ) {}

  indexAt(offset: number): number {
    const known = this.indexByOffset.get(offset);
    if (known !== undefined) return known;
    const nul = offset >= HEADER_BYTES && offset < this.end ? this.buffer.indexOf(0, offset) : -1;
    if (nul < 0 || nul >= this.end) this.fail(`index points at ${offset}, outside the records area`);
    let text: string;
    try {
      text = this.decoder.decode(this.buffer.subarray(offset, nul));
    } catch {
      this.fail(`the record at ${offset} is not UTF-8`);
    }
    const [province, city, ...rest] = text.split('|');
    if (!province || !city || rest.length !== 2)
      this.fail(`the record at ${offset} is not province|city|zip|area: ${text}`);
    this.regions.push({ province, city });
    this.indexByOffset.set(offset, this.regions.length - 1);
    return this.regions.length - 1;
  }
}

/** Reads and checks the whole file; throws an Error naming the file when it is missing or malformed. */
export function readSegmentFile(path: string): SegmentFile {
  const buffer = readOrExplain(path);
  function fail(problem: string): never {
    throw new Error(`Number segment table ${path} is malformed: ${problem}`);
  }
  if (buffer.length < HEADER_BYTES) fail(`${buffer.length} bytes, shorter than its header`);
  const version = buffer.toString('latin1', 0, 4);
  if (!/^\d{4}$/.test(version)) fail(`version ${JSON.stringify(version)} is not four digits (YYMM)`);
  const indexStart = buffer.readInt32LE(4);
  const indexBytes = buffer.length - indexStart;
  if (indexStart < HEADER_BYTES || indexBytes <= 0 || indexBytes % ENTRY_BYTES !== 0) {
    fail(`index at ${indexStart} does not fit ${buffer.length} bytes in ${ENTRY_BYTES}-byte entries (truncated?)`);
  }
  const regions = new RegionReader(buffer, indexStart, fail);
  const codes = new Uint16Array(LAST_SEGMENT - FIRST_SEGMENT + 1);
  const profiles: SegmentProfile[] = [];
  const profileByKey = new Map<number, number>();
  let previous = FIRST_SEGMENT - 1;
  for (let at = indexStart; at < buffer.length; at += ENTRY_BYTES) {
    const segment = buffer.readInt32LE(at);
    const cardType = buffer.readUInt8(at + 8);
    const carrier = CARRIER_BY_CARD_TYPE[cardType];
    if (segment <= previous || segment > LAST_SEGMENT) fail(`segment ${segment} out of order or outside 130-199`);
    if (!carrier) fail(`segment ${segment} has unknown card type ${cardType}`);
    previous = segment;
    const region = regions.indexAt(buffer.readInt32LE(at + 4));
    const virtual = VIRTUAL_CARD_TYPES.has(cardType) || VIRTUAL_PREFIXES.has(Math.trunc(segment / 10_000));
    const key = (region * CARRIER_CODES.length + CARRIER_CODES.indexOf(carrier)) * 2 + Number(virtual);
    let profile = profileByKey.get(key);
    if (profile === undefined) {
      profile = profiles.push({ carrier, ...regions.regions[region]!, virtual }) - 1;
      profileByKey.set(key, profile);
    }
    codes[segment - FIRST_SEGMENT] = profile + 1;
  }
  return { version, codes, profiles, size: indexBytes / ENTRY_BYTES };
}
