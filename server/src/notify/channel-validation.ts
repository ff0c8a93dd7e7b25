import { z } from 'zod';
import { AppError } from '../errors/index.js';
import type { AlertSeverity } from './alert-notice.js';
import type { ChannelKind } from './notify.tables.js';

export const CHANNEL_KINDS: readonly ChannelKind[] = Object.freeze(['email', 'dingtalk', 'wecom', 'feishu', 'webhook']);
export const MAX_NAME_LENGTH = 60;
export const MAX_RECIPIENTS = 20;
export const MAX_URL_LENGTH = 2048;
export const MAX_SECRET_LENGTH = 256;
/** A generic webhook's HMAC key: 16 characters keep a random secret well beyond guessing. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

/** A channel as the security administrator enters it; on update, `url` and `secret` may be left out to keep the stored ones. */
export interface ChannelInput {
  readonly kind: ChannelKind;
  readonly name: string;
  readonly enabled: boolean;
  readonly minSeverity: AlertSeverity;
  readonly url?: string | undefined;
  /** An empty string removes a stored secret. */
  readonly secret?: string | undefined;
  readonly recipients?: readonly string[] | undefined;
}

/** Facts about the stored channel that an update is checked against. */
export interface StoredChannelFacts {
  readonly kind: ChannelKind;
  readonly hasSecret: boolean;
}

/** A validated channel: `undefined` keeps the stored URL or secret, `null` clears it. */
export interface ValidChannel {
  readonly kind: ChannelKind;
  readonly name: string;
  readonly enabled: boolean;
  readonly minSeverity: AlertSeverity;
  readonly url: string | null | undefined;
  readonly secret: string | null | undefined;
  readonly recipients: readonly string[];
}

type Issue = { path: string; message: string };

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Robot endpoints as the providers document them. A loopback host replaces the provider's host in tests. */
const ROBOT_ENDPOINTS: Record<'dingtalk' | 'wecom' | 'feishu', { hosts: readonly string[]; matches: (url: URL) => boolean }> = {
  dingtalk: { hosts: ['oapi.dingtalk.com'], matches: (url) => url.pathname === '/robot/send' && isToken(url.searchParams.get('access_token')) },
  wecom: { hosts: ['qyapi.weixin.qq.com'], matches: (url) => url.pathname === '/cgi-bin/webhook/send' && isToken(url.searchParams.get('key')) },
  feishu: { hosts: ['open.feishu.cn', 'open.larksuite.com'], matches: (url) => /^\/open-apis\/bot\/v2\/hook\/[A-Za-z0-9-]{8,128}$/.test(url.pathname) },
};

function isToken(value: string | null): boolean {
  return value !== null && /^[A-Za-z0-9_-]{8,256}$/.test(value);
}

function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/** Alibaba Cloud's metadata service, which listens outside the link-local range. */
const METADATA_IPV4_ADDRESSES = new Set(['100.100.100.200']);

/**
 * Returns the IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d)
 * or NAT64 (64:ff9b::a.b.c.d) literal, as `URL` normalizes them to hex groups, or `undefined`.
 */
function embeddedIpv4(hostname: string): string | undefined {
  const match = /^\[(?:::ffff:|::|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/i.exec(hostname);
  if (!match) return undefined;

  const high = Number.parseInt(match[1]!, 16);
  const low = Number.parseInt(match[2]!, 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

function isBlockedIpv4(address: string): boolean {
  return /^169\.254\./.test(address) || address === '0.0.0.0' || METADATA_IPV4_ADDRESSES.has(address);
}

/**
 * Literal link-local, unspecified and metadata addresses, where cloud metadata services listen,
 * also when written as IPv6 forms that carry an IPv4 address. Host names are not resolved here,
 * so a name that points at such an address is not caught.
 */
function isBlockedAddressLiteral(hostname: string): boolean {
  const ipv4 = embeddedIpv4(hostname) ?? hostname;
  return isBlockedIpv4(ipv4) || /^\[fe[89ab][0-9a-f]:/i.test(hostname) || hostname === '[::]';
}

/** Returns the issue key of a URL that does not fit the channel kind, or `undefined` when it fits. */
function urlIssue(kind: Exclude<ChannelKind, 'email'>, raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'channel_url_invalid';
  }

  // The URL and the robot's token travel in clear text over http, so only the local machine may use it.
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url)))) return 'channel_url_https';
  if (url.username || url.password) return 'channel_url_credentials';
  if (kind === 'webhook') return isBlockedAddressLiteral(url.hostname) ? 'channel_url_host' : undefined;

  const endpoint = ROBOT_ENDPOINTS[kind];
  const hostFits = isLoopback(url) || (endpoint.hosts.includes(url.hostname) && url.port === '');
  return hostFits && endpoint.matches(url) ? undefined : `channel_url_${kind}`;
}

const emailAddress = z.email();

