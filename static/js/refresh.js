/* The request page reloads itself while its checks run, until the verdict arrives, and the
   person can stop it (WCAG 2.2.1: a page must not change on a timer they cannot turn off, which
   a meta refresh cannot offer). Without JavaScript the page simply does not reload. */
"use strict";
(() => {
  const notice = document.querySelector("[data-refresh-seconds]");
  if (notice === null) {
    return;
  }
  const seconds = Number(notice.dataset.refreshSeconds);
  const timer = window.setTimeout(() => window.location.reload(), seconds * 1000);
  const stop = notice.querySelector("[data-refresh-stop]");
  const reload = notice.querySelector("[data-refresh-reload]");
  stop.hidden = false;
  stop.addEventListener("click", () => {
    window.clearTimeout(timer);
    stop.hidden = true;
    reload.hidden = false;
    reload.focus();
  });
})();
