import { formatMinutes } from '../../domain/deadlines';

// /assets/board.js: served from this origin (the CSP allows no inline script). Without it every page
// still shows everything and has a refresh link; with it, countdowns tick, the page's content is re-read
// every 30 seconds without a reload, and each deadline also shows in the browser's own time zone when it
// differs from the one the server wrote (a leader travelling reads their own wall clock).

// The countdown is worded by the server's own formatMinutes, its source sent as is, so a ticking cell
// never reads differently from the one the server wrote.
export const BOARD_SCRIPT = `'use strict';
(function () {
  var formatMinutes = ${formatMinutes.toString()};
  function left(due) {
    var ms = Date.parse(due) - Date.now();
    var text = formatMinutes(Math.floor(Math.abs(ms) / 60000));
    return ms <= 0 ? 'overdue by ' + text : text + ' left';
  }
  var viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  function wallClock(date, zone) {
    var parts = {};
    new Intl.DateTimeFormat('en-GB', {
      timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23'
    }).formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + '-' + parts.month + '-' + parts.day + ' ' + parts.hour + ':' + parts.minute;
  }
  function localTimes() {
    if (!viewerZone) return;
    document.querySelectorAll('time[data-zone]').forEach(function (el) {
      if (el.getAttribute('data-zone') === viewerZone || el.hasAttribute('data-local')) return;
      el.setAttribute('data-local', viewerZone);
      var local = document.createElement('span');
      local.className = 'viewer-time';
      local.textContent = wallClock(new Date(el.getAttribute('datetime')), viewerZone) + ' your time (' + viewerZone + ')';
      el.after(local);
      local.before(document.createElement('br'));
    });
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
        localTimes();
      })
      .catch(function () {});
  }
  localTimes();
  setInterval(tick, 30000);
  setInterval(refresh, 30000);
})();
`;
