window.__dfcheck = { errors: [], alerts: [] };
window.addEventListener("error", function (e) {
  window.__dfcheck.errors.push("error: " + e.message);
});
document.addEventListener("securitypolicyviolation", function (e) {
  window.__dfcheck.errors.push("csp: " + e.violatedDirective + " " + e.blockedURI);
});
if (location.hash === "#selftest") {
  window.alert = function (m) {
    window.__dfcheck.alerts.push(String(m));
  };
  var consoleError = console.error;
  console.error = function () {
    window.__dfcheck.errors.push("console: " + Array.prototype.join.call(arguments, " "));
    consoleError.apply(console, arguments);
  };
}
