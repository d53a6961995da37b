// Keyboard shortcuts and confirmations only; every page works without this file.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = all.checked; });
    });
  }
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-report-id]"));
  var current = -1;
  function select(index) {
    if (!rows.length) { return; }
    if (current >= 0) { rows[current].classList.remove("current"); }
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows[current].classList.add("current");
    rows[current].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "j") { select(current + 1); }
    else if (event.key === "k") { select(current - 1); }
    else if (event.key === "Enter" && current >= 0) { rows[current].querySelector("a").click(); }
    else if (event.key === "v" && document.getElementById("form-verify")) { document.querySelector("#form-verify button").focus(); }
    else if (event.key === "d" && document.getElementById("form-disposition")) { document.querySelector("#form-disposition select").focus(); }
    else if (event.key === "x" && document.getElementById("form-reject")) { document.querySelector("#form-reject select").focus(); }
  });
}());
