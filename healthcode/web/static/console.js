// The consoles' small page actions, here rather than in inline handlers (the Content-Security-Policy runs only the
// platform's own script files): 打印 and 返回 buttons, the printout's print dialog, and the records filter's 重置 and
// refusals (htmx requests).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("[data-action]");
    if (!el) return;
    if (el.dataset.action === "print") {
      event.preventDefault();
      window.print();
    } else if (el.dataset.action === "back" && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
  // 扫码记录 打印: the printout page opens the print dialog once it has loaded.
  if (document.querySelector("[data-autoprint]")) window.print();
  // 扫码记录 查询 refused (a start after the end, say: 422 with the reason): the reason replaces the message slot above
  // the table, and the table shown stays as it was.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var d = event.detail;
    if (!d || !d.xhr || d.xhr.status !== 422 || !d.target || d.target.id !== "records") return;
    var slot = document.getElementById("records-error");
    if (!slot) return;
    d.shouldSwap = true;
    d.isError = false;
    d.target = slot;
    d.swapOverride = "outerHTML";
  });
  // 扫码记录 重置: once the unfiltered table has come, the filter form is emptied too.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = document.getElementById("record-filters");
    if (!form || !event.detail || !event.detail.elt || event.detail.elt.id !== "reset") return;
    form.reset();
    form.querySelectorAll("input, select").forEach(function (el) { el.value = ""; });
  });
})();
