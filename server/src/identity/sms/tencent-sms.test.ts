import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSmsServer, startFakeTencentSms } from './fake-sms-servers.test-support.js';
import type { SmsMessage } from './sms-provider.js';
import { TencentSmsProvider, signTc3Request } from './tencent-sms.js';

const SECRET_ID = 'AKID-test-secret-id';
const SECRET_KEY = 'tencent-test-secret-key-0123456789';
const message: SmsMessage = { phone: '13800000000', template: 'sign_in_code', params: { code: '654321', minutes: 5 } };

describe('TC3-HMAC-SHA256 signature', () => {
  // Worked example of TencentCloud API 3.0 "Signature v3": CVM DescribeInstances in
  // ap-guangzhou at 1551113065. The page masks its SecretId with asterisks and names the key
  // Gu5t9xGARNpq86cd98joQYCN3EXAMPLE in the key-derivation step, and that key yields its signature.
  const documented = signTc3Request({
    secretId: 'AKID**********************0123456789EXAMPLE',
    secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
    service: 'cvm',
    host: 'cvm.tencentcloudapi.com',
    contentType: 'application/json; charset=utf-8',
    payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
    timestamp: 1551113065,
  });

  it('reproduces the documented canonical request', () => {
    expect(documented.canonicalRequest).toBe(
      'POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
    );
  });

  it('reproduces the documented string to sign', () => {
    expect(documented.stringToSign).toBe('TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031');
  });

  it('reproduces the documented authorization', () => {
    expect(documented.signature).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
    expect(documented.authorization).toBe(
      'TC3-HMAC-SHA256 Credential=AKID**********************0123456789EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });

  it.each([
    [1551139199, '2019-02-25'],
    [1551139200, '2019-02-26'],
  ])('scopes timestamp %i to UTC date %s', (timestamp, date) => {
    const signed = signTc3Request({ secretId: 'id', secretKey: 'key', service: 'sms', host: 'sms.tencentcloudapi.com', contentType: 'application/json; charset=utf-8', payload: '{}', timestamp });

    expect(signed.stringToSign.split('\n')[2]).toBe(`${date}/sms/tc3_request`);
  });
});

describe('TencentSmsProvider', () => {
  let fake: FakeSmsServer;

  beforeAll(async () => {
    fake = await startFakeTencentSms({ secretId: SECRET_ID, secretKey: SECRET_KEY });
  });

  afterAll(async () => {
    await fake.close();
  });

  const provider = (secretKey: string) => new TencentSmsProvider({ secretId: SECRET_ID, secretKey, sdkAppId: '1400000001', signName: '账安', templateId: '100001', endpoint: fake.url });

  it('sends a signed SendSms request that the fake accepts', async () => {
    await provider(SECRET_KEY).send(message);

    expect(fake.received.at(-1)).toEqual({ accepted: true, phone: '+8613800000000', code: '654321', signName: '账安', template: '100001', region: 'ap-guangzhou' });
  });

  it('surfaces a wrong secret as SmsSendError without the secret', async () => {
    const wrongKey = 'wrong-key-do-not-log';

    const error = await provider(wrongKey)
      .send(message)
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'SmsSendError', code: 'sms_provider_rejected', providerCode: 'AuthFailure.SignatureFailure' });
    expect(String((error as Error).message)).not.toContain(wrongKey);
    expect(String((error as Error).message)).not.toContain(SECRET_KEY);
    expect(fake.received.at(-1)).toMatchObject({ accepted: false, rejection: 'AuthFailure.SignatureFailure' });
  });

  it('rejects a per-number failure in SendStatusSet', async () => {
    const quotaServer = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ Response: { SendStatusSet: [{ Code: 'LimitExceeded.PhoneNumberDailyLimit', Message: 'daily limit' }], RequestId: 'r-1' } }));
    });
    await new Promise<void>((resolve) => quotaServer.listen(0, '127.0.0.1', resolve));
    const { port } = quotaServer.address() as AddressInfo;

    try {
      const sending = new TencentSmsProvider({ secretId: SECRET_ID, secretKey: SECRET_KEY, sdkAppId: '1400000001', signName: '账安', templateId: '100001', endpoint: `http://127.0.0.1:${port}` }).send(message);

      await expect(sending).rejects.toMatchObject({ code: 'sms_provider_rejected', providerCode: 'LimitExceeded.PhoneNumberDailyLimit' });
    } finally {
      await new Promise((resolve) => quotaServer.close(resolve));
    }
  });

  it('reports a non-JSON answer as a bad response', async () => {
    const htmlServer = createServer((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html>bad gateway</html>');
    });
    await new Promise<void>((resolve) => htmlServer.listen(0, '127.0.0.1', resolve));
    const { port } = htmlServer.address() as AddressInfo;

    try {
      const sending = new TencentSmsProvider({ secretId: SECRET_ID, secretKey: SECRET_KEY, sdkAppId: '1400000001', signName: '账安', templateId: '100001', endpoint: `http://127.0.0.1:${port}` }).send(message);

      await expect(sending).rejects.toMatchObject({ code: 'sms_provider_bad_response' });
    } finally {
      await new Promise((resolve) => htmlServer.close(resolve));
    }
  });
});
