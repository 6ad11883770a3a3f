// Renders the article after load, so its text exists only in the live DOM (like an SPA).
(function () {
  "use strict";
  const story = {
    title: "How the tide gauge works",
    paragraphs: [
      "The tide gauge at the end of the east pier measures the height of the sea every minute and has done so, in one form or another, since 1911.",
      "Inside the stilling well, a vertical pipe open to the sea at the bottom, the water rises and falls smoothly while the waves outside are damped out.",
    ],
    steps: [
      "A radar sensor above the well measures the distance to the water surface.",
      "The logger converts that distance into a height above chart datum.",
      "Every ten minutes the readings are sent to the harbour office.",
    ],
    code: "height = datum_offset - distance_to_surface\nprint(f\"{height:.2f} m\")",
    table: [["Reading", "Height"], ["High water", "5.42 m"], ["Low water", "0.61 m"]],
    closing: "Anyone can read the live numbers on the noticeboard outside the harbour office, where they are updated every ten minutes.",
  };
  function el(tag, text) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function render() {
    const article = document.getElementById("story");
    article.textContent = "";
    article.appendChild(el("h1", story.title));
    story.paragraphs.forEach((p) => article.appendChild(el("p", p)));
    article.appendChild(el("h2", "From sensor to noticeboard"));
    const list = el("ol");
    story.steps.forEach((s) => list.appendChild(el("li", s)));
    article.appendChild(list);
    const pre = el("pre");
    const code = el("code", story.code);
    code.className = "language-python";
    pre.appendChild(code);
    article.appendChild(pre);
    const table = el("table");
    story.table.forEach((row, i) => {
      const tr = el("tr");
      row.forEach((cell) => tr.appendChild(el(i === 0 ? "th" : "td", cell)));
      table.appendChild(tr);
    });
    article.appendChild(table);
    article.appendChild(el("p", story.closing));
    article.dataset.rendered = "true";
  }
  setTimeout(render, 150);
})();
