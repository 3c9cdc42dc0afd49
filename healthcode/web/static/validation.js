/* Every portal's forms (loaded by base_mobile.html and base_console.html): a field refused by the browser's own
   checks (required, minlength, maxlength, pattern, min, max, type) gets the platform's Chinese message in the page,
   under the field, instead of the browser's bubble in the browser's language. The messages are the layout's
   (#validation-messages, through gettext); a field may give its own in data-msg-required, data-msg-pattern, … and
   its name in data-label. The server still checks everything: this only says it sooner. Forms marked novalidate
   (whose page script checks them itself) are left alone. */
(function () {
  "use strict";
  var source = document.getElementById("validation-messages");
  if (!source) return;
  var MSG = JSON.parse(source.textContent);
  var DATES = { date: 1, month: 1, week: 1, time: 1, "datetime-local": 1 };
  var CONTROLS = "input, select, textarea, button";
  var slots = 0;  // messages made so far on this page, for their ids
  var focusing = false;  // the first refused field of one submission is focused; the others only get their message

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  // The field's name: its data-label, its aria-label, its fieldset's legend (radio buttons and check boxes), or its
  // label's own words without the controls in it: "*企业名称" -> 企业名称, "今日体温（℃）" -> 今日体温.
  function labelOf(field) {
    var text = field.dataset.label || field.getAttribute("aria-label") || "";
    var set = field.closest("fieldset"), legend = set && set.querySelector("legend");
    if (!text && (field.type === "radio" || field.type === "checkbox")) text = legend ? legend.textContent : "";
    else if (!text && field.labels && field.labels.length) {
      Array.prototype.forEach.call(field.labels[0].childNodes, function (node) {
        if (node.nodeType === 3 || (node.nodeType === 1 && !node.matches(CONTROLS) && !node.querySelector(CONTROLS))) {
          text += node.textContent;
        }
      });
    }
    text = text.replace(/^[*＊\s]+|[：:\-–—\s]+$/g, "").replace(/\s+/g, " ").replace(/（[^（）]*）$|\([^()]*\)$/, "");
    return text.trim() || MSG.this_field;
  }

  // The field's own data-msg-* message for the first check it fails, or the layout's message for that check.
  function message(field) {
    var v = field.validity, d = field.dataset, type = field.type, date = DATES[type] === 1;
    var say = function (own, text, n) {
      return own || fill(text, { label: labelOf(field), n: n, len: field.value.length });
    };
    if (v.customError) return field.validationMessage;  // a page script's own (Chinese) message
    if (v.valueMissing) {
      if (type === "file") return say(d.msgRequired, MSG.required_file);
      if (type === "checkbox") return say(d.msgRequired, MSG.required_check);
      return say(d.msgRequired, field.tagName === "SELECT" || type === "radio" ? MSG.required_select : MSG.required);
    }
    if (v.badInput) return say(d.msgType, date ? MSG.bad_date : type === "number" ? MSG.bad_number : MSG.pattern);
    if (v.typeMismatch) return say(d.msgType, MSG["type_" + type] || MSG.pattern);
    if (v.patternMismatch) return say(d.msgPattern, MSG.pattern);
    if (v.tooShort) return say(d.msgMinlength, MSG.too_short, field.minLength);
    if (v.tooLong) return say(d.msgMaxlength, MSG.too_long, field.maxLength);
    if (v.rangeUnderflow) return say(d.msgMin, date ? MSG.min_date : MSG.min, field.min);
    if (v.rangeOverflow) return say(d.msgMax, date ? MSG.max_date : MSG.max, field.max);
    if (v.stepMismatch) return say(d.msgStep, MSG.step, field.step);
    return say("", MSG.pattern);
  }

  // One message per field (per group for radio buttons), after the field, or after the label or row holding it; the
  // field keeps its message's id (a page may have several forms with the same field names).
  function groupOf(field) {
    if (field.type !== "radio" || !field.form || !field.name) return [field];
    return field.form.querySelectorAll("input[type=radio][name='" + CSS.escape(field.name) + "']");
  }

  function anchorOf(field) {
    var set = (field.type === "radio" || field.type === "checkbox") && field.closest("fieldset");
    if (set) return { el: set, where: "beforeend" };
    var group = groupOf(field), last = group[group.length - 1];  // radio buttons: after the group's last one
    return { el: last.closest("label, .row") || last, where: "afterend" };
  }

  function show(field) {
    var owner = groupOf(field)[0], id = owner.dataset.errorSlot, slot = id && document.getElementById(id);
    if (!slot) {
      id = owner.dataset.errorSlot = "field-error-" + (slots += 1);
      slot = document.createElement("span");
      slot.className = "field-error";
      slot.id = id;
      slot.setAttribute("role", "alert");
      var anchor = anchorOf(field);
      anchor.el.insertAdjacentElement(anchor.where, slot);
    }
    slot.textContent = message(field);
    field.setAttribute("aria-invalid", "true");
    var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (described.indexOf(id) < 0) field.setAttribute("aria-describedby", described.concat(id).join(" "));
  }

  function clear(field) {
    var id = groupOf(field)[0].dataset.errorSlot, slot = id && document.getElementById(id);
    var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(function (d) {
      return d && d !== id;
    });
    if (described.length) field.setAttribute("aria-describedby", described.join(" "));
    else field.removeAttribute("aria-describedby");
    field.removeAttribute("aria-invalid");
    if (slot) slot.remove();
  }

  // `invalid` does not bubble: it is caught on its way down. Cancelling it keeps the browser's bubble away.
  document.addEventListener("invalid", function (event) {
    var field = event.target;
    if (field.form && field.form.noValidate) return;
    event.preventDefault();
    show(field);
    if (!focusing) {
      focusing = true;
      field.focus();
      setTimeout(function () { focusing = false; }, 0);  // after this submission's other invalid events
    }
  }, true);

  // Typing or choosing again: the message goes once the field is right, and follows what is still wrong.
  function recheck(event) {
    var field = event.target;
    if (!field.willValidate || field.getAttribute("aria-invalid") !== "true") return;
    Array.prototype.forEach.call(groupOf(field), function (f) { if (f.validity.valid) clear(f); else show(f); });
  }
  document.addEventListener("input", recheck, true);
  document.addEventListener("change", recheck, true);
  document.addEventListener("reset", function (event) {
    event.target.querySelectorAll("[aria-invalid=true]").forEach(clear);
  }, true);
})();
