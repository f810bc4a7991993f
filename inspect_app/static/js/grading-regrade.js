// Re-grade page: poll the job's JSON status and update the row until it is done.
(function () {
  "use strict";
  var row = document.querySelector("[data-regrade-status]");
  if (!row) { return; }
  var url = row.getAttribute("data-regrade-status");
  function tick() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        row.querySelector("progress").value = job.progress;
        row.querySelector(".regrade-progress").textContent = job.progress + "%";
        row.querySelector(".regrade-state").textContent = job.state;
        if (job.state === "done" || job.state === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(tick, 1500);
        }
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 1000);
})();
