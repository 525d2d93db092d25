// Collects every uncaught error and unhandled promise rejection (a wasm trap surfaces as one of
// them) so that browser tests, and people reporting a problem, can read them from the page.
(function () {
  var errors = (window.__stewardErrors = []);
  function record(kind, detail) {
    errors.push(kind + ": " + detail);
    document.documentElement.setAttribute("data-js-errors", String(errors.length));
  }
  window.addEventListener("error", function (event) {
    record("error", (event.error && event.error.stack) || event.message);
  });
  // A Content-Security-Policy violation blocks something the app needs: as bad as an error.
  document.addEventListener("securitypolicyviolation", function (event) {
    record("csp", event.violatedDirective + " blocked " + (event.blockedURI || "inline"));
  });
  window.addEventListener("unhandledrejection", function (event) {
    var reason = event.reason;
    record("unhandledrejection", (reason && reason.stack) || String(reason));
  });
})();
