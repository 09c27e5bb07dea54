/**
 * E-mail the product sends (invitations, new users' passwords, notices to the partner). In Azure it goes out
 * through Microsoft Graph `sendMail` from the partner's mailbox; locally it is written to a folder so that a
 * newcomer can open the link.
 */
export interface OutgoingMail {
  /** Stable id: sending the same id twice sends once. */
  id: string;
  to: string;
  subject: string;
  text: string;
  /** The same message as HTML, sent instead of the text where the mail service takes one body only (Graph). */
  html?: string;
  /** What it is about, for logs and tests: `invitation`, `new-user-password`, `change-failed`, … */
  kind: string;
}

export interface Notifier {
  send(mail: OutgoingMail): Promise<void>;
}
