/**
 * F-REPORTS: files in the `reports` container. Reports are written once: the same name written again with the
 * same bytes is fine (a re-run), with other bytes it is refused, never silently replaced. Downloads go through
 * short-lived, read-only links to one file.
 */
export interface StoredReport {
  /** Blob name inside the container, e.g. `2026-04/{customerId}/2026-04-01.xlsx`. */
  name: string;
  size: number;
  /** SHA-256 of the content, hex (from the blob's metadata). */
  sha256: string;
  contentType: string;
  metadata: Record<string, string>;
  etag: string;
}

export type ReportContent = Uint8Array | AsyncIterable<Uint8Array>;

export interface WriteResult {
  name: string;
  size: number;
  sha256: string;
  /** `created`: written now; `unchanged`: it existed with these bytes; `replaced`: other bytes replaced (only `replace`). */
  status: 'created' | 'unchanged' | 'replaced';
}

export interface ReadLink {
  url: string;
  expiresOn: string;
}

export interface ReportStore {
  /**
   * Writes a file that must never change: created only if absent (If-None-Match: *); when it exists with the same
   * SHA-256 nothing is written; with another, `REPORT.CONTENT_DIFFERS` (409).
   */
  writeOnce(
    name: string,
    content: ReportContent,
    options: { contentType: string; metadata?: Record<string, string> },
  ): Promise<WriteResult>;
  /** Writes a file that may be regenerated (manifests, provider reports): replaced only if it differs, conditionally on its ETag. */
  replace(
    name: string,
    content: ReportContent,
    options: { contentType: string; metadata?: Record<string, string> },
  ): Promise<WriteResult>;
  stat(name: string): Promise<StoredReport | undefined>;
  /** Files whose names start with `prefix`, in name order. */
  list(prefix: string): AsyncIterable<StoredReport>;
  read(name: string): Promise<Uint8Array | undefined>;
  /** A read-only link to this one file, valid over [startsOn, expiresOn]. */
  readLink(name: string, window: { startsOn: Date; expiresOn: Date; fileName?: string }): Promise<ReadLink>;
}
