import type { DataConverter } from '@temporalio/common';
import { modulePath } from '../util/module-path.ts';
import { AesGcmPayloadCodec, type CodecKeys } from './payload-codec.ts';

export const FAILURE_CONVERTER_PATH = modulePath('./failure-converter.ts', import.meta.url);

/**
 * How every client and worker of the platform converts payloads: encrypted
 * with the payload codec, failure messages included.
 */
export function createDataConverter(keys: CodecKeys): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/** The data converter of a process configured with these keys; none (payloads as they are) without. */
export const dataConverterFor = (keys: CodecKeys | undefined): DataConverter | undefined =>
  keys ? createDataConverter(keys) : undefined;
