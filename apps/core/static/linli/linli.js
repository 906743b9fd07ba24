/* Linli's small page behaviours, without inline event handlers (Content-Security-Policy, issue 14 item 10).
 *   <select data-autosubmit>              submits its form on change
 *   <button data-print>                   opens the print dialog
 *   <a data-history-back>                 goes back one page
 *   <form data-confirm="…">               asks before submitting
 *   <button data-save-view="#filters">    copies the filter form's query into #save-view-qs first
 *   <form data-import-form>               shows #import-progress and polls it (htmx) while uploading
 */
(function () {
  "use strict";
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.submit();
  });
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest ? ev.target.closest("[data-print], [data-history-back], [data-save-view]") : null;
    if (!el) return;
    if (el.hasAttribute("data-print")) { ev.preventDefault(); window.print(); return; }
    if (el.hasAttribute("data-history-back")) { ev.preventDefault(); window.history.back(); return; }
    var filters = document.querySelector(el.getAttribute("data-save-view"));
    var target = document.getElementById("save-view-qs");
    if (filters && target) target.value = new URLSearchParams(new FormData(filters)).toString();
  });
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      ev.preventDefault();
      return;
    }
    if (!form.matches("form[data-import-form]")) return;
    var box = document.getElementById("import-progress");
    if (box) {
      box.hidden = false;
      window.setInterval(function () {
        var current = document.getElementById("import-progress");  // htmx may have swapped it
        if (current && window.htmx) window.htmx.trigger(current, "linli:poll");
      }, 500);
    }
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-busy", "true"); b.disabled = true; });
  });
})();
