// The proof of work a form may ask for: the public query's after repeated misses (verification/challenge.py,
// inlined by verification/pages.py under its CSP hash) and a sign-in's once an account has failed too often
// (accounts/login_challenge.py, loaded as a static file). It finds a solution while the person fills in the
// form, and submits the form once both are there. The form says what it needs:
//   data-challenge, data-bits   the token and the leading zero bits asked for;
//   data-verb                   what submitting does, for the status line ("查询", "登录");
//   data-autosubmit="1"         the form is filled in already: submit as soon as the work is done;
//   data-waits-for, data-waits-for-label
//                               a field that must be filled in before submitting (the password), and its name.
(function () {
  "use strict";
  var form = document.querySelector("form[data-challenge]");
  if (!form) { return; }
  var token = form.dataset.challenge;
  var bits = parseInt(form.dataset.bits, 10);
  var verb = form.dataset.verb || "提交";
  var waitsFor = form.dataset.waitsFor ? form.elements[form.dataset.waitsFor] : null;
  var label = form.dataset.waitsForLabel || "";
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
  // Browsers give WebCrypto only to HTTPS and localhost pages; over plain HTTP elsewhere (an intranet
  // deployment) the page hashes with this SHA-256 (FIPS 180-4) instead.
  var K = [0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2];
  function sha256(message) {
    var length = message.length;
    var blocks = ((length + 9 + 63) >> 6) << 4;
    var words = new Uint32Array(blocks);
    for (var i = 0; i < length; i += 1) { words[i >> 2] |= message[i] << (24 - (i % 4) * 8); }
    words[length >> 2] |= 0x80 << (24 - (length % 4) * 8);
    words[blocks - 1] = length * 8;
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Uint32Array(64);
    for (var block = 0; block < blocks; block += 16) {
      for (var t = 0; t < 64; t += 1) {
        if (t < 16) { w[t] = words[block + t]; continue; }
        var x = w[t - 15], y = w[t - 2];
        var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (var r = 0; r < 64; r += 1) {
        var e1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var t1 = (k + e1 + ((e & f) ^ (~e & g)) + K[r] + w[r]) | 0;
        var a0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var t2 = (a0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    var digest = new Uint8Array(32);
    for (var j = 0; j < 32; j += 1) { digest[j] = (h[j >> 2] >>> (24 - (j % 4) * 8)) & 0xff; }
    return digest.buffer;
  }
  function digests(start, count) {
    var batch = [];
    for (var i = start; i < start + count; i += 1) {
      var bytes = encoder.encode(token + ":" + i);
      batch.push(window.crypto && crypto.subtle ? crypto.subtle.digest("SHA-256", bytes) : sha256(bytes));
    }
    return Promise.all(batch);
  }
  async function solve() {
    for (var start = 0; ; start += 512) {
      var found = await digests(start, 512);
      for (var j = 0; j < found.length; j += 1) {
        if (zeroBits(found[j]) >= bits) { return String(start + j); }
      }
    }
  }
  function fillIn() {
    return solved ? "浏览器验证已完成，请填写" + label + "后" + verb + "。"
      : "请填写" + label + "；浏览器验证完成后将自动" + verb + "。";
  }
  form.addEventListener("submit", function (event) {
    if (waitsFor && !waitsFor.value) {
      event.preventDefault();
      status.textContent = fillIn();
      waitsFor.focus();
      return;
    }
    if (!solved) { event.preventDefault(); wanted = true; status.textContent = "正在完成浏览器验证，完成后自动" + verb + "…"; }
  });
  status.textContent = "正在完成浏览器验证…";
  solve().then(function (solution) {
    form.elements.solution.value = solution;
    solved = true;
    if (wanted && !(waitsFor && !waitsFor.value)) {
      status.textContent = "浏览器验证已完成，正在" + verb + "…";
      form.submit();
    } else {
      status.textContent = waitsFor ? fillIn() : "浏览器验证已完成。";
    }
  });
})();
