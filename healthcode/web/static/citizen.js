// The code page: the QR drawn here from the code's text (the server only signs it), a live clock with seconds
// (platform time), the name eye toggle, and refreshing the code before it expires through GET /api/v1/me/code.
// A refresh that fails (503 with Retry-After when the platform is overloaded, another error, or no network) is tried
// again later, backing off with jitter; meanwhile the last code stays on screen while it is valid, and once it has
// expired the page says so instead of showing it. An ES module, no build step.
import encodeQR from "./vendor/qr.js";

// The symbol segno draws for the same text (healthcode/codes/qr.py `make`): a regular QR of the smallest version at
// level M, the level raised to Q or H when the text still fits that version (segno's boost_error), the mode that
// fits the text (the code's Base45 text is alphanumeric), mask 0 (the fixed mask of the phone's code).
var BORDER = 4;  // quiet zone, in modules
var CSS_SIZE = 280;  // the largest the page shows it (citizen.css .qr), in CSS pixels
// Back-off after a failed refresh: the server's Retry-After (at most 5 minutes) or 1 s doubling to 30 s, whichever is
// longer, stretched by a random 0-50% so that the phones a busy server turned away do not all come back at once.
var BACKOFF_BASE_MS = 1000, BACKOFF_CAP_MS = 30000, RETRY_AFTER_MAX_MS = 300000, JITTER = 0.5;
var TZ_OFFSET_MS = 8 * 3600 * 1000;  // Asia/Shanghai, whatever the phone's own time zone

var root = document.getElementById("code");
if (root) start(root);

function symbol(text) {
  var rows = encodeQR(text, "raw", { ecc: "medium", mask: 0, border: BORDER });
  var version = (rows.length - 2 * BORDER - 17) / 4;
  var higher = ["high", "quartile"];
  for (var i = 0; i < higher.length; i++) {
    try {
      return encodeQR(text, "raw", { ecc: higher[i], version: version, mask: 0, border: BORDER });
    } catch (tooLong) { /* the text does not fit this version at this level (refused before any encoding) */ }
  }
  return rows;
}

function draw(canvas, text) {
  var rows = symbol(text), n = rows.length;
  var scale = Math.max(1, Math.ceil(CSS_SIZE * (window.devicePixelRatio || 1) / n));  // whole pixels a module
  canvas.width = canvas.height = n * scale;
  var g = canvas.getContext("2d");
  g.fillStyle = "#fff";
  g.fillRect(0, 0, n * scale, n * scale);
  g.fillStyle = "#000";
  for (var y = 0; y < n; y++) {
    for (var x = 0; x < n; x++) if (rows[y][x]) g.fillRect(x * scale, y * scale, scale, scale);
  }
  canvas.dataset.qrText = text;
}

function start(root) {
  var $ = function (id) { return document.getElementById(id); };
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  var offset = Number(root.dataset.serverNow) - Date.now();  // platform clock minus this phone's clock
  // When to refresh, when the code expires and when to try again after a failure live in the section's data
  // attributes (platform time, epoch ms).
  var busy = false, leaving = false, failures = 0;
  var now = function () { return Date.now() + offset; };
  root.dataset.colorLabel = $("color-label").textContent;

  function show(ms) {
    var d = new Date(ms + TZ_OFFSET_MS);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
  }

  function setExpired(expired) {
    root.classList.toggle("code-expired", expired);
    $("stale").hidden = !expired;
    $("color-label").textContent = expired ? root.dataset.expiredLabel : root.dataset.colorLabel;
  }

  function apply(data) {
    draw($("qr"), data.qr_text);
    root.className = "code code-" + data.color;
    root.dataset.color = data.color;
    root.dataset.colorLabel = data.color_label;
    var n = data.number_code;
    $("number-code").dataset.number = n;
    $("number-code").textContent = n.slice(0, 4) + " " + n.slice(4, 8) + " " + n.slice(8);
    $("expires").textContent = show(data.expires_at_ms).slice(11);
    var name = $("holder-name");
    name.dataset.masked = data.name_masked;
    name.dataset.full = data.name;
    name.textContent = $("reveal").getAttribute("aria-pressed") === "true" ? data.name : data.name_masked;
    offset = data.server_now_ms - Date.now();
    root.dataset.refreshAt = data.refresh_at_ms;
    root.dataset.expiresAt = data.expires_at_ms;
    failures = 0;
    delete root.dataset.retryAt;
    $("stale-busy").hidden = true;
    setExpired(false);
  }

  // Retry-After in seconds or as an HTTP date (RFC 9110), in ms from now; 0 when absent or unreadable.
  function retryAfterMs(response) {
    var value = (response.headers.get("Retry-After") || "").trim();
    var ms = /^\d+$/.test(value) ? Number(value) * 1000 : (Date.parse(value) - Date.now()) || 0;
    return Math.min(Math.max(ms, 0), RETRY_AFTER_MAX_MS);
  }

  function backOff(serverMs) {
    failures += 1;
    var exponential = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * Math.pow(2, failures - 1));
    root.dataset.retryAt = now() + Math.max(serverMs, exponential) * (1 + JITTER * Math.random());
    $("stale-busy").hidden = false;
  }

  function refresh() {
    busy = true;
    fetch(root.dataset.refreshUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401) { leaving = true; window.location.href = "/citizen/"; return null; }
        if (!r.ok) { backOff(retryAfterMs(r)); return null; }
        return r.json().then(apply);
      })
      .catch(function () { backOff(0); })  // no network, or an answer that is not a code
      .then(function () { busy = false; });
  }

  function tick() {
    var at = now();
    $("clock").textContent = show(at);
    var expired = at >= Number(root.dataset.expiresAt);
    if (expired !== root.classList.contains("code-expired")) setExpired(expired);
    if (!busy && !leaving && at >= Number(root.dataset.refreshAt) && at >= Number(root.dataset.retryAt || 0)) refresh();
  }

  $("reveal").addEventListener("click", function () {
    var btn = $("reveal"), name = $("holder-name");
    var on = btn.getAttribute("aria-pressed") !== "true";
    btn.setAttribute("aria-pressed", on ? "true" : "false");
    btn.setAttribute("aria-label", on ? btn.dataset.labelHide : btn.dataset.labelShow);
    name.textContent = on ? name.dataset.full : name.dataset.masked;
  });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) tick(); });
  draw($("qr"), $("qr").dataset.qrText);
  tick();
  setInterval(tick, 250);
}
