export interface StoredLogo {
  bytes: Uint8Array;
  contentType: string;
  /** Quoted, as sent in the ETag header. */
  etag: string;
}

/** The partner's logo (one per deployment). */
export interface LogoStore {
  put(logo: { bytes: Uint8Array; contentType: string; width: number; height: number }): Promise<{ etag: string }>;
  get(): Promise<StoredLogo | undefined>;
}
