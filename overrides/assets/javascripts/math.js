// Render $…$ and $$…$$ in paper text with the self-hosted KaTeX.
// Material's instant navigation swaps pages without reloading: document$ tells us.
(function () {
  function renderMath() {
    var root = document.querySelector("article.md-content__inner");
    if (!root || typeof renderMathInElement !== "function") return;
    renderMathInElement(root, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "$", right: "$", display: false },
        { left: "\\(", right: "\\)", display: false },
      ],
      ignoredClasses: ["paper-authors", "paper-links", "paper-meta"],
      throwOnError: false,
      trust: false,
    });
  }
  if (typeof document$ !== "undefined") document$.subscribe(renderMath);
  else document.addEventListener("DOMContentLoaded", renderMath);
})();
