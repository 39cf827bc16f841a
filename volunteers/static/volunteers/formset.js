// "Add a period" / "Add a language": clone the formset's empty form (Django's __prefix__).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-formset-add]");
  if (!button) return;
  const prefix = button.dataset.formsetAdd;
  const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
  const template = document.getElementById(`${prefix}-empty`);
  const html = template.innerHTML.replace(/__prefix__/g, total.value);
  document.getElementById(`${prefix}-forms`).insertAdjacentHTML("beforeend", html);
  total.value = Number(total.value) + 1;
});
