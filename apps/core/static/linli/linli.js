/* Linli's small page behaviours, without inline event handlers (Content-Security-Policy, issue 14 item 10).
 *   <select data-autosubmit>              submits its form on change
 *   <button data-print>                   opens the print dialog
 *   <a data-history-back>                 goes back one page
 *   <form data-confirm="…">               asks before submitting
 *   <button data-save-view="#filters">    copies the filter form's query into #save-view-qs first
 *   <form data-import-form>               shows #import-progress and polls it (htmx) while uploading
 *   any form with errors (ul.errorlist)     gets a summary at its top listing each error with its field,
 *                                           and every collapsed <details> that holds an error is opened
 *                                           (issue 23 item 1); again after each htmx swap
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

  function fieldLabel(list) {
    var id = (list.id || "").replace(/_error$/, "");
    var field = id ? document.getElementById(id) : null;
    var label = field && field.labels && field.labels.length ? field.labels[0] : list.closest("label");
    if (!label) return "";
    var copy = label.cloneNode(true);
    copy.querySelectorAll("ul, select, input, textarea, small, .muted").forEach(function (n) { n.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim().replace(/[:：]$/, "");
  }
  function summarise(root) {
    var forms = root.matches && root.matches("form") ? [root] : root.querySelectorAll("form");
    Array.prototype.forEach.call(forms, function (form) {
      var lists = Array.prototype.filter.call(form.querySelectorAll("ul.errorlist"), function (ul) {
        return ul.textContent.trim() !== "" && !ul.closest(".form-error-summary");
      });
      if (!lists.length) {
        form.querySelectorAll(".form-error-summary[data-client]").forEach(function (n) { n.remove(); });
        return;
      }
      // the server's own summaries (core/_error_summary.html, one per form object) become one, at the top
      form.querySelectorAll(".form-error-summary").forEach(function (n) { n.remove(); });
      lists.forEach(function (ul) {
        for (var d = ul.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
      });
      var box = document.createElement("div");
      box.className = "form-error-summary";
      box.setAttribute("role", "alert");
      box.setAttribute("data-testid", "form-error-summary");
      box.setAttribute("data-client", "");
      var title = document.createElement("strong");
      title.textContent = document.body.getAttribute("data-error-title") || "";
      box.appendChild(title);
      var items = document.createElement("ul");
      lists.forEach(function (ul) {
        var name = ul.classList.contains("nonfield") ? "" : fieldLabel(ul);
        ul.querySelectorAll("li").forEach(function (li) {
          var item = document.createElement("li");
          item.textContent = (name ? name + "：" : "") + li.textContent.trim();
          items.appendChild(item);
        });
      });
      box.appendChild(items);
      form.insertBefore(box, form.firstChild);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { summarise(document); });
  document.addEventListener("htmx:afterSettle", function (ev) { summarise(ev.target.closest ? (ev.target.closest("form") || ev.target) : document); });
})();
