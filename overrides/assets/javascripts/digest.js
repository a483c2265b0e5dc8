// The reader's side of the digest: language mode, search, favorites, BibTeX, "new" marks.
// Material's instant navigation swaps the page content without reloading, so
// page-level work runs on every document$ emission and clicks are delegated.
// Everything shown from a paper goes through textContent: it came from arXiv.
(function () {
  "use strict";

  var KEYS = { lang: "digest.lang", favorites: "digest.favorites", seen: "digest.seen" };
  var MODES = ["zh", "en", "both"];
  var PAGE_SIZE = 10;
  var ROOT = siteRoot();

  // -- storage: private mode or a full quota must never break reading ----------

  function read(key, fallback) {
    try {
      var raw = localStorage.getItem(key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return fallback;
    }
  }

  function write(key, value) {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* the page still works for this visit */ }
  }

  function siteRoot() {
    if (window.__md_scope) return new URL(".", window.__md_scope);
    var config = JSON.parse(document.getElementById("__config").textContent);
    return new URL(config.base.replace(/\/?$/, "/"), location.href);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // -- language: 中文 / English / 双语 --------------------------------------------

  function currentMode() {
    var mode = document.documentElement.dataset.digestLang;
    return MODES.indexOf(mode) >= 0 ? mode : "both";
  }

  function setMode(mode) {
    if (MODES.indexOf(mode) < 0) return;
    document.documentElement.dataset.digestLang = mode;
    try {
      localStorage.setItem(KEYS.lang, mode);
    } catch (e) { /* remembered for this page only */ }
    showMode();
  }

  function showMode() {
    var mode = currentMode();
    document.querySelectorAll("[data-digest-lang]").forEach(function (button) {
      if (button.tagName !== "BUTTON") return;
      button.setAttribute("aria-pressed", String(button.dataset.digestLang === mode));
    });
  }

  // -- header: the language menu and the search button --------------------------

  function installHeaderTools() {
    var template = document.getElementById("digest-header-tools");
    var header = document.querySelector(".md-header__inner");
    if (!template || !header || header.querySelector(".digest-lang")) return;
    var before = header.querySelector("[data-md-component=palette]") ||
      header.querySelector(".md-header__source");
    header.insertBefore(template.content.cloneNode(true), before);
    showMode();
  }

  // -- search (Pagefind, loaded on first use) ----------------------------------
  // One Pagefind bundle per quarter, listed newest first in the manifest the search
  // dialog names (generator/site/layout.py), each {id, label, bundle}: a query searches
  // the newest quarter, and older ones one at a time on request, so neither the
  // download nor the work of a first query grows with the archive.

  var UNAVAILABLE = "搜索索引不可用:运行 arxiv-digest build 生成 site/pagefind/。";
  var search = {
    periods: null, bundles: {}, period: 0, results: [], shown: 0, total: 0, query: "", dialog: null,
    manifest: null,
  };

  function periods() {
    if (!search.periods) {
      search.periods = fetch(search.manifest).then(function (response) {
        if (!response.ok) throw new Error("no search index");
        return response.json();
      });
    }
    return search.periods;
  }

  function bundle(period) {
    if (!search.bundles[period.id]) {
      var url = new URL(period.bundle, search.manifest).href;
      search.bundles[period.id] = import(url).then(function (pagefind) {
        return pagefind.options({ baseUrl: ROOT.pathname, excerptLength: 24 }).then(function () {
          pagefind.init();
          return pagefind;
        });
      });
    }
    return search.bundles[period.id];
  }

  function openSearch() {
    var dialog = search.dialog;
    if (!dialog || dialog.open) return;
    dialog.showModal();
    var input = dialog.querySelector("input");
    input.focus();
    input.select();
    periods().then(function (list) { return list.length ? bundle(list[0]) : null; })
      .catch(function () { status(UNAVAILABLE); });
  }

  function status(text) {
    search.dialog.querySelector(".digest-search__status").textContent = text;
  }

  function moreButton() {
    return search.dialog.querySelector(".digest-search__more");
  }

  function runSearch(query) {
    search.query = query;
    search.period = 0;
    search.total = 0;
    search.dialog.querySelector(".digest-search__results").replaceChildren();
    moreButton().hidden = true;
    if (!query.trim()) {
      status("");
      return;
    }
    searchPeriod(query, 200);
  }

  function searchPeriod(query, debounce) {
    var period;
    periods().then(function (list) {
      period = list[search.period];
      if (period === undefined) return null;
      return bundle(period).then(function (pagefind) {
        return pagefind.debouncedSearch(segmented(query), {}, debounce);
      });
    }).then(function (found) {
      if (found === null || found === undefined || query !== search.query) return; // superseded
      search.results = found.results;
      search.shown = 0;
      search.total += found.results.length;
      if (search.period > 0 && found.results.length) {
        search.dialog.querySelector(".digest-search__results")
          .appendChild(el("li", "digest-search__period", period.label));
      }
      return periods().then(function (list) {
        var older = list.slice(search.period + 1);
        var span = period.label + (search.period ? "至今" : "");
        status(search.total
          ? "找到 " + search.total + " 篇(" + span + ")"
          : span + "没有找到" + (older.length ? ",正在搜索 " + older[0].label + "…" : ""));
        if (!found.results.length && older.length) { // nothing in this quarter: look further back
          search.period += 1;
          return searchPeriod(query, 0);
        }
        return showMore();
      });
    }).catch(function () { status(UNAVAILABLE); });
  }

  // Pagefind splits Chinese into words when indexing but not in the browser, so a
  // query like 越狱攻击 would look for one long word. The browser's own segmenter
  // splits it into the words the index holds (越狱 攻击); other text passes as typed.
  var segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter("zh", { granularity: "word" }) : null;

  function segmented(query) {
    if (!segmenter) return query;
    return query.replace(/[\u3400-\u9fff\uf900-\ufaff]+/g, function (run) {
      var words = [];
      for (var part of segmenter.segment(run)) if (part.isWordLike) words.push(part.segment);
      return " " + words.join(" ") + " ";
    }).trim();
  }

  function showMore() {
    var page = search.results.slice(search.shown, search.shown + PAGE_SIZE);
    search.shown += page.length;
    var query = search.query;
    return Promise.all(page.map(function (result) { return result.data(); }))
      .then(function (items) {
        if (query !== search.query) return;
        var list = search.dialog.querySelector(".digest-search__results");
        items.forEach(function (item) { list.appendChild(resultItem(item)); });
        return periods();
      }).then(function (list) {
        if (!list || query !== search.query) return;
        var button = moreButton();
        var next = list[search.period + 1];
        button.hidden = search.shown >= search.results.length && next === undefined;
        button.textContent = search.shown < search.results.length ? "更多结果" : "搜索 " + (next && next.label);
      });
  }

  function onMore() {
    if (search.shown < search.results.length) {
      showMore();
    } else {
      search.period += 1;
      moreButton().hidden = true;
      searchPeriod(search.query, 0);
    }
  }

  function resultItem(item) {
    var meta = item.meta || {};
    var li = el("li", "digest-result");
    var link = el("a", "digest-result__link");
    link.href = new URL(meta.link || item.url, ROOT).href;
    if (meta.title_zh) link.appendChild(el("span", "digest-result__title-zh l-zh", meta.title_zh));
    link.appendChild(el("span", "digest-result__title" + (meta.title_zh ? " l-en" : ""), meta.title));
    li.appendChild(link);
    li.appendChild(el("p", "digest-result__meta", [meta.date, meta.topic].filter(Boolean).join(" · ")));
    li.appendChild(excerpt(item.excerpt || ""));
    return li;
  }

  // Pagefind's excerpt is HTML with <mark>; keep the marks, turn everything else to text.
  function excerpt(html) {
    var out = el("p", "digest-result__excerpt");
    var parsed = new DOMParser().parseFromString("<body>" + html, "text/html");
    parsed.body.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") out.appendChild(el("mark", "", node.textContent));
      else out.appendChild(document.createTextNode(node.textContent));
    });
    return out;
  }

  function isTyping(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function onKey(event) {
    // Material's own search keys (/ s f) and the common Ctrl+K.
    var plain = !event.ctrlKey && !event.metaKey && !event.altKey;
    var shortcut = (plain && ["/", "s", "f"].indexOf(event.key) >= 0) ||
      ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k");
    if (shortcut && !isTyping(event.target) && search.dialog && !search.dialog.open) {
      event.preventDefault();
      event.stopPropagation(); // Material's own search shortcut would open nothing
      openSearch();
    } else if (event.key === "Escape" && search.dialog && search.dialog.open) {
      // Chromium's first Escape in a filled search box only clears it: close at once.
      event.preventDefault();
      event.stopPropagation();
      search.dialog.close();
    } else if (event.key === "Enter" && search.dialog && search.dialog.open &&
               event.target.classList.contains("digest-search__input")) {
      event.preventDefault();
      var first = search.dialog.querySelector(".digest-result__link");
      if (first) first.click();
    }
  }

  function installSearch() {
    search.dialog = document.querySelector("dialog.digest-search");
    if (!search.dialog) return;
    search.manifest = new URL(search.dialog.dataset.manifest, location.href); // as the first page linked it
    var input = search.dialog.querySelector("input");
    input.addEventListener("input", function () { runSearch(input.value); });
    moreButton().addEventListener("click", onMore);
    search.dialog.addEventListener("click", function (event) {
      if (event.target === search.dialog) search.dialog.close(); // the backdrop
      else if (event.target.closest(".digest-result__link")) search.dialog.close();
    });
    window.addEventListener("keydown", onKey, true);
  }

  // -- clipboard ---------------------------------------------------------------

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var area = el("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand("copy");
    area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function flash(button, text) {
    var before = button.dataset.label || button.textContent;
    button.dataset.label = before;
    button.textContent = text;
    setTimeout(function () { button.textContent = before; }, 1500);
  }

  // -- BibTeX: arXiv's @misc style, built from the card ---------------------------
  // The button carries the key, year and primary category (render/bibtex.py); the
  // title and authors are the card's own text, as arXiv gave them.

  var BRACE_NAMES = { "{": "\\textbraceleft{}", "}": "\\textbraceright{}" };

  function bibtexOf(card) {
    var button = card.querySelector(".paper-bibtex");
    var fields = [
      ["title", titleOf(card)],
      ["author", authorsOf(card).map(function (name) {
        return /\band\b/i.test(name) ? "{" + name + "}" : name; // "and" would split it
      }).join(" and ")],
      ["year", button.dataset.year],
      ["eprint", card.id], // a citation names the paper; arXiv serves its latest version
      ["archivePrefix", "arXiv"],
      ["primaryClass", button.dataset.class],
      ["url", "https://arxiv.org/abs/" + card.id],
      ["doi", button.dataset.doi],
      ["note", button.dataset.note],
    ];
    var body = fields.filter(function (field) { return field[1]; }).map(function (field) {
      return "  " + field[0] + " = {" + bibValue(field[1]) + "}";
    });
    return "@misc{" + button.dataset.key + ",\n" + body.join(",\n") + "\n}";
  }

  // The title as arXiv gave it: math.js keeps the TeX source before KaTeX replaces it.
  function titleOf(card) {
    var title = card.querySelector(".paper-title");
    return (title.dataset.source || title.textContent).trim();
  }

  // The card lists the first authors as text, the rest as text inside <details>.
  function authorsOf(card) {
    var box = card.querySelector(".paper-authors");
    var more = box && box.querySelector(".more-authors");
    var text = [box, more].filter(Boolean).map(ownText).filter(Boolean).join(", ");
    return text ? text.split(", ") : [];
  }

  function ownText(node) {
    return Array.prototype.filter.call(node.childNodes, function (child) {
      return child.nodeType === Node.TEXT_NODE;
    }).map(function (child) { return child.textContent; }).join("").trim();
  }

  // A value BibTeX and LaTeX both accept: braces balanced, & % # escaped.
  function bibValue(text) {
    text = text.split(/\s+/).filter(Boolean).join(" ");
    if (!balanced(text)) { // BibTeX counts every brace, escaped or not
      text = text.replace(/\\?([{}])/g, function (_, brace) { return BRACE_NAMES[brace]; });
    }
    return text.replace(/(\\?)([&%#])/g, function (all, slash, char) {
      return slash ? all : "\\" + char;
    });
  }

  function balanced(text) {
    var depth = 0;
    for (var i = 0; i < text.length && depth >= 0; i++) {
      if (text[i] === "{") depth++;
      else if (text[i] === "}") depth--;
    }
    return depth === 0;
  }

  window.arxivDigest = { bibtex: bibtexOf }; // for tests/test_bibtex.py

  // -- English abstracts, loaded when first opened ------------------------------
  // A topic page leaves the English abstract of every translated paper to the
  // abstracts.json its paper lists name (render/pages.py): the first one opened loads
  // them all, so later ones open at once and in-page find sees them. math.js renders
  // their math on the "digest:abstract" event.

  var abstracts = {}; // url → promise of {id: English abstract}

  function englishAbstracts(url) {
    if (!abstracts[url]) {
      abstracts[url] = fetch(url).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
      abstracts[url].catch(function () { delete abstracts[url]; }); // the next opening retries
    }
    return abstracts[url];
  }

  function onAbstractOpened(event) {
    var details = event.target;
    if (!details.open || !details.matches || !details.matches("details.abstract[data-later]")) return;
    var list = details.closest("[data-abstracts]");
    if (!list) return;
    var url = new URL(list.dataset.abstracts, location.href).href;
    var link = details.querySelector("p a"); // to arXiv, until the text is here
    if (link) {
      link.dataset.label = link.dataset.label || link.textContent;
      link.textContent = "正在加载英文摘要…";
    }
    englishAbstracts(url).then(function (texts) {
      document.querySelectorAll("[data-abstracts] details.abstract[data-later]").forEach(function (later) {
        var card = later.closest("article.paper");
        var text = card && texts[card.id];
        if (typeof text !== "string") return;
        later.querySelector("p").replaceChildren(document.createTextNode(text));
        later.removeAttribute("data-later");
        if (later.open) later.dispatchEvent(new Event("digest:abstract", { bubbles: true }));
      });
      if (link && details.hasAttribute("data-later")) link.textContent = link.dataset.label; // not in it
    }).catch(function () {
      if (link) link.textContent = "英文摘要未能加载,在 arXiv 阅读";
    });
  }

  // -- favorites -------------------------------------------------------------

  function favorites() {
    var list = read(KEYS.favorites, []);
    return Array.isArray(list) ? list.filter(function (f) { return f && typeof f.id === "string"; }) : [];
  }

  function paperOf(card) {
    var zh = card.querySelector(".paper-title-zh");
    var page = location.pathname.indexOf(ROOT.pathname) === 0
      ? location.pathname.slice(ROOT.pathname.length) : location.pathname;
    return {
      id: card.id,
      title: titleOf(card),
      title_zh: zh ? zh.textContent.trim() : null,
      date: card.dataset.date,
      link: page + "#" + card.id,
      bibtex: bibtexOf(card),
    };
  }

  function toggleFavorite(card) {
    var list = favorites();
    var at = list.findIndex(function (f) { return f.id === card.id; });
    if (at >= 0) list.splice(at, 1);
    else list.unshift(paperOf(card));
    write(KEYS.favorites, list);
    showStars();
  }

  function showStars() {
    var ids = new Set(favorites().map(function (f) { return f.id; }));
    document.querySelectorAll("article.paper").forEach(function (card) {
      var star = card.querySelector(".paper-star");
      var on = ids.has(card.id);
      star.setAttribute("aria-pressed", String(on));
      star.textContent = on ? "★" : "☆";
      star.title = on ? "取消收藏" : "收藏";
    });
  }

  function allBibtex() {
    return favorites().map(function (f) { return f.bibtex; }).filter(Boolean).join("\n\n") + "\n";
  }

  function showFavoritesPage() {
    var box = document.getElementById("digest-favorites");
    if (!box) return;
    var list = favorites();
    var ol = box.querySelector(".favorites-list");
    ol.replaceChildren();
    box.querySelector(".favorites-actions").hidden = list.length === 0;
    list.forEach(function (f) {
      var li = el("li", "favorite");
      li.dataset.id = f.id;
      var link = el("a", "favorite__link");
      link.href = new URL(f.link, ROOT).href;
      if (f.title_zh) link.appendChild(el("span", "l-zh favorite__title-zh", f.title_zh));
      link.appendChild(el("span", "favorite__title" + (f.title_zh ? " l-en" : ""), f.title));
      li.appendChild(link);
      li.appendChild(el("span", "favorite__meta", "arXiv:" + f.id + " · " + (f.date || "")));
      var remove = el("button", "favorite__remove", "移除");
      remove.type = "button";
      remove.dataset.action = "remove";
      li.appendChild(remove);
      ol.appendChild(li);
    });
  }

  function onFavoritesAction(button) {
    var action = button.dataset.action;
    if (action === "copy-bibtex") {
      copy(allBibtex()).then(function () { flash(button, "已复制"); });
    } else if (action === "download-bibtex") {
      var link = el("a");
      link.href = URL.createObjectURL(new Blob([allBibtex()], { type: "application/x-bibtex" }));
      link.download = "favorites.bib";
      document.body.appendChild(link);
      link.click();
      link.remove();
    } else if (action === "clear") {
      if (confirm("清空全部收藏?")) write(KEYS.favorites, []);
    } else if (action === "remove") {
      var id = button.closest("li").dataset.id;
      write(KEYS.favorites, favorites().filter(function (f) { return f.id !== id; }));
    }
    showFavoritesPage();
  }

  // -- "new since your last visit" ---------------------------------------------

  // The newest day this reader had seen before this visit: fixed for the whole
  // visit (sessionStorage), so marks do not vanish when coming back to a page.
  function seenBefore() {
    try {
      var baseline = sessionStorage.getItem(KEYS.seen);
      if (baseline === null) {
        baseline = read(KEYS.seen, "");
        sessionStorage.setItem(KEYS.seen, baseline);
      }
      return baseline;
    } catch (e) {
      return "";
    }
  }

  function markNew() {
    var baseline = seenBefore();
    var newest = read(KEYS.seen, "");
    document.querySelectorAll(".md-content [data-date]").forEach(function (item) {
      var date = item.dataset.date;
      item.classList.toggle("is-new", baseline !== "" && date > baseline);
      if (date > newest) newest = date;
    });
    write(KEYS.seen, newest);
  }

  // -- wiring ------------------------------------------------------------------

  document.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target) return;
    if (target.matches("[data-digest-lang]")) {
      setMode(target.dataset.digestLang);
      target.blur();
    } else if (target.matches(".digest-search-open")) {
      openSearch();
    } else if (target.matches(".paper-star")) {
      toggleFavorite(target.closest("article.paper"));
    } else if (target.matches(".paper-bibtex")) {
      copy(bibtexOf(target.closest("article.paper"))).then(
        function () { flash(target, "已复制"); },
        function () { flash(target, "复制失败"); }
      );
    } else if (target.closest("#digest-favorites") && target.dataset.action) {
      onFavoritesAction(target);
    }
  });

  function onPage() {
    showStars();
    showFavoritesPage();
    markNew();
  }

  document.addEventListener("toggle", onAbstractOpened, true); // toggle does not bubble
  installHeaderTools();
  installSearch();
  if (typeof document$ !== "undefined") document$.subscribe(onPage);
  else onPage();
})();
