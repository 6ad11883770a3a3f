// Appends a batch of .feed-item elements each time the reader reaches the bottom, like a
// social feed. ?batch=N (10), ?max=N (100) and ?delay=MS (100) tune it; the cap keeps
// "scan the full page" crawls finite.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  function intParam(name, fallback) {
    var value = parseInt(params.get(name) || "", 10);
    return isNaN(value) || value < 0 ? fallback : value;
  }
  var batch = Math.max(1, intParam("batch", 10));
  var max = intParam("max", 100);
  var delay = intParam("delay", 100);
  var feed = document.getElementById("feed");
  var count = 0;
  var loading = false;

  function appendBatch() {
    var end = Math.min(count + batch, max);
    for (var n = count + 1; n <= end; n++) {
      var item = document.createElement("div");
      item.className = "feed-item";
      item.setAttribute("data-index", String(n));
      item.textContent = "Feed item " + n;
      feed.appendChild(item);
    }
    count = end;
    document.getElementById("item-count").textContent = String(count);
    if (count >= max) document.getElementById("feed-end").hidden = false;
  }

  function nearBottom() {
    return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 50;
  }

  function onScroll() {
    if (loading || count >= max || !nearBottom()) return;
    loading = true;
    window.setTimeout(function () {
      appendBatch();
      loading = false;
      onScroll();  // still at the bottom (a tall window): keep filling
    }, delay);
  }

  window.addEventListener("scroll", onScroll, { passive: true });
  appendBatch();
})();
