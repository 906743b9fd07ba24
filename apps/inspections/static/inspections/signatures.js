// Signatures drawn on the screen with the vendored signature_pad (as the repairs app): each
// [data-sig] block holds a canvas and names the hidden input that receives the PNG on submit.
(function () {
  function setup(block) {
    var canvas = block.querySelector("canvas");
    var input = document.querySelector("input[name=" + block.dataset.sig + "]");
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
    var clear = block.querySelector("[data-sig-clear]");
    if (clear) clear.addEventListener("click", function (e) { e.preventDefault(); pad.clear(); });
    block.closest("form").addEventListener("submit", function () {
      input.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-sig]").forEach(setup);
  });
})();
