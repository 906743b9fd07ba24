// Front-desk intake: keyboard-only household pick and Ctrl+Enter submit (issue 4 item 9).
(function () {
  const form = document.getElementById("intake-form");
  if (!form) return;
  const lookup = document.getElementById("hh-lookup");
  const results = document.getElementById("hh-results");
  function choose(btn) {
    form.elements.household.value = btn.dataset.household;
    form.elements.person.value = btn.dataset.person || "";
    if (btn.dataset.surname && !form.elements.complainant_surname.value) {
      form.elements.complainant_surname.value = btn.dataset.surname;
    }
    document.getElementById("hh-chosen").textContent = "已选：" + btn.dataset.label;
    results.innerHTML = "";
    if (window.htmx) {
      htmx.ajax("GET", btn.dataset.similar, {target: "#similar-tickets"});
    }
    form.elements.content.focus();
  }
  results.addEventListener("click", function (e) {
    const btn = e.target.closest(".hh-option");
    if (btn) { e.preventDefault(); choose(btn); }
  });
  results.addEventListener("keydown", function (e) {
    const options = Array.from(results.querySelectorAll(".hh-option"));
    const i = options.indexOf(document.activeElement);
    if (e.key === "ArrowDown" && i < options.length - 1) { e.preventDefault(); options[i + 1].focus(); }
    if (e.key === "ArrowUp") { e.preventDefault(); (i > 0 ? options[i - 1] : lookup).focus(); }
    if (e.key === "Escape") { lookup.focus(); }
  });
  lookup.addEventListener("keydown", function (e) {
    const first = results.querySelector(".hh-option");
    if (e.key === "ArrowDown" && first) { e.preventDefault(); first.focus(); }
    if (e.key === "Enter") {
      e.preventDefault();  // Enter in the look-up box picks the only match, never submits
      const options = results.querySelectorAll(".hh-option");
      if (options.length === 1) choose(options[0]);
    }
  });
  // Quick agreed-feedback times (R-M1-09): fill the datetime-local field in local time.
  function pad(n) { return String(n).padStart(2, "0"); }
  function asLocal(d) {
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  form.querySelectorAll(".quick-times button").forEach(function (btn) {
    btn.addEventListener("click", function () {
      const d = new Date();
      if (btn.dataset.agreeHours) { d.setHours(d.getHours() + Number(btn.dataset.agreeHours)); }
      if (btn.dataset.agreeToday) {
        d.setHours(Number(btn.dataset.agreeToday), 0, 0, 0);
        if (d < new Date()) { d.setTime(Date.now() + 3600 * 1000); }
      }
      if (btn.dataset.agreeDays) { d.setDate(d.getDate() + Number(btn.dataset.agreeDays)); d.setHours(18, 0, 0, 0); }
      form.elements.agreed_feedback_at.value = asLocal(d);
    });
  });
  form.addEventListener("submit", function () {
    const button = form.querySelector("[type=submit]");
    if (button) { setTimeout(function () { button.disabled = true; }, 0); }  // one click, one ticket
  });
  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
  });
})();
