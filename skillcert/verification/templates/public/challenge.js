(function () {
  "use strict";
  var form = document.getElementById("query-form");
  if (!form || !form.dataset.challenge || !window.crypto || !crypto.subtle) { return; }
  var token = form.dataset.challenge;
  var bits = parseInt(form.dataset.bits, 10);
  var status = document.getElementById("challenge-status");
  var encoder = new TextEncoder();
  var solved = false;
  var wanted = form.dataset.autosubmit === "1";
  function zeroBits(buffer) {
    var bytes = new Uint8Array(buffer);
    var count = 0;
    for (var i = 0; i < bytes.length; i += 1) {
      if (bytes[i] === 0) { count += 8; continue; }
      return count + Math.clz32(bytes[i]) - 24;
    }
    return count;
  }
  async function solve() {
    for (var start = 0; ; start += 512) {
      var batch = [];
      for (var i = start; i < start + 512; i += 1) {
        batch.push(crypto.subtle.digest("SHA-256", encoder.encode(token + ":" + i)));
      }
      var digests = await Promise.all(batch);
      for (var j = 0; j < digests.length; j += 1) {
        if (zeroBits(digests[j]) >= bits) { return String(start + j); }
      }
    }
  }
  form.addEventListener("submit", function (event) {
    if (!solved) { event.preventDefault(); wanted = true; status.textContent = "正在完成浏览器验证，完成后自动查询…"; }
  });
  status.textContent = "正在完成浏览器验证…";
  solve().then(function (solution) {
    form.elements.solution.value = solution;
    solved = true;
    status.textContent = "浏览器验证已完成。";
    if (wanted) { form.submit(); }
  });
})();
