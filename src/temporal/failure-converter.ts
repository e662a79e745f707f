import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failures' messages and stack traces go into an encoded attribute (so the
 * payload codec encrypts them: an error may quote a phone number). Loaded by
 * path: the workflow bundle includes it too.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
