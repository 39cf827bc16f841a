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
