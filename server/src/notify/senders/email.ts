import { DeliveryError, scrubErrorText } from '../delivery-error.js';
import { plainText, subjectLine } from '../message-text.js';
import type { Sender } from './sender.types.js';

/**
 * Maximum wait for the SMTP server, in milliseconds. nodemailer's own socket timeout is minutes
 * long, so after this the attempt counts as failed and is retried, even though the server may
 * still deliver the message.
 */
const SMTP_TIMEOUT_MS = 30_000;

function timeout(ms: number): { promise: Promise<never>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeliveryError(`SMTP delivery timed out after ${ms} ms`)), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * Sends the message by SMTP to the channel's recipients in one e-mail. The error kept is
 * nodemailer's error code and the SMTP reply code, never the server's full reply, which may
 * echo addresses or credentials.
 */
export const sendEmail: Sender = async (target, _message, text, context) => {
  if (context.mailer.enabled === false) {
    throw new DeliveryError('e-mail is not configured: set SMTP_URL');
  }
  if (target.recipients.length === 0) {
    throw new DeliveryError('e-mail channel has no recipients');
  }

  const limit = timeout(SMTP_TIMEOUT_MS);
  try {
    await Promise.race([context.mailer.send({ to: target.recipients.join(', '), subject: subjectLine(text), text: plainText(text) }), limit.promise]);
  } catch (error) {
    if (error instanceof DeliveryError) throw error;
    const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
    const parts = [typeof code === 'string' ? scrubErrorText(code, []) : undefined, typeof responseCode === 'number' ? `SMTP ${responseCode}` : undefined].filter(Boolean);
    throw new DeliveryError(`SMTP delivery failed${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`, { cause: error });
  } finally {
    limit.cancel();
  }
};
