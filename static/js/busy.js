// While an htmx form fetches new figures, the region it fills is marked busy and a status line
// says so, for screen readers as for everyone else (the spinner is its hx-indicator). Without
// JavaScript the form reloads the page and none of this is needed.
(function () {
  function mark(event, busy) {
    var form = event.detail.elt.closest ? event.detail.elt.closest("[data-busy]") : null;
    if (!form) {
      return;
    }
    var region = document.querySelector(form.dataset.busy);
    var status = document.querySelector(form.dataset.busyStatus);
    if (region) {
      region.setAttribute("aria-busy", busy ? "true" : "false");
    }
    if (status) {
      status.textContent = busy ? "Loading the figures…" : "The figures are up to date.";
    }
  }
  document.addEventListener("htmx:beforeRequest", function (event) { mark(event, true); });
  document.addEventListener("htmx:afterRequest", function (event) { mark(event, false); });
})();
