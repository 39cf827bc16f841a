// Behaviour shared by every page, here rather than inline: the Content-Security-Policy allows
// no inline script or event handler.
"use strict";

// <select data-autosubmit>: choosing an option submits its form (the agency switcher).
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) {
    field.form.requestSubmit();
  }
});

// <form data-confirm="question">: an irreversible action (terminating an agreement, publishing
// an evaluation, withdrawing a volunteer) asks first, in the page's <dialog id="confirm-dialog">.
// The form is sent only when the user confirms; Escape or "Cancel" leaves everything as it was.
// A button may carry its own data-confirm (a form's "Submit" asks, its "Save as draft" does not).
document.addEventListener("submit", (event) => {
  const form = event.target;
  const dialog = document.getElementById("confirm-dialog");
  const submitter = event.submitter || null;
  const question =
    (submitter && submitter.dataset.confirm) || (form.dataset && form.dataset.confirm);
  if (!question || !dialog || form.dataset.confirmed === "1") {
    return;
  }
  event.preventDefault();
  dialog.querySelector("[data-confirm-text]").textContent = question;
  const accept = dialog.querySelector("[data-confirm-accept]");
  accept.textContent = form.dataset.confirmButton || accept.dataset.defaultLabel;
  dialog.returnValue = "";
  dialog.addEventListener(
    "close",
    () => {
      if (dialog.returnValue === "confirm") {
        form.dataset.confirmed = "1";
        form.requestSubmit(submitter);
        delete form.dataset.confirmed;
      }
    },
    { once: true },
  );
  dialog.showModal();
});
