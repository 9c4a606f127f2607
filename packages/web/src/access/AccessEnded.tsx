/** Why the pad can no longer be shown; each is final, so there is no retry, only a way on. */
export type Ended = 'deleted' | 'revoked' | 'unknown-link';

const TEXT: Record<Ended, { title: string; body: string }> = {
  deleted: { title: 'This pad was deleted', body: 'Its owner deleted it, or it expired. Its text is gone.' },
  revoked: {
    title: 'This read-only link was revoked',
    body: "The pad's owner turned this link off. Ask them for a new one.",
  },
  // The server cannot tell a revoked link from a mistyped one when it is opened afresh.
  'unknown-link': {
    title: "This read-only link doesn't work",
    body: 'It was revoked or replaced by the pad’s owner, or it is mistyped. Ask them for a new one.',
  },
};

export function AccessEnded({ why }: { why: Ended }) {
  const t = TEXT[why];
  return (
    <div className="center-card" data-ended={why}>
      <div className="card" role="alert">
        <h1>{t.title}</h1>
        <p>{t.body}</p>
        <a className="button" href="/">
          Start a new pad
        </a>
      </div>
    </div>
  );
}
