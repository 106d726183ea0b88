/** Object URLs for stored thumbnail Blobs, created once per item and revoked on reset. */
export class ThumbnailUrls {
  private urls = new Map<string, string>();

  url(sha256: string, blob: Blob | undefined): string | null {
    let url = this.urls.get(sha256);
    if (!url && blob) {
      url = URL.createObjectURL(blob);
      this.urls.set(sha256, url);
    }
    return url ?? null;
  }

  /** Drops one item's URL (its thumbnail changed); the next `url` call makes a fresh one. */
  forget(sha256: string): void {
    const url = this.urls.get(sha256);
    if (url) URL.revokeObjectURL(url);
    this.urls.delete(sha256);
  }

  clear(): void {
    for (const url of this.urls.values()) URL.revokeObjectURL(url);
    this.urls.clear();
  }
}
