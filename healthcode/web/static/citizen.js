// The code page: a live clock with seconds (platform time), the name eye toggle, and refreshing the code before it
// expires through GET /api/v1/me/code. Plain script, no build step.
(function () {
  "use strict";
  var root = document.getElementById("code");
  if (!root) return;
  var offset = Number(root.dataset.serverNow) - Date.now();  // platform clock minus this phone's clock
  // When to refresh and when the code expires live in the section's data attributes (platform time, epoch ms).
  var busy = false, retryAt = 0;
  var $ = function (id) { return document.getElementById(id); };
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  var TZ_OFFSET_MS = 8 * 3600 * 1000;  // Asia/Shanghai, whatever the phone's own time zone

  function show(ms) {
    var d = new Date(ms + TZ_OFFSET_MS);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
  }

  function apply(data) {
    root.className = "code code-" + data.color;
    root.dataset.color = data.color;
    $("color-label").textContent = data.color_label;
    var n = data.number_code;
    $("number-code").dataset.number = n;
    $("number-code").textContent = n.slice(0, 4) + " " + n.slice(4, 8) + " " + n.slice(8);
    $("qr").src = data.qr_png;
    $("expires").textContent = show(data.expires_at_ms).slice(11);
    var name = $("holder-name");
    name.dataset.masked = data.name_masked;
    name.dataset.full = data.name;
    name.textContent = $("reveal").getAttribute("aria-pressed") === "true" ? data.name : data.name_masked;
    offset = data.server_now_ms - Date.now();
    root.dataset.refreshAt = data.refresh_at_ms;
    root.dataset.expiresAt = data.expires_at_ms;
    $("stale").hidden = true;
  }

  function refresh() {
    busy = true;
    fetch(root.dataset.refreshUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401) { window.location.href = "/citizen/"; throw new Error("signed out"); }
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(apply)
      .catch(function () { retryAt = Date.now() + 5000; })
      .then(function () { busy = false; });
  }

  function tick() {
    var now = Date.now() + offset;
    $("clock").textContent = show(now);
    if (now >= Number(root.dataset.expiresAt)) $("stale").hidden = false;
    if (!busy && now >= Number(root.dataset.refreshAt) && Date.now() >= retryAt) refresh();
  }

  $("reveal").addEventListener("click", function () {
    var btn = $("reveal"), name = $("holder-name");
    var on = btn.getAttribute("aria-pressed") !== "true";
    btn.setAttribute("aria-pressed", on ? "true" : "false");
    btn.setAttribute("aria-label", on ? btn.dataset.labelHide : btn.dataset.labelShow);
    name.textContent = on ? name.dataset.full : name.dataset.masked;
  });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) tick(); });
  tick();
  setInterval(tick, 250);
})();
