import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AliyunSmsProvider, canonicalizeRpcQuery, percentEncodeRpc, signRpcRequest } from './aliyun-sms.js';
import { type FakeSmsServer, startFakeAliyunSms } from './fake-sms-servers.test-support.js';
import type { SmsMessage } from './sms-provider.js';

const ACCESS_KEY_ID = 'LTAI-test-key-id';
const ACCESS_KEY_SECRET = 'aliyun-test-secret-0123456789';
const message: SmsMessage = { phone: '13800000000', template: 'sign_in_code', params: { code: '123456', minutes: 5 } };

describe('Alibaba Cloud RPC signature', () => {
  // Worked example of Alibaba Cloud's RPC "Signature mechanism" page: ECS DescribeRegions
  // with AccessKey ID testid and secret testsecret.
  const describeRegions = {
    AccessKeyId: 'testid',
    Action: 'DescribeRegions',
    Format: 'XML',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
    SignatureVersion: '1.0',
    Timestamp: '2016-02-23T12:46:24Z',
    Version: '2014-05-26',
  };

  it('reproduces the documented DescribeRegions query', () => {
    expect(canonicalizeRpcQuery(describeRegions)).toBe(
      'AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26',
    );
  });

  it('reproduces the documented DescribeRegions signature', () => {
    expect(signRpcRequest({ method: 'GET', params: describeRegions, accessKeySecret: 'testsecret' })).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('reproduces the documented SendSms signature', () => {
    // Worked example of the Short Message Service "request signature" page (testId / testSecret),
    // which also covers a Chinese SignName and a JSON TemplateParam.
    const sendSms = {
      AccessKeyId: 'testId',
      Action: 'SendSms',
      Format: 'XML',
      OutId: '123',
      PhoneNumbers: '15300000001',
      RegionId: 'cn-hangzhou',
      SignName: '阿里云短信测试专用',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
      SignatureVersion: '1.0',
      TemplateCode: 'SMS_71390007',
      TemplateParam: '{"customer":"test"}',
      Timestamp: '2017-07-12T02:42:19Z',
      Version: '2017-05-25',
    };

    expect(signRpcRequest({ method: 'GET', params: sendSms, accessKeySecret: 'testSecret' })).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  });

  it.each([
    ['a b', 'a%20b'],
    ['a*b', 'a%2Ab'],
    ['a~b', 'a~b'],
    ["!'()", '%21%27%28%29'],
    ['-_.', '-_.'],
    ['/', '%2F'],
    ['账', '%E8%B4%A6'],
  ])('percent-encodes %s as %s', (input, expected) => {
    expect(percentEncodeRpc(input)).toBe(expected);
  });
});

describe('AliyunSmsProvider', () => {
  let fake: FakeSmsServer;

  beforeAll(async () => {
    fake = await startFakeAliyunSms({ accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET });
  });

  afterAll(async () => {
    await fake.close();
  });

  const provider = (accessKeySecret: string) => new AliyunSmsProvider({ accessKeyId: ACCESS_KEY_ID, accessKeySecret, signName: '账安', templateCode: 'SMS_000001', endpoint: fake.url });

  it('sends a signed SendSms request that the fake accepts', async () => {
    await provider(ACCESS_KEY_SECRET).send(message);

    expect(fake.received.at(-1)).toEqual({ accepted: true, phone: '13800000000', code: '123456', signName: '账安', template: 'SMS_000001' });
  });

  it('surfaces a wrong secret as SmsSendError without the secret', async () => {
    const wrongSecret = 'wrong-secret-do-not-log';

    const error = await provider(wrongSecret)
      .send(message)
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'SmsSendError', code: 'sms_provider_rejected', providerCode: 'SignatureDoesNotMatch' });
    expect(String((error as Error).message)).not.toContain(wrongSecret);
    expect(String((error as Error).message)).not.toContain(ACCESS_KEY_SECRET);
    expect(fake.received.at(-1)).toMatchObject({ accepted: false, rejection: 'SignatureDoesNotMatch' });
  });

  it('reports a refused connection as unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    const sending = new AliyunSmsProvider({ accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET, signName: '账安', templateCode: 'SMS_000001', endpoint: `http://127.0.0.1:${port}/` }).send(message);

    await expect(sending).rejects.toMatchObject({ name: 'SmsSendError', code: 'sms_provider_unreachable' });
  });
});
