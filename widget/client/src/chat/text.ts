/*
 * Model and knowledge text becomes DOM nodes here, never HTML: text nodes, line breaks, and links
 * for http(s) URLs only (rel=noopener noreferrer, new tab). Nothing in an answer can run.
 */

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?)\]}]+$/;

export function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

export function link(href: string, label: string): HTMLAnchorElement {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = label;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  return a;
}

/** Appends `text` to `parent` as text nodes and safe links. */
export function renderText(parent: HTMLElement, text: string): void {
  parent.textContent = "";
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let raw = match[0];
    const tail = raw.match(TRAILING)?.[0] ?? "";
    raw = raw.slice(0, raw.length - tail.length);
    const start = match.index ?? 0;
    const href = safeHref(raw);
    if (!href) continue;
    parent.append(document.createTextNode(text.slice(last, start)), link(href, raw));
    last = start + raw.length;
  }
  parent.append(document.createTextNode(text.slice(last)));
}
