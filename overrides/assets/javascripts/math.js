// Render $…$ and $$…$$ in paper text with the self-hosted KaTeX, loaded only on a page
// that has math (it is the heaviest script of the site: 270 KB).
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
  var MATH = /\$|\\\(/;
  var katex = null;

  function script(path) {
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = new URL(path, window.__md_scope || location.href).href;
      tag.onload = resolve;
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }

  function loadKatex() {
    if (!katex) {
      katex = script("assets/katex/katex.min.js").then(function () {
        return script("assets/katex/contrib/auto-render.min.js");
      });
    }
    return katex;
  }

  function render(parts) {
    if (!parts.length) return;
    loadKatex().then(function () {
      parts.forEach(function (part) {
        renderMathInElement(part, Object.assign({ ignoredClasses: ["paper-links"] }, OPTIONS));
      });
    });
  }

  // Only the visible text parts of cards and list items that hold a delimiter.
  function renderPage() {
    var parts = document.querySelectorAll(
      "article.md-content__inner .paper > h3, article.md-content__inner .paper > p, " +
        "article.md-content__inner li"
    );
    render(Array.prototype.filter.call(parts, function (part) {
      return MATH.test(part.textContent);
    }));
  }

  // An English abstract still data-later is only a placeholder: digest/abstracts.js fills it and
  // sends "digest:abstract" when the text is there.
  function onAbstract(event) {
    var details = event.target;
    if (!details.open || !details.classList || !details.classList.contains("abstract")) return;
    if (details.dataset.math || details.hasAttribute("data-later")) return;
    details.dataset.math = "done";
    if (MATH.test(details.textContent)) render([details]);
  }

  document.addEventListener("toggle", onAbstract, true);
  document.addEventListener("digest:abstract", onAbstract);

  if (typeof document$ !== "undefined") document$.subscribe(renderPage);
  else document.addEventListener("DOMContentLoaded", renderPage);
})();
