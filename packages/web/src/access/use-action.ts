import { useState } from 'react';

/**
 * One Share-menu action at a time per section: `busy` while it runs (buttons disable, so a
 * double click cannot rotate a link twice), and its outcome or the server's reason goes to `say`.
 */
export function useAction(say: (note: string) => void) {
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<string | void>) => {
    setBusy(true);
    try {
      const note = await action();
      if (note) say(note);
    } catch (err) {
      say((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return { busy, run };
}
