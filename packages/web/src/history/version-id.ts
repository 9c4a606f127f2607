/** Version ids are 16 hex characters (the server's rule too). */
const VERSION_ID = /^[0-9a-f]{16}$/;

/**
 * A version id comes from the URL, which anyone can write: checked before it reaches a path,
 * so `../../other-pad/versions/<id>` can never address another pad's history.
 */
export function isVersionId(id: string): boolean {
  return VERSION_ID.test(id);
}

/** The app URL of one version, every part encoded. */
export function versionPath(pad: string, id: string): string {
  return `/${encodeURIComponent(pad)}/history/${encodeURIComponent(id)}`;
}
