import { randomUUID } from 'node:crypto';
import { escapeHtml } from '../domain/escape';
import { normaliseRecipient, signLinkToken, type LinkAction } from '../domain/links/link-token';
import type { MailMessage } from '../domain/notices';
import type { LinksConfig } from '../platform/config/schema';
import type { MailDelivery, Mailer } from './mailer';

// Signed links in leadership mail. The workflow names the actions a mail offers; this decorator, in the
// worker (the link key never enters history), sends such a mail as one message per recipient, each with
// links bound to that recipient. Each recipient's message is idempotent on its own key, so a retry never
// mails anyone twice; a mail that offers no action goes out as before, one message to all.

export interface LinkSettings {
  sign: (message: Uint8Array) => Uint8Array;
  /** Where the board is reached, without a trailing slash. */
  baseUrl: string;
  links: Pick<LinksConfig, 'ttlHours' | 'acknowledgeMaxDays'>;
  now?: () => Date;
}

const LABELS: Record<LinkAction, string> = {
  acknowledge: 'Acknowledge',
  'open-incident': 'Open the incident',
  'open-board': 'Open the board',
};

/** The key of one recipient's copy: the mail's own key stays the key of the whole. */
export const recipientKey = (key: string, recipient: string) => `${key}/to/${normaliseRecipient(recipient)}`;

export function linkUrl(settings: LinkSettings, action: LinkAction, incidentId: string, recipient: string): string {
  const now = (settings.now ?? (() => new Date()))();
  const lifetimeMs =
    action === 'acknowledge' ? settings.links.acknowledgeMaxDays * 86_400_000 : settings.links.ttlHours * 3_600_000;
  const token = signLinkToken(
    {
      v: 1,
      id: randomUUID(),
      action,
      incidentId: action === 'open-board' ? '' : incidentId,
      recipient,
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + lifetimeMs).toISOString(),
    },
    settings.sign,
  );
  return `${settings.baseUrl}/l/${token}`;
}

function withLinksFor(message: MailMessage, recipient: string, settings: LinkSettings): MailMessage {
  const links = (message.links ?? []).map((action) => ({
    label: LABELS[action],
    url: linkUrl(settings, action, message.incidentId ?? '', recipient),
  }));
  const text = `${message.text.replace(/\n+$/, '')}\n\nAct on it (these links are yours alone; do not forward this mail):\n${links
    .map((l) => `  ${l.label}: ${l.url}`)
    .join('\n')}\n`;
  // First in the HTML part, as buttons: a leader woken by the alert reads it on a phone.
  const block = `<p>${links
    .map(
      (l) =>
        `<a href="${escapeHtml(l.url)}" style="display:inline-block;margin:0 .5em .5em 0;padding:.5em 1em;background:#0b57d0;color:#fff;font-weight:bold;text-decoration:none;border-radius:4px">${escapeHtml(l.label)}</a>`,
    )
    .join('')}<br><small>These links are yours alone; do not forward this mail.</small></p>`;
  const bodyTag = /<body[^>]*>/i.exec(message.html);
  const html = bodyTag ? message.html.replace(bodyTag[0], `${bodyTag[0]}\n${block}`) : block + message.html;
  return { ...message, key: recipientKey(message.key, recipient), to: [recipient], text, html };
}

export function linkingMailer(inner: Mailer, settings: LinkSettings): Mailer {
  return {
    async send(message) {
      if (!message.links?.length || !message.incidentId) return inner.send(message);
      // Sent before links existed (an incident from before, retried after an upgrade): not again.
      const earlier = await inner.delivered(message.key);
      if (earlier) return { ...earlier, deduplicated: true };
      const deliveries: MailDelivery[] = [];
      for (const recipient of message.to) deliveries.push(await inner.send(withLinksFor(message, recipient, settings)));
      return {
        messageId: deliveries.map((d) => d.messageId).join(' '),
        deduplicated: deliveries.every((d) => d.deduplicated),
        via: [...new Set(deliveries.map((d) => d.via))].join('; '),
        possibleDuplicate: deliveries.some((d) => d.possibleDuplicate) || undefined,
      };
    },
    delivered: (key) => inner.delivered(key),
    close: () => inner.close(),
  };
}
