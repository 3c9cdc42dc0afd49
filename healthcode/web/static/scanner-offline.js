/* 离线核验: verifies a BMJKM1 QR text in the browser with the cached JWK Set (SPEC section 6): Base45 -> zlib
   (DecompressionStream) -> COSE_Sign1 (a small CBOR reader) -> Ed25519 / ES256 signature with WebCrypto -> claims.
   Also the queue of scans made offline (localStorage), each with its own id so that an upload is never counted twice. */
(function () {
  "use strict";
  var PREFIX = "BMJKM1:";
  var B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

  function fail(error, message) { var e = new Error(message); e.code = error; return e; }

  function b45decode(text) {
    var out = [];
    for (var i = 0; i < text.length; i += 3) {
      var chunk = text.substr(i, 3), v = 0, m = 1;
      for (var j = 0; j < chunk.length; j++) {
        var d = B45.indexOf(chunk[j]);
        if (d < 0) throw fail("invalid_code", "无法识别的健康码：编码损坏");
        v += d * m; m *= 45;
      }
      if (chunk.length === 3) { if (v > 65535) throw fail("invalid_code", "无法识别的健康码：编码损坏"); out.push(v >> 8, v & 255); }
      else if (chunk.length === 2) { if (v > 255) throw fail("invalid_code", "无法识别的健康码：编码损坏"); out.push(v); }
      else throw fail("invalid_code", "无法识别的健康码：编码损坏");
    }
    return new Uint8Array(out);
  }

  async function inflate(bytes) {
    if (typeof DecompressionStream === "undefined") throw fail("unsupported", "本浏览器不支持离线核验");
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    try { return new Uint8Array(await new Response(stream).arrayBuffer()); }
    catch (e) { throw fail("invalid_code", "无法识别的健康码：编码损坏"); }
  }

  /* A CBOR reader for what a COSE_Sign1 / CWT holds: integers, byte and text strings, arrays, maps, tags, simple
     values and floats. Maps become Map objects (keys may be negative integers). */
  function readCbor(bytes) {
    var view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), pos = 0;
    function need(n) { if (pos + n > bytes.length) throw fail("invalid_code", "无法识别的健康码：内容损坏"); }
    function arg(info) {
      if (info < 24) return info;
      if (info === 24) { need(1); return bytes[pos++]; }
      if (info === 25) { need(2); var a = view.getUint16(pos); pos += 2; return a; }
      if (info === 26) { need(4); var b = view.getUint32(pos); pos += 4; return b; }
      if (info === 27) { need(8); var c = Number(view.getBigUint64(pos)); pos += 8; return c; }
      throw fail("invalid_code", "无法识别的健康码：内容损坏");
    }
    function item() {
      need(1);
      var head = bytes[pos++], major = head >> 5, info = head & 31;
      if (major === 7) {
        if (info === 20) return false; if (info === 21) return true; if (info === 22 || info === 23) return null;
        if (info === 25) { need(2); var h = view.getUint16(pos); pos += 2; return half(h); }
        if (info === 26) { need(4); var f = view.getFloat32(pos); pos += 4; return f; }
        if (info === 27) { need(8); var d = view.getFloat64(pos); pos += 8; return d; }
        return arg(info);
      }
      var n = arg(info);
      switch (major) {
        case 0: return n;
        case 1: return -1 - n;
        case 2: need(n); var bs = bytes.slice(pos, pos + n); pos += n; return bs;
        case 3: need(n); var s = new TextDecoder().decode(bytes.subarray(pos, pos + n)); pos += n; return s;
        case 4: var list = []; for (var i = 0; i < n; i++) list.push(item()); return list;
        case 5: var map = new Map(); for (var k = 0; k < n; k++) { var key = item(); map.set(key, item()); } return map;
        case 6: return { tag: n, value: item() };
      }
      throw fail("invalid_code", "无法识别的健康码：内容损坏");
    }
    var value = item();
    if (pos !== bytes.length) throw fail("invalid_code", "无法识别的健康码：内容损坏");
    return value;
  }
  function half(h) {
    var e = (h >> 10) & 31, m = h & 1023, s = h & 32768 ? -1 : 1;
    if (e === 0) return s * Math.pow(2, -14) * (m / 1024);
    if (e === 31) return m ? NaN : s * Infinity;
    return s * Math.pow(2, e - 15) * (1 + m / 1024);
  }

  function head(major, n) {
    if (n < 24) return [(major << 5) | n];
    if (n < 256) return [(major << 5) | 24, n];
    if (n < 65536) return [(major << 5) | 25, n >> 8, n & 255];
    return [(major << 5) | 26, (n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  function bstr(b) { return head(2, b.length).concat(Array.from(b)); }
  /* RFC 9052 Sig_structure: ["Signature1", protected, external_aad = h'', payload]. */
  function sigStructure(protectedBytes, payload) {
    var label = Array.from(new TextEncoder().encode("Signature1"));
    return new Uint8Array([0x84].concat(head(3, label.length), label, bstr(protectedBytes), [0x40], bstr(payload)));
  }

  function b64url(bytes) {
    var s = ""; bytes.forEach(function (b) { s += String.fromCharCode(b); });
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function importKey(jwk) {
    if (jwk.kty === "OKP" && jwk.crv === "Ed25519") {
      return { alg: -8, key: await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: jwk.x },
        { name: "Ed25519" }, false, ["verify"]), params: { name: "Ed25519" } };
    }
    if (jwk.kty === "EC" && jwk.crv === "P-256") {
      return { alg: -7, key: await crypto.subtle.importKey("jwk", { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y },
        { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]), params: { name: "ECDSA", hash: "SHA-256" } };
    }
    return null;
  }

  /* The verified claims of a QR text at `nowSeconds`, or an Error with .code as the checkpoint API names it. */
  async function verify(text, jwks, nowSeconds) {
    text = (text || "").trim();
    if (text.indexOf(PREFIX) !== 0) throw fail("invalid_code", "无法识别的健康码：请扫描八闽健康码二维码");
    if (!crypto || !crypto.subtle) throw fail("unsupported", "本浏览器不支持离线核验（需要安全连接）");
    var message = readCbor(await inflate(b45decode(text.slice(PREFIX.length))));
    while (message && message.tag !== undefined) message = message.value;  // COSE_Sign1 tag 18 (and a CWT tag 61)
    if (!Array.isArray(message) || message.length !== 4 || !(message[0] instanceof Uint8Array) ||
        !(message[2] instanceof Uint8Array) || !(message[3] instanceof Uint8Array)) {
      throw fail("invalid_code", "无法识别的健康码：不是签名消息");
    }
    var protectedHeader = message[0].length ? readCbor(message[0]) : new Map();
    var alg = protectedHeader.get(1), kid = protectedHeader.get(4);
    if (!(kid instanceof Uint8Array) && message[1] instanceof Map) kid = message[1].get(4);
    if (!(kid instanceof Uint8Array) || kid.length !== 8) throw fail("invalid_code", "无法识别的健康码：密钥标识格式错误");
    var jwk = ((jwks && jwks.keys) || []).find(function (k) { return k.kid === b64url(kid); });
    if (!jwk) throw fail("unknown_key", "健康码的签名密钥未知或已停用，请对方刷新健康码");
    var key = await importKey(jwk);
    if (!key || key.alg !== alg) throw fail("bad_signature", "健康码签名无效，可能是伪造或被篡改的二维码");
    var ok = false;
    try { ok = await crypto.subtle.verify(key.params, key.key, message[3], sigStructure(message[0], message[2])); }
    catch (e) { ok = false; }
    if (!ok) throw fail("bad_signature", "健康码签名无效，可能是伪造或被篡改的二维码");
    var claims = readCbor(message[2]), health = claims instanceof Map ? claims.get(-70000) : null;
    if (!(health instanceof Map)) throw fail("invalid_code", "无法识别的健康码：缺少健康码声明");
    var exp = claims.get(4);
    if (typeof exp !== "number" || nowSeconds >= exp) throw fail("expired", "健康码已过期，请对方刷新健康码后重新扫码");
    return { color: health.get("c"), name_masked: health.get("n"), region_code: health.get("r"),
             rule_set: health.get("v"), iat: claims.get(6), exp: exp };
  }

  /* The queue of offline scans, per scanner, in localStorage. */
  function queueKey(scannerId) { return "hc.scanner." + scannerId + ".offline"; }
  function queued(scannerId) {
    try { return JSON.parse(localStorage.getItem(queueKey(scannerId)) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(scannerId, items) { localStorage.setItem(queueKey(scannerId), JSON.stringify(items)); }
  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)); return b64url(b);
  }
  function enqueue(scannerId, record) {
    var items = queued(scannerId);
    record.client_scan_id = record.client_scan_id || newId();
    items.push(record); saveQueue(scannerId, items);
    return record;
  }
  function drop(scannerId, clientScanId) {
    saveQueue(scannerId, queued(scannerId).filter(function (r) { return r.client_scan_id !== clientScanId; }));
  }

  window.HCOffline = { verify: verify, queued: queued, enqueue: enqueue, drop: drop, readCbor: readCbor,
                       b45decode: b45decode };
})();
