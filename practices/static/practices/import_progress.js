// The admin's import page while the worker checks or imports a file: asks the upload's status
// URL every few seconds, moves the progress bar and its sentence, and reloads the page (which
// then shows the report) once the task has finished.
(function () {
  "use strict";

  const box = document.querySelector("[data-import-progress]");
  if (!box) {
    return;
  }
  const url = box.dataset.importProgress;
  const every = Math.max(1, Number(box.dataset.importEvery) || 2) * 1000;
  const started = box.dataset.importStatus;
  const bar = box.querySelector("progress");
  const sentence = box.querySelector("[data-import-sentence]");

  function check() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.statusText);
        }
        return response.json();
      })
      .then(function (answer) {
        if (!answer.running || answer.status !== started) {
          window.location.reload();
          return;
        }
        if (answer.total) {
          bar.max = answer.total;
          bar.value = answer.done;
        }
        sentence.textContent = answer.sentence;
        window.setTimeout(check, every);
      })
      .catch(function () {
        // Signed out or offline for a moment: try again later rather than give up.
        window.setTimeout(check, every * 2);
      });
  }

  window.setTimeout(check, every);
})();
