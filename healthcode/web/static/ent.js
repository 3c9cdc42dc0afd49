// 企业用户电脑端: 批量导出 with the current query, select-all boxes, dialogs (新增 / 修改信息 / 批量导入) and the
// confirmation before 删除信息 / 批量删除. Plain DOM on top of server-rendered pages; htmx does the partial updates.
(function () {
  "use strict";
  function formQuery(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (v, k) { if (v !== "") params.append(k, v); });
    return params.toString();
  }
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest("[data-export],[data-open],[data-close],[data-edit],[data-confirm-delete]");
    if (!el) return;
    if (el.dataset.export !== undefined && el.dataset.export) {
      var q = formQuery(el.form || el.closest("form"));
      window.location.href = el.dataset.export + (q ? "?" + q : "");
    } else if (el.dataset.open) {
      document.getElementById(el.dataset.open).showModal();
    } else if (el.dataset.close !== undefined) {
      el.closest("dialog").close();
    } else if (el.dataset.edit) {
      var d = document.getElementById("edit-dialog"), row = JSON.parse(el.dataset.edit);
      d.querySelector("form").action = row.action;
      ["name", "id_number", "phone"].forEach(function (k) { d.querySelector("[name=" + k + "]").value = row[k] || ""; });
      d.showModal();
    } else if (el.dataset.confirmDelete !== undefined) {
      var ids = el.dataset.confirmDelete ? [el.dataset.confirmDelete]
        : Array.from(document.querySelectorAll("input[name=employee_ids]:checked")).map(function (c) { return c.value; });
      var dlg = document.getElementById("delete-dialog");
      if (!ids.length) { dlg.querySelector(".question").textContent = "请先勾选要删除的员工"; }
      else { dlg.querySelector(".question").textContent = "确定删除选中的 " + ids.length + " 名员工吗？删除后不可恢复。"; }
      var holder = dlg.querySelector(".ids");
      holder.innerHTML = "";
      ids.forEach(function (id) {
        var i = document.createElement("input"); i.type = "hidden"; i.name = "employee_ids"; i.value = id; holder.appendChild(i);
      });
      dlg.querySelector("button[type=submit]").disabled = !ids.length;
      dlg.showModal();
    }
  });
  document.addEventListener("change", function (ev) {
    if (ev.target.matches("input[data-select-all]")) {
      document.querySelectorAll("input[name=employee_ids]:not(:disabled)").forEach(function (c) { c.checked = ev.target.checked; });
    }
  });
  // A dialog returned by htmx (提醒成功) opens itself.
  document.addEventListener("htmx:afterSwap", function (ev) {
    var d = ev.detail.target.querySelector("dialog");
    if (d && !d.open) d.showModal();
  });
  window.addEventListener("DOMContentLoaded", function () {
    var d = document.querySelector("dialog[data-open-on-load]");
    if (d) d.showModal();
  });
})();
