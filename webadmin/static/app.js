/* HCM-QA admin: live updates by polling JSON endpoints (no framework, no inline scripts).
 *
 * [data-jobs-url]   the dashboard's job table, re-rendered from /dashboard/jobs.json
 * [data-watch-url]  a trial / FAQ batch / chat page: progress is updated in place, and the
 *                   page reloads when the server's "state" differs from data-watch-state
 *                   (a status change or a new answer), so the server-rendered view stays
 *                   the single source of how things look.
 * Data is inserted with textContent only, never as HTML.
 */
"use strict";
(function () {
  var DEFAULT_POLL_MS = 3000;

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") === -1) {
          throw new Error(response.redirected ? "signed out" : "HTTP " + response.status);
        }
        return response.json();
      });
  }

  function poll(element, url, onData) {
    var interval = parseInt(element.getAttribute("data-poll-ms"), 10) || DEFAULT_POLL_MS;
    var status = document.querySelector("[data-live-status]");
    var failures = 0;
    function tick() {
      if (document.hidden) { return schedule(interval); }
      getJson(url).then(function (data) {
        failures = 0;
        if (status) { status.textContent = "Live \u00b7 updated " + new Date().toLocaleTimeString(); }
        onData(data);
        schedule(interval);
      }).catch(function (error) {
        failures += 1;
        if (status) { status.textContent = "Live updates paused (" + error.message + "); reload the page."; }
        if (error.message !== "signed out") { schedule(Math.min(60000, interval * Math.pow(2, failures))); }
      });
    }
    function schedule(ms) { window.setTimeout(tick, ms); }
    schedule(interval);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function progressCell(job) {
    var cell = el("td");
    var bar = el("progress");
    bar.max = 1;
    bar.value = job.progress || 0;
    cell.appendChild(bar);
    cell.appendChild(el("span", "progress-text", job.progress_text));
    return cell;
  }

  function renderJobs(table, data) {
    var body = table.querySelector("tbody");
    var rows = document.createDocumentFragment();
    data.jobs.forEach(function (job) {
      var row = el("tr");
      row.setAttribute("data-job-id", job.id);
      var label = el("td");
      if (job.url) { var link = el("a", null, job.label); link.href = job.url; label.appendChild(link); }
      else { label.textContent = job.label; }
      row.appendChild(label);
      row.appendChild(el("td", null, job.kind));
      var status = el("td");
      status.appendChild(el("span", "badge badge-" + job.status, job.cancel_requested ? job.status + " (stopping)" : job.status));
      row.appendChild(status);
      row.appendChild(progressCell(job));
      row.appendChild(el("td", "eta", job.eta));
      row.appendChild(el("td", null, job.worker || "\u2014"));
      row.appendChild(el("td", "num", job.attempt + "/" + job.max_attempts));
      rows.appendChild(row);
    });
    if (!data.jobs.length) {
      var empty = el("tr");
      var cell = el("td", "muted", "No queued or running jobs.");
      cell.colSpan = 7;
      empty.appendChild(cell);
      rows.appendChild(empty);
    }
    body.replaceChildren(rows);
    var workers = document.querySelector("[data-workers]");
    if (workers) {
      workers.textContent = data.workers.length ? data.workers.join(", ") : "none seen in the last minute";
    }
  }

  var jobs = document.querySelector("[data-jobs-url]");
  if (jobs) {
    poll(jobs, jobs.getAttribute("data-jobs-url"), function (data) { renderJobs(jobs, data); });
  }

  document.querySelectorAll("[data-watch-url]").forEach(function (watched) {
    var initial = watched.getAttribute("data-watch-state");
    poll(watched, watched.getAttribute("data-watch-url"), function (data) {
      if (data.state !== initial) { window.location.reload(); return; }
      var bar = watched.querySelector("progress");
      if (bar && typeof data.progress === "number") { bar.value = data.progress; }
      var text = watched.querySelector("[data-watch-text]");
      if (text && data.progress_text !== undefined) { text.textContent = data.progress_text; }
      var eta = watched.querySelector("[data-watch-eta]");
      if (eta && data.eta !== undefined) { eta.textContent = data.eta; }
    });
  });

  // Confirm destructive buttons (cancel) without inline handlers.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
