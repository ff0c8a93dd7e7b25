import nodemailer from 'nodemailer';
import type { Logger } from 'pino';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** Sends e-mail notices; failures are logged by the caller, never shown to the member who acted. */
export interface Mailer {
  /** `false` when no SMTP server is configured and `send` only logs; alert channels report that as a failure. */
  readonly enabled?: boolean;
  send(message: MailMessage): Promise<void>;
}

/**
 * Builds the SMTP mailer from `SMTP_URL` (for example `smtp://user:password@mail.example.cn:587`),
 * or a mailer that only logs that e-mail is off when no URL is configured.
 */
export function createMailer({ smtpUrl, from, logger }: { smtpUrl: string | undefined; from: string; logger: Logger }): Mailer {
  if (!smtpUrl) {
    return {
      enabled: false,
      async send() {
        logger.debug('e-mail notice skipped: SMTP_URL is not set');
      },
    };
  }
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    enabled: true,
    async send(message) {
      await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
    },
  };
}
