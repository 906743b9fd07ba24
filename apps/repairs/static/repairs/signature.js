// Owner acceptance signature drawn on the screen (vendored signature_pad); the PNG goes in a hidden input.
(function () {
  function setup(form) {
    var canvas = form.querySelector("canvas");
    var input = form.querySelector("input[name=signature]");
    var pad = new window.SignaturePad(canvas, { penColor: "#111", minWidth: 1, maxWidth: 2.5 });
    function resize() {
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      var data = pad.toData();
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      pad.fromData(data);
    }
    window.addEventListener("resize", resize);
    resize();
    var clear = form.querySelector("[data-sig-clear]");
    if (clear) clear.addEventListener("click", function (e) { e.preventDefault(); pad.clear(); });
    form.addEventListener("submit", function (e) {
      if (pad.isEmpty()) {
        e.preventDefault();
        alert(form.dataset.emptyMessage || "请业主签名");
        return;
      }
      input.value = pad.toDataURL("image/png");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-signature]").forEach(setup);
  });
})();
