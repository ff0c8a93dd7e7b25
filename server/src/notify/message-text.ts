import { type Locale, translate } from '../i18n/index.js';
import type { AlertNotice } from './alert-notice.js';

/** What a delivery row stores and a sender renders: an alert notice, or a channel's test message. */
export type DeliveryPayload = { readonly type: 'alert'; readonly notice: AlertNotice } | { readonly type: 'test'; readonly channelName: string; readonly requestedAt: string };

/** One message ready for a channel; `deliveryId` lets a webhook receiver drop a repeat. */
export interface OutgoingMessage {
  readonly deliveryId: string;
  readonly payload: DeliveryPayload;
}

/** A message's text in one language: a one-line heading and the lines under it. */
export interface LocalizedText {
  readonly heading: string;
  readonly lines: readonly string[];
}

/** The message in both languages, Chinese first, because the firm's staff read Chinese first. */
export interface MessageText {
  readonly 'zh-CN': LocalizedText;
  readonly 'en-US': LocalizedText;
}

const ORDER: readonly Locale[] = ['zh-CN', 'en-US'];

/** Formats an ISO instant as local wall-clock time, e.g. `2026-12-04 18:30:00 (Asia/Shanghai)`. */
function localTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  // The sv-SE locale formats as YYYY-MM-DD HH:mm:ss, which reads the same to both audiences.
  const text = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(date);
  return `${text} (${timeZone})`;
}

function alertText(locale: Locale, notice: AlertNotice, timeZone: string): LocalizedText {
  const severity = translate(locale, `notify.severity.${notice.severity}`);
  const member = notice.username ?? translate(locale, 'notify.member_none');
  return {
    heading: translate(locale, 'notify.alert.heading', { severity, title: notice.title[locale] }),
    lines: [
      notice.summary[locale],
      translate(locale, 'notify.alert.member', { member }),
      translate(locale, 'notify.alert.count', { count: notice.count }),
      translate(locale, 'notify.alert.time', { at: localTime(notice.raisedAt, timeZone) }),
      translate(locale, 'notify.alert.next_step'),
    ],
  };
}

function testText(locale: Locale, channelName: string, requestedAt: string, timeZone: string): LocalizedText {
  return {
    heading: translate(locale, 'notify.test.heading', { name: channelName }),
    lines: [translate(locale, 'notify.test.body', { name: channelName }), translate(locale, 'notify.alert.time', { at: localTime(requestedAt, timeZone) })],
  };
}

/** Renders a payload in both languages from the server's message catalogs. */
export function renderMessageText(payload: DeliveryPayload, timeZone: string): MessageText {
  const render = (locale: Locale) => (payload.type === 'alert' ? alertText(locale, payload.notice, timeZone) : testText(locale, payload.channelName, payload.requestedAt, timeZone));
  return { 'zh-CN': render('zh-CN'), 'en-US': render('en-US') };
}

/** A one-line subject with both headings, for e-mail. */
export function subjectLine(text: MessageText): string {
  return ORDER.map((locale) => text[locale].heading).join(' | ');
}

/** Plain text: the Chinese heading and lines, a blank line, then the English ones. */
export function plainText(text: MessageText): string {
  return ORDER.map((locale) => [text[locale].heading, ...text[locale].lines].join('\n')).join('\n\n');
}

/**
 * Makes dynamic text inert in a robot's Markdown: brackets and angle brackets become their
 * full-width forms, so a value such as a user agent cannot turn into a link or an HTML tag.
 */
export function inertMarkdown(text: string): string {
  return text.replace(/[[\]<>]/g, (character) => String.fromCharCode(character.charCodeAt(0) + 0xfee0));
}

/** Cuts a UTF-8 string to at most `maxBytes` bytes without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let result = '';
  let bytes = 0;
  for (const character of text) {
    const size = Buffer.byteLength(character, 'utf8');
    if (bytes + size > maxBytes - 3) break;
    result += character;
    bytes += size;
  }
  return `${result}…`;
}
