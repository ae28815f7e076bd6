// Progressive enhancement only: every page works without this file.
"use strict";

// Ask before a destructive action: <button data-confirm="Really?">.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var message = button && button.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// Live countdowns: <span class="countdown" data-due="RFC 3339">. The server
// renders the same text, so the page is right without this script.
function pad(n) { return n < 10 ? "0" + n : "" + n; }
function formatLeft(ms) {
  var suffix = " left";
  if (ms <= 0) { ms = -ms; suffix = " overdue"; }
  var s = Math.floor(ms / 1000);
  return Math.floor(s / 86400) + "d " + pad(Math.floor(s % 86400 / 3600)) + "h " +
    pad(Math.floor(s % 3600 / 60)) + "m " + pad(s % 60) + "s" + suffix;
}
function tick() {
  var now = Date.now();
  document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
    el.textContent = formatLeft(Date.parse(el.getAttribute("data-due")) - now);
  });
}
if (document.querySelector(".countdown[data-due]")) {
  setInterval(tick, 1000);
}

// Import progress: poll the import's JSON while it runs, then reload to
// show the outcome. Without this script the page refreshes itself.
(function () {
  var box = document.querySelector("[data-progress-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("progress");
  var rows = box.querySelector(".rows-read");
  var rate = box.querySelector(".rate");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        if (!p.active) { window.location.reload(); return; }
        bar.value = p.percent;
        bar.textContent = p.percent + "%";
        rows.textContent = p.rows_read;
        if (p.rate > 0) {
          rate.textContent = Math.round(p.rate) + " rows/s" +
            (p.eta_seconds > 0 ? ", about " + p.eta_seconds + "s left" : "");
        }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
