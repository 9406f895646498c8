// /assets/board.js: served from this origin (the CSP allows no inline script). Without it every page
// still shows everything and has a refresh link; with it, countdowns tick and the page's content is
// re-read every 30 seconds without a reload.

export const BOARD_SCRIPT = `'use strict';
(function () {
  function left(due) {
    var ms = Date.parse(due) - Date.now();
    var late = ms <= 0;
    var min = Math.floor(Math.abs(ms) / 60000);
    var text = (min >= 60 ? Math.floor(min / 60) + ' h ' : '') + (min % 60) + ' min';
    return late ? 'overdue by ' + text : text + ' left';
  }
  function tick() {
    document.querySelectorAll('td[data-due]').forEach(function (cell) {
      cell.textContent = left(cell.getAttribute('data-due'));
    });
  }
  function refresh() {
    fetch(location.pathname, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (!text) return;
        var next = new DOMParser().parseFromString(text, 'text/html').querySelector('main');
        var main = document.querySelector('main');
        if (next && main) main.replaceChildren.apply(main, Array.from(next.childNodes));
        tick();
      })
      .catch(function () {});
  }
  setInterval(tick, 30000);
  setInterval(refresh, 30000);
})();
`;
