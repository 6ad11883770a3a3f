// The commit list of /commits, rendered in the browser so a crawler has to run JavaScript.
// "Next" swaps the items only after a delay (300 ms, or ?delay=MS), the way a fetch would:
// a crawler that does not wait for the new items reads the old page again.
(function () {
  "use strict";
  var PAGES = 5;
  var PER_PAGE = 10;
  var AUTHORS = ["ada", "grace", "linus", "guido", "barbara"];
  var params = new URLSearchParams(window.location.search);
  var delay = Math.max(0, parseInt(params.get("delay") || "300", 10) || 0);
  var initialDelay = Math.max(0, parseInt(params.get("initial_delay") || "0", 10) || 0);
  var current = 0;
  var loading = false;

  // FNV-1a: a stable fake SHA per title, so links are the same on every visit.
  function fnv(text, seed) {
    var hash = (0x811c9dc5 ^ seed) >>> 0;
    for (var i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return ("00000000" + hash.toString(16)).slice(-8);
  }

  function sha(text) {
    var out = "";
    for (var seed = 0; seed < 5; seed++) out += fnv(text, seed);
    return out;
  }

  function commitsFor(page) {
    var base = Date.UTC(2024, 0, 31, 12, 0, 0);
    var commits = [];
    for (var i = 1; i <= PER_PAGE; i++) {
      var title = "Commit title " + page + "-" + i;
      var hoursAgo = (page - 1) * PER_PAGE + i;
      commits.push({
        title: title,
        author: AUTHORS[(page + i) % AUTHORS.length],
        datetime: new Date(base - hoursAgo * 3600 * 1000).toISOString(),
        sha: sha(title),
      });
    }
    return commits;
  }

  function element(tag, attrs, text) {
    var el = document.createElement(tag);
    Object.keys(attrs).forEach(function (key) { el.setAttribute(key, attrs[key]); });
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function render(page) {
    var list = document.getElementById("commit-list");
    var items = commitsFor(page).map(function (commit) {
      var li = element("li", {
        "class": "Box-sc-g0xbh4-0 commit-item",
        "data-page": String(page),
        "data-testid": "commit-row-item",
      });
      var h4 = element("h4", { "class": "markdown-title" });
      h4.appendChild(element("a", { "class": "commit-link", href: "/commit/" + commit.sha },
        commit.title));
      li.appendChild(h4);
      li.appendChild(element("span", { "class": "commit-author" }, commit.author));
      li.appendChild(document.createTextNode(" committed "));
      li.appendChild(element("relative-time", { datetime: commit.datetime }, commit.datetime));
      return li;
    });
    list.replaceChildren.apply(list, items);
    list.setAttribute("data-page", String(page));
    document.getElementById("page-number").textContent = String(page);
    current = page;
    if (page >= PAGES) {
      var next = document.getElementById("next");
      if (next) next.remove();
    }
  }

  document.getElementById("next").addEventListener("click", function (event) {
    event.preventDefault();
    if (loading || current >= PAGES) return;
    loading = true;
    window.setTimeout(function () {
      render(current + 1);
      loading = false;
    }, delay);
  });

  if (initialDelay > 0) {
    window.setTimeout(function () { render(1); }, initialDelay);
  } else {
    render(1);
  }
})();
