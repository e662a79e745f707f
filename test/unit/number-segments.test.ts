import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSegmentTable, segmentTable } from '../../src/numbers/segments.ts';

const VENDORED = new URL('../../data/segments/phone.dat', import.meta.url);

describe('number-segment table', () => {
  const table = segmentTable();

  it('answers a number with its segment, carrier, province and city', () => {
    expect(table.version).toBe('2312');
    expect(table.lookup('13800138000')).toEqual({
      segment: '1380013',
      carrier: 'CMCC',
      province: '北京',
      city: '北京',
      virtual: false,
    });
    expect(table.lookup('1380013')).toEqual(table.lookup('13800138000'));
    expect(table.lookup('15521234567')).toMatchObject({ carrier: 'CUCC', virtual: false });
    expect(segmentTable()).toBe(table);
  });

  it('answers every segment the shipped file lists, in ascending order', () => {
    const file = readFileSync(VENDORED);
    expect(table.size).toBe((file.length - file.readInt32LE(4)) / 9);
    let count = 0;
    let previous = '';
    for (const segment of table.segments()) {
      const found = table.lookup(`${segment}0000`);
      if (!found?.province || !found.city || !['CMCC', 'CUCC', 'CTCC', 'CBN'].includes(found.carrier)) {
        expect.fail(`segment ${segment}: ${JSON.stringify(found)}`);
      }
      if (found.segment !== segment || segment <= previous) expect.fail(`segment ${segment} after ${previous}`);
      previous = segment;
      count++;
    }
    expect(count).toBe(table.size);
  });

  it.each([
    ['17000001234', 'CTCC', '北京'], // 170 with the host's plain card type: virtual by prefix
    ['17100471234', 'CUCC', '安徽'], // CUCC virtual card type
    ['16500011234', 'CMCC', '北京'], // 165 with the plain CMCC card type
    ['16210241234', 'CTCC', '天津'], // CTCC virtual card type
    ['13490001234', 'CMCC', '北京'], // 1349 (once the satellite segment): CMCC virtual in this data set
  ])('knows the virtual segment of %s hosted by %s', (phone, carrier, province) => {
    expect(table.lookup(phone)).toMatchObject({ carrier, province, virtual: true });
  });

  it('knows China Broadcast Network (192)', () => {
    expect(table.lookup('19200001234')).toEqual({
      segment: '1920000',
      carrier: 'CBN',
      province: '广东',
      city: '佛山',
      virtual: false,
    });
  });

  it('knows no unlisted segment', () => {
    expect(table.lookup('13447101234')).toBeUndefined(); // a gap in 134
    expect(table.lookup('14000001234')).toBeUndefined();
    expect(table.lookup('12345678901')).toBeUndefined(); // below 130
  });

  it.each([
    '',
    '1380013800',
    '138001380001',
    '13800138a00',
    ' 3800138000',
    '+8613800138000',
    '138-0013-800',
    '13800１3',
  ])('answers undefined for malformed input %j', (input) => {
    expect(table.lookup(input)).toBeUndefined();
  });
});

describe('loading a segment file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segments-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  const vendored = readFileSync(VENDORED);

  it('throws naming a missing file', () => {
    const path = join(dir, 'absent.dat');
    expect(() => loadSegmentTable(path)).toThrow(`Number segment table ${path} cannot be read: no such file`);
  });

  it.each([
    ['cut in its header', vendored.subarray(0, 6), /shorter than its header/],
    ['cut in its records', vendored.subarray(0, 5000), /truncated/],
    ['cut in its index', vendored.subarray(0, vendored.length - 4), /truncated/],
    ['not a segment file', Buffer.from('<html>not found</html>'), /version "<htm" is not four digits/],
  ])('throws naming a file %s', (name, bytes, problem) => {
    const path = write(`${name}.dat`, bytes);
    expect(() => loadSegmentTable(path)).toThrow(`Number segment table ${path} is malformed`);
    expect(() => loadSegmentTable(path)).toThrow(problem);
  });

  it('throws on an index entry pointing outside the records', () => {
    const broken = Buffer.from(vendored);
    broken.writeInt32LE(broken.length, broken.readInt32LE(4) + 4);
    expect(() => loadSegmentTable(write('bad-offset.dat', broken))).toThrow(/outside the records area/);
  });
});
