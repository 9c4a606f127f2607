import { useEffect, useState } from 'react';

/** How long "Copied" stays before the button reads "Copy link" again. */
const CONFIRM_MS = 1_500;

/**
 * Sharing the pad is the most common action, so it is one click in the top bar (the Share
 * menu holds the rarer ones). The link is the pad itself, never a history version.
 */
export function CopyLink({ pad }: { pad: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), CONFIRM_MS);
    return () => clearTimeout(t);
  }, [state]);

  const url = `${location.origin}/${encodeURIComponent(pad)}`;
  const copy = async () => setState((await writeClipboard(url)) ? 'copied' : 'failed');
  return (
    <button className={`button copy-link ${state}`} onClick={copy} title={url} aria-live="polite">
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy link'}
    </button>
  );
}

/** The async clipboard needs a secure context and permission; the old execCommand path covers the rest. */
export async function writeClipboard(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}
