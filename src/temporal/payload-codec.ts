/**
 * Encrypts every payload Temporal stores (workflow inputs and results,
 * activity arguments, signals, updates, queries, failure details): the
 * server, its history, the Web UI and `temporal workflow show` see only
 * ciphertext unless they go through the codec server. AES-256-GCM; several
 * keys can decrypt, one (the active key) encrypts, so keys can rotate.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { decode, encode } from '@temporalio/common/lib/encoding.js';
import proto from '@temporalio/proto';

/** The encoding Temporal's samples and other SDKs use for encrypted payloads. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
const METADATA_KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
// A CommonJS module: its namespace has only a default export under Node's ESM loader.
const { Payload: PayloadMessage } = proto.temporal.api.common.v1;
const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export interface CodecKeys {
  /** The key new payloads are encrypted with. */
  activeKeyId: string;
  /** Every key payloads may have been encrypted with, by id (the active one included). */
  keys: ReadonlyMap<string, Buffer>;
}

/**
 * Reads `id:base64key,id:base64key` (each key 32 random bytes, e.g. from
 * `openssl rand -base64 32`); the active key is `activeKeyId`, or the first.
 * The error never contains a key.
 */
export function parseCodecKeys(text: string, activeKeyId?: string): CodecKeys {
  const keys = new Map<string, Buffer>();
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [id = '', encoded = ''] = entry.split(':', 2);
    if (!KEY_ID_PATTERN.test(id))
      throw new Error(
        `payload codec key ids are 1-64 letters, digits or "._-"; got an entry starting "${id.slice(0, 16)}"`,
      );
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== KEY_BYTES)
      throw new Error(`payload codec key "${id}" must be ${KEY_BYTES} bytes, base64-encoded`);
    if (keys.has(id)) throw new Error(`payload codec key "${id}" is given twice`);
    keys.set(id, key);
  }
  const active = activeKeyId ?? [...keys.keys()][0];
  if (active === undefined) throw new Error('no payload codec key given');
  if (!keys.has(active)) throw new Error(`the active payload codec key "${active}" is not among the keys`);
  return { activeKeyId: active, keys };
}

/** A new key entry for PAYLOAD_CODEC_KEYS. */
export const newCodecKeyEntry = (id: string) => `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly codecKeys: CodecKeys) {}

  encode(payloads: Payload[]): Promise<Payload[]> {
    const { activeKeyId, keys } = this.codecKeys;
    const key = keys.get(activeKeyId) as Buffer;
    return Promise.resolve(
      payloads.map((payload) => {
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        // The key id is authenticated with the data: a payload cannot be passed off as another key's.
        cipher.setAAD(Buffer.from(activeKeyId));
        const encrypted = Buffer.concat([cipher.update(PayloadMessage.encode(payload).finish()), cipher.final()]);
        return {
          metadata: { [METADATA_ENCODING_KEY]: encode(ENCRYPTED_ENCODING), [METADATA_KEY_ID]: encode(activeKeyId) },
          data: Buffer.concat([iv, encrypted, cipher.getAuthTag()]),
        };
      }),
    );
  }

  /** Payloads stored before encryption (and the replay fixtures) pass through as they are. */
  decode(payloads: Payload[]): Promise<Payload[]> {
    try {
      return Promise.resolve(payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload)));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private decrypt(payload: Payload): Payload {
    const keyIdBytes = payload.metadata?.[METADATA_KEY_ID];
    if (!keyIdBytes || !payload.data) throw new ValueError('an encrypted payload without its key id or data');
    const keyId = decode(keyIdBytes);
    const key = this.codecKeys.keys.get(keyId);
    if (!key) throw new ValueError(`no payload codec key "${keyId}" to decrypt with: add it to PAYLOAD_CODEC_KEYS`);
    const data = Buffer.from(payload.data);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    return PayloadMessage.decode(plain);
  }
}

export const isEncrypted = (payload: Payload): boolean => {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return encoding !== undefined && encoding !== null && decode(encoding) === ENCRYPTED_ENCODING;
};
