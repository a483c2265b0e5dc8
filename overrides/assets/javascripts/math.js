// Render $…$ and $$…$$ in paper text with the self-hosted KaTeX.
// Material's instant navigation swaps pages without reloading: document$ tells us.
// Folded abstracts hold most of the math and most of the text: they are rendered when
// opened, so a page of 100 papers is not walked node by node before it can be used.
(function () {
  var OPTIONS = {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
    ],
    throwOnError: false,
    trust: false,
  };

  function render(root, ignored) {
    if (!root || typeof renderMathInElement !== "function") return;
    renderMathInElement(root, Object.assign({ ignoredClasses: ignored }, OPTIONS));
  }

  // Only the visible text parts of cards that hold a delimiter: walking every node
  // of a 100-paper page costs a phone a noticeable moment for a handful of formulas.
  var MATH = /\$|\\\(/;

  function renderPage() {
    var parts = document.querySelectorAll(
      "article.md-content__inner .paper > h3, article.md-content__inner .paper > p, " +
        "article.md-content__inner li"
    );
    parts.forEach(function (part) {
      if (MATH.test(part.textContent)) render(part, ["paper-links"]);
    });
  }

  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.open || !details.classList || !details.classList.contains("abstract")) return;
    if (details.dataset.math) return;
    details.dataset.math = "done";
    render(details, []);
  }, true);

  if (typeof document$ !== "undefined") document$.subscribe(renderPage);
  else document.addEventListener("DOMContentLoaded", renderPage);
})();
