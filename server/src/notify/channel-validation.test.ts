import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { validateChannelInputOrThrow } from './channel-validation.js';

const SECRET = 'a-webhook-secret-of-enough-length';

function urlIssues(url: string): unknown {
  try {
    validateChannelInputOrThrow({ kind: 'webhook', name: 'Hook', enabled: true, minSeverity: 'low', url, secret: SECRET });
    return [];
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return error.issues;
  }
}

describe('webhook address check', () => {
  it.each([
    'https://169.254.169.254/latest',
    'https://[::ffff:169.254.169.254]/',
    'https://[::ffff:a9fe:a9fe]/',
    'https://[0:0:0:0:0:ffff:169.254.169.254]/',
    'https://[::169.254.169.254]/',
    'https://[64:ff9b::169.254.169.254]/',
    'https://100.100.100.200/latest/meta-data',
    'https://[::ffff:100.100.100.200]/',
    'https://0x64.100.100.200/',
    'https://[fe80::1]/',
    'https://0.0.0.0/',
    'https://[::ffff:0.0.0.0]/',
  ])('rejects %s', (url) => {
    expect(urlIssues(url)).toEqual([{ path: 'url', message: 'channel_url_host' }]);
  });

  it.each(['https://siem.firm.test/hook', 'https://100.100.100.201/', 'https://[::ffff:10.0.0.9]/', 'https://[2001:db8::a9fe:a9fe]/'])('accepts %s', (url) => {
    expect(urlIssues(url)).toEqual([]);
  });
});
