// The desk page's live part: redrawn from the server whenever the queue changes. Everything
// works without this script (every action is a form); it only saves the officer a reload.
(function () {
  "use strict";
  const live = document.getElementById("live");
  if (!live) return;
  const desk = live.dataset.desk;
  const offline = document.querySelector(".offline");
  let pending = null;
  let first = true; // the page was just drawn from the same state
  async function refresh() {
    try {
      const response = await fetch("/desk/" + desk + "/live", { credentials: "same-origin" });
      if (response.ok && (response.headers.get("content-type") || "").startsWith("text/html")) {
        live.innerHTML = await response.text();
      }
    } catch (e) { /* the next event retries */ }
  }
  function connect() {
    const events = new EventSource("/events");
    events.addEventListener("board", function () {
      if (offline) offline.hidden = true;
      if (first) { first = false; return; }
      clearTimeout(pending);
      pending = setTimeout(refresh, 30);
    });
    events.onerror = function () { if (offline) offline.hidden = false; };
  }
  connect();
})();
