const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function heading(status: number): string {
  if (status === 400) return "That pad name won't work";
  if (status === 404) return 'Not found';
  return 'Something went wrong';
}

/** The error a browser sees when it navigates somewhere wrong; `reason` is escaped (A3). */
export function errorPage(status: number, reason: string): string {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>Padmesh: ${status}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<body style="font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#1f2328">
<h1 style="font-size:1.4rem">${heading(status)}</h1>
<p>${escapeHtml(reason)}.</p>
<p><a href="/">Start a new pad</a></p></body></html>`;
}
