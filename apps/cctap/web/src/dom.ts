/** Small DOM helpers: the page is plain DOM, rebuilt per section from the data. */

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} missing from the page`);
  return e as T;
}

/** An element with text content (never HTML: every string shown comes from transcripts). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

export function row(cells: readonly (string | HTMLElement)[]): HTMLTableRowElement {
  const tr = el('tr');
  for (const c of cells) {
    const td = el('td');
    if (typeof c === 'string') td.textContent = c;
    else td.append(c);
    tr.append(td);
  }
  return tr;
}

/** Fetches one data endpoint of the page (the cookie carries the token). */
export async function getJson<T>(path: string): Promise<T> {
  const r = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
  if (!r.ok) {
    const body = (await r.json().catch(() => ({}))) as { error?: string };
    throw new Error(`${path}: ${r.status} ${body.error ?? r.statusText}`);
  }
  return (await r.json()) as T;
}
