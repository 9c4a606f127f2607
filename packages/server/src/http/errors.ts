/**
 * A failure the HTTP boundary turns into a status and a JSON body (`{ error }`), or an HTML
 * page for a browser. Route code throws it; nothing inside writes error responses itself.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Sent with the error reply, e.g. `allow` on a 405. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
