import { useEffect, useState } from 'react';

/** Phones and narrow windows: the widths the bar's compact layout and the History sheet are for (styles use the same 640 px). */
export const NARROW = '(max-width: 640px)';

/** Whether a media query matches now, following changes (rotation, resizing). */
export function useMedia(query: string): boolean {
  const [matches, setMatches] = useState(() => matchMedia(query).matches);
  useEffect(() => {
    const mq = matchMedia(query);
    const onChange = () => setMatches(mq.matches);
    onChange();
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, [query]);
  return matches;
}
