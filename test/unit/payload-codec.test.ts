import type { Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { AesGcmPayloadCodec, newCodecKeyEntry, parseCodecKeys } from '../../src/temporal/payload-codec.ts';

const plain = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"13987654321"') };
const codecWith = (keys: string, active?: string) => new AesGcmPayloadCodec(parseCodecKeys(keys, active));
/** A payload as text, to compare decoded payloads (protobuf objects) with plain ones. */
const readable = ({ metadata, data }: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? []).toString()]),
  ),
  data: Buffer.from(data ?? []).toString(),
});

describe('payload codec (AES-256-GCM)', () => {
  it('encrypts with the active key and decrypts what it encrypted', async () => {
    const codec = codecWith(newCodecKeyEntry('k1'));
    const [encrypted] = await codec.encode([plain]);
    expect(Buffer.from(encrypted!.data!).includes(plain.data)).toBe(false);
    expect(Buffer.from(encrypted!.metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect((await codec.decode([encrypted!])).map(readable)).toEqual([readable(plain)]);
  });

  it('reads payloads of older keys after a rotation, and writes with the new one', async () => {
    const old = newCodecKeyEntry('2026-06');
    const [byOldKey] = await codecWith(old).encode([plain]);
    const rotated = codecWith(`${old},${newCodecKeyEntry('2026-12')}`, '2026-12');
    expect((await rotated.decode([byOldKey!])).map(readable)).toEqual([readable(plain)]);
    const [byNewKey] = await rotated.encode([plain]);
    expect(Buffer.from(byNewKey!.metadata!['encryption-key-id']!).toString()).toBe('2026-12');
  });

  it('passes payloads stored before encryption through, and refuses one no key can read or one altered', async () => {
    const codec = codecWith(newCodecKeyEntry('k1'));
    expect(await codec.decode([plain])).toEqual([plain]);
    const [foreign] = await codecWith(newCodecKeyEntry('other')).encode([plain]);
    await expect(codec.decode([foreign!])).rejects.toThrow(/no payload codec key "other"/);
    const [encrypted] = await codec.encode([plain]);
    const altered = Buffer.from(encrypted!.data!);
    altered[20] = (altered[20] as number) ^ 1;
    await expect(codec.decode([{ ...encrypted!, data: altered }])).rejects.toThrow();
  });

  it('refuses keys that are not 32 bytes, unknown active keys and bad ids, without quoting a key', () => {
    const short = `k1:${Buffer.alloc(16).toString('base64')}`;
    expect(() => parseCodecKeys(short)).toThrow('payload codec key "k1" must be 32 bytes, base64-encoded');
    expect(() => parseCodecKeys(newCodecKeyEntry('k1'), 'k2')).toThrow(
      'the active payload codec key "k2" is not among the keys',
    );
    expect(() => parseCodecKeys('')).toThrow('no payload codec key given');
    const entry = newCodecKeyEntry('bad id');
    expect(() => parseCodecKeys(entry)).toThrow(/key ids are 1-64/);
    expect(() => parseCodecKeys(entry)).not.toThrow(entry.split(':')[1]);
  });
});
