/* 刷身份证 (issue 16): the ID number as a person or a keyboard-emulating card reader types it (full-width digits and a
   lower-case x folded, spaces dropped), and what is wrong with it before it is sent: its length, the birth date, the
   GB 11643 check character. The server checks it again (healthcode/common/ids.py); this only saves a counted refusal
   for a typing slip. */
(function () {
  "use strict";
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  function normalise(text) {
    return (text || "").replace(/[０-９]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); })
      .replace(/[ｘＸx]/g, "X").replace(/[\s\u3000-]/g, "");
  }
  function checkCharacter(body) {
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += Number(body[i]) * WEIGHTS[i];
    return CHECK[sum % 11];
  }
  function validDate(y, m, d) {
    var date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d && date <= new Date();
  }
  /* null when the number can be sent; else the Chinese reason (with the count while it is being typed). */
  function problem(number) {
    if (/^\d{15}$/.test(number)) return null;  // a legacy 15-digit number: converted by the server
    if (!/^\d{0,17}[\dX]?$/.test(number)) return "身份证号前17位应为数字，末位为数字或X";
    if (number.length < 18) return "已输入 " + number.length + "/18 位";
    if (!validDate(Number(number.slice(6, 10)), Number(number.slice(10, 12)), Number(number.slice(12, 14)))) {
      return "身份证号出生日期无效";
    }
    if (checkCharacter(number) !== number[17]) return "校验码错误，请核对后重新输入或重新刷卡";
    return null;
  }
  window.HCIdCard = { normalise: normalise, problem: problem };
})();
