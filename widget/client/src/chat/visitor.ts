/* WID-6: who this visitor is, and what they said lately — kept in the best storage that works. */

const ID_PATTERN = /^[\w-]{16,64}$/;
const memory = new Map<string, string>();

function store(): Storage | null {
  // localStorage first (return visitors count across days), then sessionStorage, then memory.
  for (const pick of [() => window.localStorage, () => window.sessionStorage]) {
    try {
      const storage = pick();
      const probe = "shl_probe";
      storage.setItem(probe, "1");
      storage.removeItem(probe);
      return storage;
    } catch {
      /* blocked (privacy settings, sandboxing): try the next one */
    }
  }
  return null;
}

const storage = store();

/** False when this frame can keep nothing beyond the page (third-party storage blocked). */
export function canPersist(): boolean {
  return storage !== null;
}

export function load(key: string): string | null {
  try {
    return storage ? storage.getItem(key) : memory.get(key) ?? null;
  } catch {
    return memory.get(key) ?? null;
  }
}

export function save(key: string, value: string): void {
  memory.set(key, value);
  try {
    storage?.setItem(key, value);
  } catch {
    /* full or revoked: memory keeps it for this page */
  }
}

function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "v" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The host page's id (first-party storage, passed by the loader) wins; else ours; else a new one. */
export function visitorId(fromHost: string | null): string {
  const key = "shl_vid";
  const id = [fromHost, load(key)].find((candidate) => candidate && ID_PATTERN.test(candidate)) || newId();
  save(key, id);
  return id;
}
