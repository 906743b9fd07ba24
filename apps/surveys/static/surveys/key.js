// Fast keying: a digit in an answer box moves to the next box; Enter anywhere saves the questionnaire.
(function () {
  var form = document.getElementById("key-form");
  if (!form) { return; }
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input.key-digit"));
  boxes.forEach(function (box, i) {
    box.addEventListener("input", function () {
      if (box.value.length >= 1) {
        var next = boxes[i + 1] || form.querySelector("[name=comment]");
        if (next) { next.focus(); if (next.select) { next.select(); } }
      }
    });
  });
})();
