// The "PDF being prepared" page: asks the same URL for the bundle's state (as JSON) every few
// seconds instead of reloading the whole page, starts the download when the PDF is ready, and
// shows the server's explanation when it will not come (failed, limit reached, nothing left).
(function () {
  "use strict";

  const box = document.querySelector("[data-bundle-wait]");
  if (!box) {
    return;
  }
  const every = Math.max(1, Number(box.dataset.bundleWait) || 2) * 1000;
  const url = window.location.href;

  function show(selector, visible) {
    box.querySelectorAll(selector).forEach(function (element) {
      element.hidden = !visible;
    });
  }

  function ready() {
    show("[data-bundle-status]", false);
    show("[data-bundle-link]", false);
    show("[data-bundle-ready]", true);
    show("[data-bundle-ready-link]", true);
    // The PDF is sent as an attachment: the browser downloads it and this page stays.
    window.location.assign(url);
  }

  function stop(message) {
    const status = box.querySelector("[data-bundle-status]");
    status.textContent = message;
    show("[data-bundle-link]", false);
  }

  function check() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        const type = response.headers.get("Content-Type") || "";
        if (type.startsWith("application/json")) {
          return response.json();
        }
        // A cache or proxy answered with the PDF itself: it is ready. Anything else is
        // best explained by the page itself.
        return { state: response.ok ? "ready" : "reload" };
      })
      .then(function (answer) {
        if (answer.state === "queued") {
          window.setTimeout(check, every);
        } else if (answer.state === "ready") {
          ready();
        } else if (answer.message) {
          stop(answer.message);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        // Offline for a moment: try again later rather than give up.
        window.setTimeout(check, every * 2);
      });
  }

  window.setTimeout(check, every);
})();
