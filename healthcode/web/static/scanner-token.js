/* The scanner's checkpoint-API token, kept in sessionStorage for this tab: stored by the login, read by 出入扫码服务
   (scanner.js), deleted when 退出登录 is submitted. The server ends the token on that sign-out as well (and every other
   of the account's); deleting it here leaves no copy in the tab either. */
(function () {
  "use strict";
  var KEY = "hc.scanner.token";
  var tokens = window.hcScannerToken = {
    save: function (body) {
      sessionStorage.setItem(KEY, JSON.stringify({ token: body.access_token,
        until: Date.now() + (body.expires_in - 60) * 1000 }));
    },
    /* The stored token while it has more than a minute left, else null. */
    saved: function () {
      var saved = null;
      try { saved = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { saved = null; }
      return saved && saved.until > Date.now() ? saved.token : null;
    },
    forget: function () { sessionStorage.removeItem(KEY); }
  };
  Array.prototype.forEach.call(document.querySelectorAll("form[data-signout]"), function (form) {
    form.addEventListener("submit", tokens.forget);
  });
})();
