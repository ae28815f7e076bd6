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
