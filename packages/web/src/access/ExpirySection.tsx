import { useState, type FormEvent } from 'react';
import { accessApi } from './api.js';
import { useAction } from './use-action.js';

const DAY_MS = 24 * 3600 * 1000;
const CHOICES = [
  { value: 'never', label: 'Never' },
  { value: '1', label: 'In 1 day' },
  { value: '7', label: 'In 7 days' },
  { value: '30', label: 'In 30 days' },
  { value: 'date', label: 'On a date…' },
] as const;
type Choice = (typeof CHOICES)[number]['value'];

/** The server accepts expiries up to ten years ahead. */
const MAX_AHEAD_MS = 10 * 365 * DAY_MS;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** `yyyy-mm-dd` of tomorrow: the earliest date the picker offers (the server wants the future). */
const tomorrow = () => isoDay(Date.now() + DAY_MS);

/** The chosen expiry in ms since epoch; a date means the end of that local day. */
function expiryOf(choice: Choice, date: string): number | null {
  if (choice === 'never') return null;
  if (choice === 'date') return new Date(`${date}T23:59:59`).getTime();
  return Date.now() + Number(choice) * DAY_MS;
}

/** Owner only: when the pad deletes itself. */
export function ExpirySection({
  pad,
  expiresAt,
  onChanged,
  say,
}: {
  pad: string;
  expiresAt: number | null;
  onChanged: () => void;
  say: (note: string) => void;
}) {
  const [choice, setChoice] = useState<Choice>('never');
  const [date, setDate] = useState(tomorrow);
  const { busy, run } = useAction(say);
  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const at = expiryOf(choice, date);
      if (at !== null && !(at > Date.now())) return 'Pick a date in the future';
      await accessApi.setExpiry(pad, at);
      onChanged();
      return at === null ? 'The pad no longer expires' : `The pad expires ${new Date(at).toLocaleString()}`;
    });
  };
  return (
    <section className="share-section" aria-label="Expiry">
      <h2>Expiry</h2>
      <p className="muted" data-testid="expiry-now">
        {expiresAt === null ? 'Never expires.' : `Deleted for everyone on ${new Date(expiresAt).toLocaleString()}.`}
      </p>
      <form onSubmit={save} className="row">
        <select value={choice} onChange={(e) => setChoice(e.target.value as Choice)} aria-label="Expires">
          {CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
        {choice === 'date' && (
          <input
            type="date"
            min={tomorrow()}
            max={isoDay(Date.now() + MAX_AHEAD_MS)}
            value={date}
            onChange={(e) => setDate(e.target.value)}
            aria-label="Date"
          />
        )}
        <button className="button" disabled={busy}>
          Save
        </button>
      </form>
    </section>
  );
}