function validateRecipients(kind: ChannelKind, recipients: readonly string[] | undefined, issues: Issue[]): string[] {
  if (kind !== 'email') {
    if (recipients && recipients.length > 0) issues.push({ path: 'recipients', message: 'channel_recipients_not_allowed' });
    return [];
  }

  const cleaned = (recipients ?? []).map((recipient) => recipient.trim());
  if (cleaned.length === 0) issues.push({ path: 'recipients', message: 'channel_recipients_required' });
  if (cleaned.length > MAX_RECIPIENTS) issues.push({ path: 'recipients', message: 'channel_recipients_too_many' });
  cleaned.forEach((recipient, index) => {
    if (recipient.length > 254 || !emailAddress.safeParse(recipient).success) issues.push({ path: `recipients.${index}`, message: 'channel_recipient_invalid' });
  });
  // Addresses differing only in case reach the same mailbox in practice; the first spelling is kept.
  const unique = new Map<string, string>();
  for (const recipient of cleaned) if (!unique.has(recipient.toLowerCase())) unique.set(recipient.toLowerCase(), recipient);
  return [...unique.values()];
}

function validateUrl(kind: ChannelKind, url: string | undefined, creating: boolean, issues: Issue[]): string | null | undefined {
  const trimmed = url?.trim();
  if (kind === 'email') {
    if (trimmed) issues.push({ path: 'url', message: 'channel_url_not_allowed' });
    return null;
  }
  if (!trimmed) {
    if (creating) issues.push({ path: 'url', message: 'channel_url_required' });
    return undefined;
  }

  const issue = trimmed.length > MAX_URL_LENGTH ? 'channel_url_invalid' : urlIssue(kind, trimmed);
  if (issue) issues.push({ path: 'url', message: issue });
  return trimmed;
}

function validateSecret(kind: ChannelKind, secret: string | undefined, stored: StoredChannelFacts | undefined, issues: Issue[]): string | null | undefined {
  const trimmed = secret?.trim();
  if (kind === 'email' || kind === 'wecom') {
    if (trimmed) issues.push({ path: 'secret', message: 'channel_secret_unsupported' });
    return null;
  }

  if (trimmed && (trimmed.length > MAX_SECRET_LENGTH || /\s/.test(trimmed))) {
    issues.push({ path: 'secret', message: 'channel_secret_invalid' });
  }
  if (kind === 'webhook') {
    // A generic webhook is always signed, so its receiver can tell our requests from forged ones.
    const keepsStored = trimmed === undefined && stored?.hasSecret === true;
    if (!trimmed && !keepsStored) issues.push({ path: 'secret', message: 'channel_secret_required' });
    else if (trimmed && trimmed.length < MIN_WEBHOOK_SECRET_LENGTH) issues.push({ path: 'secret', message: 'channel_secret_too_short' });
  }

  if (secret === undefined) return stored ? undefined : null;
  return trimmed ? trimmed : null;
}

/**
 * Checks a channel's settings against its kind and returns them normalized. Throws
 * `channel_invalid` with one issue per field, each a message key under `issue.` in the
 * server catalogs. Pass `stored` when updating an existing channel.
 */
export function validateChannelInputOrThrow(input: ChannelInput, stored?: StoredChannelFacts): ValidChannel {
  const issues: Issue[] = [];
  const name = input.name.trim();
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) issues.push({ path: 'name', message: 'channel_name_invalid' });
  // A stored URL belongs to the kind it was checked for, so the kind cannot change under it.
  if (stored && stored.kind !== input.kind) issues.push({ path: 'kind', message: 'channel_kind_fixed' });

  const url = validateUrl(input.kind, input.url, !stored, issues);
  const secret = validateSecret(input.kind, input.secret, stored, issues);
  const recipients = validateRecipients(input.kind, input.recipients, issues);

  if (issues.length > 0) {
    throw new AppError('channel_invalid', { detail: [...new Set(issues.map((issue) => issue.path.split('.')[0]))].join(', ') }, issues);
  }
  return { kind: input.kind, name, enabled: input.enabled, minSeverity: input.minSeverity, url, secret, recipients };
}

function lastCharacters(token: string): string {
  // Short tokens are shown as stars only; long ones keep their last four characters to tell channels apart.
  return token.length >= 12 ? `****${token.slice(-4)}` : '****';
}

/** Masks a URL for the API: scheme, host and path stay, and the token is reduced to its last characters. */
export function maskChannelUrl(kind: Exclude<ChannelKind, 'email'>, raw: string): string {
  const url = new URL(raw);
  switch (kind) {
    case 'dingtalk':
      return `${url.origin}${url.pathname}?access_token=${lastCharacters(url.searchParams.get('access_token') ?? '')}`;
    case 'wecom':
      return `${url.origin}${url.pathname}?key=${lastCharacters(url.searchParams.get('key') ?? '')}`;
    case 'feishu':
      return `${url.origin}/open-apis/bot/v2/hook/${lastCharacters(url.pathname.split('/').pop() ?? '')}`;
    case 'webhook': {
      // A generic webhook may carry its token anywhere in the path or query, so all of it is masked.
      const rest = `${url.pathname}${url.search}`;
      return rest === '/' ? `${url.origin}/` : `${url.origin}/${lastCharacters(rest)}`;
    }
  }
}
