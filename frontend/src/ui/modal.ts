// Modals are native <dialog> elements: showModal() gives focus containment, Escape and the top layer.
export function initModals(root: ParentNode): void {
  root.querySelectorAll<HTMLElement>("[data-modal-open]").forEach((opener) => {
    if (opener.dataset.bound) return;
    opener.dataset.bound = "1";
    opener.addEventListener("click", () => {
      const dialog = document.getElementById(opener.dataset.modalOpen ?? "") as HTMLDialogElement | null;
      if (!dialog) return;
      dialog.showModal();
      dialog.addEventListener("close", () => opener.focus(), { once: true });
    });
  });
  root.querySelectorAll<HTMLDialogElement>("dialog.modal").forEach((dialog) => {
    if (dialog.dataset.bound) return;
    dialog.dataset.bound = "1";
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close(); // a click on the backdrop
    });
    dialog.querySelectorAll("[data-modal-close]").forEach((b) => b.addEventListener("click", () => dialog.close()));
  });
}
