/**
 * How a socket was admitted, kept on its connection so a node can re-check every socket of
 * a pad when the pad's access changes (OW8): through a read-only link (that id), or on the
 * pad itself with the unlock token it carried (none for a pad without a password then).
 */
export type Credential = { readonly readOnlyId: string } | { readonly token: string | undefined };

export const NO_CREDENTIAL: Credential = { token: undefined };

/** What changed; receivers re-read the pad's settings whatever it says, so this is for logs. */
export type AccessChange = 'password' | 'read-only' | 'owner' | 'expiry' | 'deleted';
