(function () {
  "use strict";
  var toArray = function (list) { return Array.prototype.slice.call(list); };
  var boxes = toArray(document.querySelectorAll("input.sev-filter"));
  var findings = toArray(document.querySelectorAll(".finding[data-severity]"));
  var marks = toArray(document.querySelectorAll("mark.hl[data-sevs]"));
  var shown = document.getElementById("shown");

  function visibleCount() {
    return findings.filter(function (f) { return f.getClientRects().length > 0; }).length;
  }

  function apply() {
    var on = {};
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    var visible = 0;
    findings.forEach(function (f) {
      var show = !!on[f.getAttribute("data-severity")];
      f.classList.toggle("off", !show);
      if (show) { visible += 1; }
    });
    marks.forEach(function (m) {
      var show = m.getAttribute("data-sevs").split(" ").some(function (s) { return on[s]; });
      m.classList.toggle("off", !show);
    });
    if (shown) { shown.textContent = visible + " of " + findings.length + " shown"; }
  }

  function closeHelp() {
    toArray(document.querySelectorAll(".rule-help.open")).forEach(function (s) { s.classList.remove("open"); });
    if (location.hash.indexOf("#help-") === 0) {
      history.replaceState(null, "", location.pathname + location.search);
    }
  }

  function openHelp(code) {
    closeHelp();
    var section = document.getElementById("help-" + code);
    if (section) { section.classList.add("open"); }
    return section;
  }

  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  document.addEventListener("click", function (e) {
    var target = e.target instanceof Element ? e.target : null;
    var link = target && target.closest("a.rule-link");
    if (link) {
      e.preventDefault();
      openHelp(link.getAttribute("data-rule"));
      return;
    }
    if (target && target.closest(".rule-help .close")) {
      e.preventDefault();
      closeHelp();
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { closeHelp(); }
  });
  apply();

  function selftest() {
    var result = { errors: window.__dfcheck.errors, findings: findings.length, without: {} };
    try {
      result.initial = visibleCount();
      boxes.forEach(function (b) {
        b.click();
        result.without[b.value] = visibleCount();
        b.click();
      });
      boxes.forEach(function (b) { if (b.checked) { b.click(); } });
      result.none = visibleCount();
      result.marksOff = marks.filter(function (m) { return m.classList.contains("off"); }).length;
      result.marks = marks.length;
      boxes.forEach(function (b) { if (!b.checked) { b.click(); } });
      result.restored = visibleCount();
      var link = document.querySelector("a.rule-link");
      if (link) {
        link.click();
        var section = document.getElementById("help-" + link.getAttribute("data-rule"));
        result.help = {
          code: link.getAttribute("data-rule"),
          shown: !!section && getComputedStyle(section).display !== "none",
        };
        closeHelp();
        result.help.closed = !!section && getComputedStyle(section).display === "none";
      }
      result.cache = {};
      toArray(document.querySelectorAll(".line > .ln")).forEach(function (ln) {
        var status = /cache-(\w+)/.exec(ln.parentNode.className);
        if (status) { result.cache[status[1]] = getComputedStyle(ln).backgroundColor; }
      });
      result.visible = {};
      [".cache-stages", ".cache-history", ".cache-suggestions", "pre.diff", "svg.chart"].forEach(function (sel) {
        var box = document.querySelector(sel);
        result.visible[sel] = !!box && box.getBoundingClientRect().height > 0;
      });
      result.scripts = document.scripts.length;
      result.alerts = window.__dfcheck.alerts;
    } catch (err) {
      result.errors.push("selftest: " + String((err && err.stack) || err));
    }
    var out = document.createElement("pre");
    out.id = "selftest-result";
    out.textContent = JSON.stringify(result);
    document.body.appendChild(out);
  }

  if (location.hash === "#selftest") {
    // After load and one more task, so queued error and CSP-violation events are counted too.
    window.addEventListener("load", function () { setTimeout(selftest, 0); });
  }
})();
