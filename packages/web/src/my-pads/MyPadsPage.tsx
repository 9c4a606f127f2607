import { useEffect } from 'react';
import type { DeletePad } from './actions.js';
import { PadList } from './PadList.js';

/** `/~pads`: the list as a page, reachable without opening a pad (and offline, from the app shell). */
export function MyPadsPage({ deletePad }: { deletePad: DeletePad }) {
  useEffect(() => {
    document.title = 'My pads · Padmesh';
  }, []);
  return (
    <div className="app mp-page" data-testid="my-pads-page">
      <header className="topbar">
        <a className="brand" href="/" title="New pad">
          <img src="/favicon.svg" alt="" width="20" height="20" />
          <span>Padmesh</span>
        </a>
        <span className="sep">/</span>
        <h1 className="pad-name">My pads</h1>
        <div className="spacer" />
        <a className="button" href="/">
          New pad
        </a>
      </header>
      <main className="mp-page-main">
        <PadList deletePad={deletePad} />
      </main>
    </div>
  );
}
