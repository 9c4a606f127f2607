import type { ExportFormat } from './export-formats.js';

type Action = () => void;

/** The File menu's items (file/FileMenu.tsx holds the state and the actions). */
export function FileMenuItems({
  readOnly,
  save,
  print,
  pick,
  find,
  gotoLine,
}: {
  readOnly: boolean;
  save: (format: ExportFormat) => Action;
  print: Action;
  pick: Action;
  find: Action;
  gotoLine: Action;
}) {
  return (
    <div className="popover file-popover" role="group" aria-label="File">
      <button className="button wide" data-testid="download-txt" onClick={save('txt')}>
        Download .txt
      </button>
      <button className="button wide" data-testid="download-md" onClick={save('md')}>
        Download .md
      </button>
      <button className="button wide" data-testid="download-html" onClick={save('html')}>
        Download .html
      </button>
      <button className="button wide" data-testid="print" onClick={print}>
        Print or save as PDF…
      </button>
      {!readOnly && (
        <button className="button wide" data-testid="import-file" onClick={pick}>
          Open a .txt or .md file…
        </button>
      )}
      <hr />
      <button className="button wide" data-testid="find" onClick={find}>
        {readOnly ? 'Find…' : 'Find and replace…'}
      </button>
      <button className="button wide" data-testid="goto-line" onClick={gotoLine}>
        Go to line…
      </button>
    </div>
  );
}
