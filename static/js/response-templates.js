// A reviewer's template picker: the chosen template's text (filled in on the server, in the
// partner's language) goes into the form's text box, and its reason into the reason list.
// Text the reviewer typed is replaced only when they confirm.
document.querySelectorAll("select[data-response-templates]").forEach((picker) => {
  const templates = JSON.parse(document.getElementById(picker.dataset.responseTemplates).textContent);
  const form = picker.form;
  const target = form.querySelector(picker.dataset.target);
  const reason = form.querySelector("select[name$='-reason']");
  const claim = form.querySelector("select[name$='-claim']");
  let filled = "";

  picker.addEventListener("change", () => {
    const template = templates[picker.value];
    if (!template) return;
    const key = claim ? claim.value : Object.keys(template.texts)[0];
    const text = template.texts[key];
    const typed = target.value.trim();
    if (typed && typed !== filled.trim() && !window.confirm(picker.dataset.confirm)) {
      picker.value = "";
      return;
    }
    if (reason && template.reason) reason.value = template.reason;
    target.value = text;
    filled = text;
    target.focus();
  });
});
