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
