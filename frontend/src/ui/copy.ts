import { toast } from "./toast";

async function write(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Plain-http hosts other than localhost have no async clipboard: use a selected textarea.
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  if (!ok) throw new Error("copy refused");
}

export function initCopyButtons(root: ParentNode): void {
  root.querySelectorAll<HTMLButtonElement>("[data-copy], [data-copy-target]").forEach((button) => {
    if (button.dataset.bound) return;
    button.dataset.bound = "1";
    button.addEventListener("click", async () => {
      const target = button.dataset.copyTarget ? document.querySelector(button.dataset.copyTarget) : null;
      const text = button.dataset.copy ?? (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement
        ? target.value : target?.textContent?.trim() ?? "");
      const label = button.querySelector<HTMLElement>("[data-copy-label]");
      const original = label?.textContent ?? "";
      try {
        await write(text);
        button.classList.add("is-copied");
        if (label) label.textContent = "Copied";
        toast("Copied to clipboard", "success");
      } catch {
        toast("Could not copy. Select the text and copy it by hand.", "error");
      }
      window.setTimeout(() => {
        button.classList.remove("is-copied");
        if (label) label.textContent = original;
      }, 2000);
    });
  });
}
