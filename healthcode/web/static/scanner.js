/* 扫码端 pages: the login (gets the API token), registration (SMS code, password strength), and 出入扫码服务
   (scan point, number code with its Luhn check, camera + jsQR, photo, handheld scanner, 刷身份证, result, feedback,
   offline). */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var tokens = window.hcScannerToken;  // scanner-token.js
  var FOLD = { "０": "0", "１": "1", "２": "2", "３": "3", "４": "4", "５": "5", "６": "6", "７": "7", "８": "8", "９": "9" };

  function show(el, on) { if (el) el.hidden = !on; }
  function say(el, text, cls) { if (!el) return; el.textContent = text || ""; el.className = "hint" + (cls ? " " + cls : ""); }

  /* --- 法人用户 login: fetch the API token, then let the form sign in the web session ------------------------- */
  var login = $("login-form");
  if (login) {
    login.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData();
      data.append("username", $("phone").value.trim());
      data.append("password", $("password").value);
      fetch(login.dataset.tokenUrl, { method: "POST", body: data }).then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      }).then(function (res) {
        if (!res.ok) {
          var box = $("login-error");
          box.textContent = (res.body.message || "登录失败").replace("用户名或密码错误", "手机号码或登录密码错误");
          box.hidden = false;
          return;
        }
        tokens.save(res.body);
        login.submit();
      }).catch(function () { login.submit(); });
    });
  }

  /* --- 法人注册: SMS code with a resend countdown, live password strength -------------------------------------- */
  var sendSms = $("send-sms");
  if (sendSms) {
    var countdown = function (seconds) {
      sendSms.disabled = true;
      var left = seconds;
      var tick = function () {
        if (left <= 0) { sendSms.disabled = false; sendSms.textContent = "获取验证码"; return; }
        sendSms.textContent = left + "秒后重新获取"; left -= 1; setTimeout(tick, 1000);
      };
      tick();
    };
    sendSms.addEventListener("click", function () {
      var phone = $("phone").value.trim();
      if (!/^1\d{10}$/.test(phone)) { say($("sms-hint"), "请输入以1开头的11位手机号", "bad"); return; }
      var data = new FormData(); data.append("phone", phone);
      fetch(sendSms.dataset.url, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
        .then(function (res) {
          say($("sms-hint"), res.body.message, res.ok ? "ok" : "bad");
          if (res.ok) countdown(res.body.wait || 60);
        }).catch(function () { say($("sms-hint"), "网络异常，请稍后重试", "bad"); });
    });
    var password = $("password"), confirm = $("password_confirm");
    var strength = function () {
      var p = password.value, classes = 0;
      [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].forEach(function (re) { if (re.test(p)) classes += 1; });
      var level = 0, text = "—";
      if (p.length > 0 && p.length < 6) text = "长度不足6位";
      else if (p.length > 16) text = "不能超过16位";
      else if (p.length >= 6) {
        level = classes >= 3 && p.length >= 8 ? 3 : classes >= 2 ? 2 : 1;
        text = ["", "弱", "中", "强"][level];
      }
      $("strength").dataset.level = String(level);
      $("strength-text").textContent = text;
    };
    var match = function () {
      if (!confirm.value) { say($("confirm-hint"), ""); return; }
      if (confirm.value === password.value) say($("confirm-hint"), "两次输入一致", "ok");
      else say($("confirm-hint"), "两次输入的登录密码不一致", "bad");
    };
    password.addEventListener("input", function () { strength(); match(); });
    confirm.addEventListener("input", match);
  }

  /* --- 出入扫码服务 ------------------------------------------------------------------------------------------- */
  var configEl = $("scanner-config");
  if (!configEl) return;
  var config = JSON.parse(configEl.textContent);
  var urls = config.urls, pointKey = "hc.scanner." + config.scanner_id + ".point";
  // Keeps this page and its scripts on the phone for reloads without network (scanner-sw.js).
  if ("serviceWorker" in navigator && urls.worker) navigator.serviceWorker.register(urls.worker).catch(function () {});
  var state = { point: null, last: null, offline: false, flushing: false, stream: null, idcard: false };

  var titles = { "point-section": "上报扫码点", "scan-section": "出入扫码服务", "result-section": "扫码结果",
                 "feedback-section": "反馈结果" };
  var current = "scan-section";
  function screen(id) {
    ["point-section", "scan-section", "result-section", "feedback-section"].forEach(function (s) { show($(s), s === id); });
    current = id; $("title").textContent = titles[id]; window.scrollTo(0, 0);
  }
  function toast(text, ms) {
    var t = $("toast"); t.textContent = text; t.hidden = false;
    clearTimeout(toast.timer); toast.timer = setTimeout(function () { t.hidden = true; }, ms || 3000);
  }
  function error(el, text) { el.textContent = text || ""; el.hidden = !text; }

  /* The API token: the one the login fetched, else a fresh one from the web session. */
  function token(renew) {
    var saved = renew ? null : tokens.saved();
    if (saved) return Promise.resolve(saved);
    return fetch(urls.token, { method: "POST", credentials: "same-origin" }).then(function (r) {
      if (r.status === 401) { location.href = urls.login; throw new Error("signed out"); }
      return r.json();
    }).then(function (body) { tokens.save(body); return body.access_token; });
  }
  /* A JSON call to the checkpoint API: {status, body}; a network failure rejects with .network = true. A busy
     server's 503 "overloaded" (the request was not taken: sending it again is safe) is retried twice, after
     Retry-After and then twice that, each stretched by up to as much again at random so that the phones refused
     together do not all come back together (SPEC section 11). */
  var BUSY_RETRIES = 2;
  function api(path, body, retried, busy) {
    busy = busy || 0;
    return token(retried).then(function (t) {
      return fetch(path, { method: "POST", headers: { "Content-Type": "application/json", Authorization: "Bearer " + t },
        body: JSON.stringify(body) }).catch(function (e) { e.network = true; throw e; });
    }, function (e) { e.network = e.network || e instanceof TypeError; throw e; }).then(function (r) {
      if (r.status === 401 && !retried) return api(path, body, true, busy);
      return r.json().catch(function () { return {}; }).then(function (b) {
        if (r.status === 503 && b.error === "overloaded" && busy < BUSY_RETRIES) {
          var wait = (parseInt(r.headers.get("Retry-After"), 10) || 2) * 1000 * Math.pow(2, busy);
          toast("当前访问人数较多，正在自动重试……");
          return new Promise(function (resolve) { setTimeout(resolve, wait * (1 + Math.random())); })
            .then(function () { return api(path, body, retried, busy + 1); });
        }
        return { status: r.status, body: b };
      });
    });
  }

  function setOffline(on) {
    state.offline = on;
    var n = HCOffline.queued(config.scanner_id).length;
    var banner = $("net-status");
    banner.textContent = on ? "网络不可用：已切换为离线核验，扫码记录将在联网后自动上传" + (n ? "（待上传 " + n + " 条）" : "") : "";
    banner.hidden = !on;
    $("queue-status").textContent = n ? "待上传离线扫码记录：" + n + " 条" : "";
  }

  /* --- the scan point ------------------------------------------------------------------------------------------ */
  function setPoint(point) {
    state.point = point;
    localStorage.setItem(pointKey, JSON.stringify(point));
    $("point-label").textContent = point.community + " · " + point.name;
  }
  (function initialPoint() {
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(pointKey) || "null"); } catch (e) { saved = null; }
    // Offline, this page may be the phone's older copy (scanner-sw.js): the point last used still stands.
    var known = saved && (!navigator.onLine || config.points.some(function (p) { return p.id === saved.id; }));
    var editing = /[?&]edit=1/.test(location.search);
    if (config.current && !known) setPoint(config.current);
    else if (known) setPoint(saved);
    screen(editing || !state.point ? "point-section" : "scan-section");
  })();

  var choose = $("choose-point");
  if (choose) choose.addEventListener("submit", function (event) {
    event.preventDefault();
    var id = Number($("point_id").value);
    var point = config.points.find(function (p) { return p.id === id; });
    if (point) { setPoint(point); history.replaceState(null, "", location.pathname); screen("scan-section"); }
  });
  $("point-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var f = event.target, lat = $("latitude").value, lon = $("longitude").value;
    var body = { community: f.community.value, name: f.name.value, address: f.address.value,
                 region_code: f.region_code.value };
    if (lat && lon) { body.latitude = Number(lat); body.longitude = Number(lon); }
    api(urls.points, body).then(function (res) {
      if (res.status !== 201) { error($("point-error"), res.body.message || "上报失败"); return; }
      error($("point-error"), "");
      config.points.push(res.body); setPoint(res.body);
      history.replaceState(null, "", location.pathname);
      screen("scan-section"); toast("扫码点已上报");
    }, function () { error($("point-error"), "网络不可用，暂时无法上报扫码点"); });
  });
  var region = $("region_code");
  region.addEventListener("change", function () {
    var more = region.selectedOptions[0] && region.selectedOptions[0].dataset.more;
    if (!more) return;
    fetch(urls.counties).then(function (r) { return r.json(); }).then(function (all) {
      region.innerHTML = "";
      var groups = {};
      all.forEach(function (c) {
        var g = groups[c.province];
        if (!g) { g = groups[c.province] = document.createElement("optgroup"); g.label = c.province; region.appendChild(g); }
        g.appendChild(new Option(c.name, c.code));
      });
      var first = all.find(function (c) { return c.code.slice(0, 2) !== "35"; });
      if (first) region.value = first.code;
    });
  });
  function locate() {
    if (!navigator.geolocation) { say($("locate-hint"), "本设备不支持定位，请手工填写具体位置", "bad"); return; }
    say($("locate-hint"), "正在获取位置…");
    navigator.geolocation.getCurrentPosition(function (pos) {
      $("latitude").value = pos.coords.latitude.toFixed(6); $("longitude").value = pos.coords.longitude.toFixed(6);
      say($("locate-hint"), "已获取位置：" + $("latitude").value + ", " + $("longitude").value, "ok");
    }, function () { say($("locate-hint"), "未获得定位授权，请手工填写具体位置", "bad"); }, { timeout: 10000 });
  }
  $("locate").addEventListener("click", locate);
  if (navigator.permissions) navigator.permissions.query({ name: "geolocation" }).then(function (p) {
    if (p.state === "granted") locate();
  }).catch(function () {});

  /* --- number code: Luhn check digit verified as it is typed ---------------------------------------------------- */
  function luhnOk(digits) {
    var sum = 0;
    for (var i = 0; i < digits.length; i++) {
      var d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
      sum += d;
    }
    return sum % 10 === 0;
  }
  function digitsOf(text) { return text.replace(/[０-９]/g, function (c) { return FOLD[c]; }).replace(/[\s\-\u3000]/g, ""); }
  var number = $("number"), lookup = $("lookup"), hint = $("number-hint");
  number.addEventListener("input", function () {
    var d = digitsOf(number.value), ok = false;
    if (!d) say(hint, "");
    else if (!/^\d+$/.test(d)) say(hint, "数字码只能包含数字", "bad");
    else if (d.length < 12) say(hint, "已输入 " + d.length + "/12 位");
    else if (d.length > 12) say(hint, "数字码应为12位", "bad");
    else if (!luhnOk(d)) say(hint, "校验位错误，请核对后重新输入", "bad");
    else { say(hint, "校验通过，请点击“查看”", "ok"); ok = true; }
    lookup.disabled = !ok;
  });
  $("number-form").addEventListener("submit", function (event) {
    event.preventDefault();
    if (!lookup.disabled) scan(digitsOf(number.value));
  });

  /* --- handheld scanner (keyboard wedge: types the QR text, then Enter) ------------------------------------------ */
  $("wedge").addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    var text = event.target.value.trim(); event.target.value = "";
    if (text) scan(text);
  });

  /* --- camera: getUserMedia + jsQR --------------------------------------------------------------------------- */
  var canvas = document.createElement("canvas"), ctx = canvas.getContext("2d", { willReadFrequently: true });
  function cameraOff() {
    if (state.stream) state.stream.getTracks().forEach(function (t) { t.stop(); });
    state.stream = null; show($("camera"), false); show($("camera-on"), true);
  }
  $("camera-off").addEventListener("click", cameraOff);
  $("camera-on").addEventListener("click", function () {
    error($("scan-error"), "");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      error($("scan-error"), "本设备无法打开摄像头，请使用拍照识别或输入数字码"); return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (stream) {
      state.stream = stream;
      var video = $("video"); video.srcObject = stream; video.play();
      show($("camera"), true); show($("camera-on"), false);
      var frame = function () {
        if (state.stream !== stream) return;
        if (video.readyState >= 2 && video.videoWidth) {
          var scale = Math.min(1, 800 / video.videoWidth);
          canvas.width = Math.round(video.videoWidth * scale); canvas.height = Math.round(video.videoHeight * scale);
          ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
          var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
          var found = jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
          if (found && found.data) { cameraOff(); scan(found.data); return; }
        }
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    }, function () { error($("scan-error"), "无法打开摄像头：请允许使用摄像头，或使用拍照识别、输入数字码"); });
  });

  /* --- photo: decoded on the server (zxing-cpp); offline, in the browser with jsQR ----------------------------- */
  $("photo").addEventListener("change", function (event) {
    var file = event.target.files[0]; if (!file) return;
    var data = new FormData(); data.append("photo", file);
    error($("scan-error"), "");
    fetch(urls.decode, { method: "POST", body: data, credentials: "same-origin" }).then(function (r) {
      return r.json().then(function (b) { return { ok: r.ok, body: b }; });
    }).then(function (res) {
      event.target.value = "";
      if (res.ok) scan(res.body.text); else error($("scan-error"), res.body.message || "未识别到二维码");
    }, function () {
      createImageBitmap(file).then(function (bitmap) {
        canvas.width = bitmap.width; canvas.height = bitmap.height; ctx.drawImage(bitmap, 0, 0);
        var found = jsQR(ctx.getImageData(0, 0, bitmap.width, bitmap.height).data, bitmap.width, bitmap.height);
        if (found && found.data) scan(found.data); else error($("scan-error"), "照片中未识别到二维码，请对准健康码重新拍摄");
      });
    });
  });

  /* --- the scan ---------------------------------------------------------------------------------------------- */
  function scan(code) {
    error($("scan-error"), "");
    if (!state.point) { screen("point-section"); return; }
    api(urls.scans, { point_id: state.point.id, code: code }).then(function (res) {
      if (res.status === 201) { setOffline(false); result(res.body, false); flush(); return; }
      if (res.body.error === "point_not_found") { localStorage.removeItem(pointKey); state.point = null; screen("point-section"); }
      error($("scan-error"), res.body.message || "查询失败（" + res.status + "）");
    }, function (e) {
      if (!e.network && !(e instanceof TypeError)) { error($("scan-error"), "查询失败，请重试"); return; }
      setOffline(true);
      offlineScan(code);
    });
  }

  /* --- 刷身份证: name + ID number (typed, or by a card reader: 18 characters, then Enter); needs the server ------ */
  function wayTab(idcard) {
    [["tab-code", "code-ways", !idcard], ["tab-idcard", "idcard-way", idcard]].forEach(function (t) {
      $(t[0]).classList.toggle("tab-on", t[2]); $(t[0]).setAttribute("aria-selected", String(t[2])); show($(t[1]), t[2]);
    });
    state.idcard = idcard;
    if (idcard) { cameraOff(); $("idcard-name").focus(); }
  }
  $("tab-code").addEventListener("click", function () { wayTab(false); });
  $("tab-idcard").addEventListener("click", function () { wayTab(true); });
  var idName = $("idcard-name"), idNumber = $("idcard-number"), idHint = $("idcard-hint");
  function idProblem() {
    var n = HCIdCard.normalise(idNumber.value);
    return n ? HCIdCard.problem(n) : "请输入身份证号，或用读卡器刷卡";
  }
  idNumber.addEventListener("input", function () {
    var n = HCIdCard.normalise(idNumber.value), p = n ? HCIdCard.problem(n) : null;
    if (!n) say(idHint, "");
    else if (p) say(idHint, p, /^已输入/.test(p) ? "" : "bad");
    else say(idHint, "校验通过", "ok");
  });
  function clearIdCard() { idName.value = ""; idNumber.value = ""; say(idHint, ""); error($("idcard-error"), ""); }
  $("idcard-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var box = $("idcard-error"), name = idName.value.trim(), problem = idProblem();
    error(box, "");
    if (!name) { error(box, "请先填写身份证上的姓名"); idName.focus(); return; }
    if (problem) { error(box, problem); idNumber.focus(); return; }
    if (!state.point) { screen("point-section"); return; }
    if (!navigator.onLine) { setOffline(true); error(box, "网络不可用：身份证核验需要联网，请稍后重试，或请居民出示健康码"); return; }
    $("idcard-check").disabled = true;
    api(urls.id_checks, { point_id: state.point.id, name: name, id_number: HCIdCard.normalise(idNumber.value) })
      .then(function (res) {
        $("idcard-check").disabled = false;
        if (res.status === 201) { clearIdCard(); setOffline(false); result(res.body, false); flush(); return; }
        if (res.body.error === "point_not_found") { localStorage.removeItem(pointKey); state.point = null; screen("point-section"); }
        error(box, res.body.message || "核验失败（" + res.status + "）");
      }, function (e) {
        $("idcard-check").disabled = false;
        if (!e.network && !(e instanceof TypeError)) { error(box, "核验失败，请重试"); return; }
        setOffline(true);
        error(box, "网络不可用：身份证核验需要联网，请稍后重试，或请居民出示健康码");
      });
  });
  // The name field's Enter goes on to the number (where a card reader types); the number's Enter submits.
  idName.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !idNumber.value) { event.preventDefault(); idNumber.focus(); }
  });

  function cachedJwks() { try { return JSON.parse(localStorage.getItem("hc.jwks") || "null"); } catch (e) { return null; } }
  fetch(urls.jwks).then(function (r) { return r.ok ? r.json() : null; }).then(function (jwks) {
    if (jwks) localStorage.setItem("hc.jwks", JSON.stringify(jwks));
  }).catch(function () {});

  function offlineScan(code) {
    if (code.indexOf("BMJKK1:") === 0) {  // a printed card shows no colour: only the server can tell it (issue 16)
      error($("scan-error"), "网络不可用：纸质健康码须联网查验，请恢复网络后重新扫码"); return;
    }
    if (code.indexOf("BMJKM1:") !== 0) {
      error($("scan-error"), "网络不可用：离线状态下无法查询数字码，请开启扫码模式扫描健康码"); return;
    }
    var jwks = cachedJwks();
    if (!jwks) { error($("scan-error"), "网络不可用，且本机尚未缓存验签公钥，无法离线核验"); return; }
    HCOffline.verify(code, jwks, Date.now() / 1000).then(function (claims) {
      var record = HCOffline.enqueue(config.scanner_id, { point_id: state.point.id, code: code,
        scanned_at: new Date().toISOString() });
      setOffline(true);
      result({ color: claims.color, name_masked: claims.name_masked, id_number_masked: "—（离线不可查）",
               address: regionName(claims.region_code), most_severe_region: null, recent_scans: null,
               client_scan_id: record.client_scan_id }, true);
    }, function (e) { error($("scan-error"), "离线核验未通过：" + e.message); });
  }
  function regionName(code) {
    var option = region.querySelector('option[value="' + code + '"]');
    return option ? option.textContent + "（初始地区）" : "—";
  }

  var COLOR_TEXT = { green: "绿码", orange: "橙码", yellow: "黄码", red: "红码" };
  var TEMP_TEXT = { normal: "体温正常", abnormal: "体温异常" };
  function result(r, offline) {
    state.last = { scan_id: r.scan_id, client_scan_id: r.client_scan_id, offline: offline };
    var block = $("color-block");
    block.className = "color-result color-" + (COLOR_TEXT[r.color] ? r.color : "other");
    $("color-text").textContent = COLOR_TEXT[r.color] || r.color;
    show($("offline-mark"), offline);
    show($("idcard-mark"), r.via === "id_card");
    show($("card-mark"), r.via === "card");  // a printed card: the colour is this answer's, computed now
    $("r-name").textContent = r.name_masked; $("r-id").textContent = r.id_number_masked;
    $("r-address").textContent = r.address || "—";
    var severe = r.most_severe_region, box = $("severe");
    show(box, !!severe);
    if (severe) {
      box.classList.toggle("warning", !!severe.higher_than_here);
      $("severe-text").textContent = (severe.higher_than_here ? "注意：该人员来自疫情更严重的地区。" : "") +
        "14天内去过的最严重地区是在 " + severe.name + "，目前该地区为" + severe.level_name + "。";
      $("severe-policy").textContent = "疫情区防控策略：" + severe.policy;
    }
    var list = $("recent-list"); list.innerHTML = "";
    var items = r.recent_scans || [];
    if (r.recent_scans === null) list.innerHTML = '<p class="muted small">离线状态下无法获取近期扫码记录</p>';
    else if (!items.length) list.innerHTML = '<p class="muted small">暂无近期扫码记录</p>';
    items.forEach(function (s, i) {
      var div = document.createElement("div"); div.className = "recent-item"; div.hidden = i >= 2;
      var dl = document.createElement("dl"); dl.className = "kv";
      [["扫码地址", s.address], ["监测时间", (s.at || "").replace("T", " ")],
       ["体温结果", TEMP_TEXT[s.temperature_result] || "未反馈"], ["通行原因", s.pass_reason || "未反馈"]]
        .forEach(function (kv) {
          var dt = document.createElement("dt"), dd = document.createElement("dd");
          dt.textContent = kv[0]; dd.textContent = kv[1]; dl.appendChild(dt); dl.appendChild(dd);
        });
      div.appendChild(dl); list.appendChild(div);
    });
    show($("more"), items.length > 2);
    $("feedback-form").reset(); error($("feedback-error"), "");
    screen("result-section");
  }
  $("more").addEventListener("click", function () {
    Array.prototype.forEach.call($("recent-list").children, function (c) { c.hidden = false; });
    show($("more"), false);
  });
  $("to-feedback").addEventListener("click", function () { screen("feedback-section"); });
  function nextScan() {
    number.value = ""; say(hint, ""); lookup.disabled = true; clearIdCard(); screen("scan-section");
    if (state.idcard) idName.focus();
  }
  $("next-scan").addEventListener("click", nextScan);
  $("back").addEventListener("click", function (event) {
    if (current === "feedback-section") { event.preventDefault(); screen("result-section"); }
    else if (current === "result-section") { event.preventDefault(); nextScan(); }
    else if (current === "point-section" && state.point) { event.preventDefault(); screen("scan-section"); }
  });

  /* --- 反馈结果 ---------------------------------------------------------------------------------------------- */
  // A temperature in the range decides the 体温结果 (≥ the abnormal threshold: 异常), as the server requires: the
  // select follows it and is locked while it is typed, and the hint under the field says so.
  var RULE_TEXT = $("temperature-rule").textContent;
  function followTemperature() {
    var degrees = $("temperature").value.trim(), select = $("temperature_result"), rule = $("temperature-rule");
    var low = config.temperature_range[0], high = config.temperature_range[1], from = config.temperature_abnormal_from;
    var valid = /^\d{2}(\.\d)?$/.test(degrees) && Number(degrees) >= low && Number(degrees) <= high;
    select.disabled = valid;
    if (!valid) { say(rule, RULE_TEXT); return; }
    var abnormal = Number(degrees) >= from;
    select.value = abnormal ? "abnormal" : "normal";
    say(rule, "体温 " + Number(degrees).toFixed(1) + "℃" + (abnormal ? " ≥ " : " < ") + from + "℃，体温结果按体温确定为" +
        (abnormal ? "异常" : "正常"), abnormal ? "bad" : "");
  }
  $("temperature").addEventListener("input", followTemperature);
  $("feedback-form").addEventListener("reset", function () { setTimeout(followTemperature, 0); });

  $("feedback-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var reason = $("pass_reason").value, temp = $("temperature_result").value, degrees = $("temperature").value.trim();
    if (!reason) { error($("feedback-error"), "请选择通行原因"); return; }
    if (!temp) { error($("feedback-error"), "请选择体温结果"); return; }
    if (degrees && !/^\d{2}(\.\d)?$/.test(degrees)) { error($("feedback-error"), "体温请填写如 36.5 的数值"); return; }
    // The server's range: checked here too, or an offline record with it would be refused at upload, and lost.
    var low = config.temperature_range[0], high = config.temperature_range[1];
    if (degrees && (Number(degrees) < low || Number(degrees) > high)) {
      error($("feedback-error"), "体温应在 " + low.toFixed(1) + "–" + high.toFixed(1) + "℃ 之间"); return;
    }
    var body = { pass_reason: reason, temperature_result: temp, temperature: degrees ? Number(degrees) : null };
    var last = state.last;
    if (last.offline) {  // kept with the queued scan and uploaded with it
      var items = HCOffline.queued(config.scanner_id);
      items.forEach(function (q) { if (q.client_scan_id === last.client_scan_id) Object.assign(q, body); });
      localStorage.setItem("hc.scanner." + config.scanner_id + ".offline", JSON.stringify(items));
      toast("已保存，联网后自动上传"); nextScan(); return;
    }
    api(urls.scans + "/" + last.scan_id + "/feedback", body).then(function (res) {
      if (res.status !== 200) { error($("feedback-error"), res.body.message || "提交失败"); return; }
      toast("提交成功，结果已上报本单位管理员"); nextScan();
    }, function () { error($("feedback-error"), "网络不可用，请稍后再提交"); });
  });

  /* --- uploading the offline queue: one at a time, each under its client id, so a retry never counts twice ---- */
  function flush() {
    if (state.flushing) return;
    var items = HCOffline.queued(config.scanner_id);
    if (!items.length) { setOffline(state.offline); return; }
    state.flushing = true;
    var item = items[0];
    api(urls.offline, item).then(function (res) {
      if (res.status >= 500) { state.flushing = false; return; }  // kept for the next try
      HCOffline.drop(config.scanner_id, item.client_scan_id);
      if (res.status !== 200 && res.status !== 201) toast("一条离线记录未被接受：" + (res.body.message || res.status));
      // Queued by a page from before the temperature decided the result: recorded as corrected, and said so.
      else if (res.body.correction) toast("离线记录已上传：" + res.body.correction.message, 10000);
      state.flushing = false; setOffline(false); flush();
    }, function () { state.flushing = false; setOffline(true); });
  }
  window.addEventListener("online", flush);
  setInterval(flush, 10000);
  flush();
})();
