import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanLogs } from '../../chaos/log-scan.ts';

function logDir(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'log-scan-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('log scan of a chaos run', () => {
  it("finds the run's own phone numbers wherever they stand, even glued to a country code", () => {
    const dir = logDir({ 'api-1.log': 'dialled +8613812345678\n' });
    expect(scanLogs(dir, { secrets: {}, phones: ['13812345678'] })).toEqual([
      { file: 'api-1.log', line: 1, what: 'a full phone number' },
    ]);
    expect(scanLogs(dir, { secrets: {}, phones: [] })).toEqual([]);
  });

  it('finds full phone numbers and named secrets, saying which file and line, never the value', () => {
    const dir = logDir({
      'api-1.log': '{"msg":"order accepted","phone":"138****5678"}\n{"msg":"oops","phone":"13812345678"}\n',
      'worker-1.log': 'ok\nAuthorization: Bearer rk_secret_value_123\n',
    });
    expect(scanLogs(dir, { secrets: { "merchant 1's API key": 'rk_secret_value_123' }, phones: [] })).toEqual([
      { file: 'api-1.log', line: 2, what: 'a full phone number' },
      { file: 'worker-1.log', line: 2, what: "merchant 1's API key" },
    ]);
  });

  it('does not take longer numbers (timestamps), hex ids (UUIDs) or masked numbers for phones, and reads only .log files', () => {
    const dir = logDir({
      'api-1.log':
        '{"time":1764758400123,"phone":"138****5678","id":"2213812345678","runId":"01a23b46-8cc7-7db8-95d6-14189804557f"}\n',
      'events.txt': '13812345678\n',
    });
    expect(scanLogs(dir, { secrets: {}, phones: [] })).toEqual([]);
  });
});
