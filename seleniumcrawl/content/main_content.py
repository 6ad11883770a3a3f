"""Main content: the article body or documentation text of a page, without its chrome.

:func:`main_content` works on an lxml tree in four steps:

1. **Drop boilerplate** by what elements *are*: navigation, asides, forms and their
   controls, dialogs, site headers and footers (a header holding the page's ``<h1>`` is
   kept), hidden elements, ARIA landmarks of chrome (``navigation``, ``banner``,
   ``contentinfo``, ``complementary``, ``search``, ``dialog``...), and elements whose
   ``class``/``id`` name a kind of chrome (comments, share bars, related links, cookie
   and consent banners, newsletters, ads, bylines, breadcrumbs, sidebars, ratings and
   reviews, signatures...) unless the same name also says content: ``entry-header`` and
   ``post-body`` stay, ``entry-meta`` goes.
2. **Measure text blocks**: each run of inline text between block boundaries is one
   block; a block whose words are mostly link text is *link-like*, a block of at least
   five words (or a heading, list item, table cell, code block) is *text*.
3. **Pick the container** with the most text words net of link-like words
   (``text - link_like``), bottom-up in one pass: the smallest element that holds the
   article and little else.
4. **Tidy inside it**: link farms (tag lists, "related" paragraphs) go, in-page anchor
   links are unwrapped (``¶`` header links dropped), and the page's title is put first
   when the container does not hold it.

The rules name kinds of chrome found on most sites, never a particular site.
"""

from __future__ import annotations

import re
from typing import Any

# -- what an element is ----------------------------------------------------------------

_DROPPED_TAGS = frozenset(
    {
        "nav", "aside", "form", "button", "select", "input", "textarea", "label", "iframe",
        "dialog", "svg", "noscript", "script", "style", "template", "object", "embed",
        "canvas", "audio", "video", "menu", "footer", "option", "fieldset", "figcaption",
    }
)  # fmt: skip
#: Dropped whatever they hold; other chrome tags (``aside``, ``form``) wrap whole pages on
#: some sites and are kept when they hold half of the page's words.
_ALWAYS_DROPPED = frozenset(
    {"button", "select", "input", "textarea", "iframe", "svg", "noscript", "script", "style",
     "template", "object", "embed", "canvas", "audio", "video", "option"}
)  # fmt: skip
_CHROME_ROLES = frozenset(
    {
        "navigation", "banner", "contentinfo", "complementary", "search", "dialog",
        "alertdialog", "menu", "menubar", "toolbar", "tablist", "note", "region-ad",
    }
)  # fmt: skip
#: class/id words naming chrome, matched at the start of a word ("comment-list", "sharedaddy").
_CHROME_WORDS = re.compile(
    r"(?<![a-z])(?:comment|sidebar|cookie|consent|onetrust|gdpr|newsletter|subscri|related"
    r"|share|social|advert|sponsor|promo|breadcrumb|pagination|pager|signature|byline|widget|top-?stor"
    r"|popup|modal|banner|masthead|navbar|navigation|menu|toolbar|skip-?link|rating|review"
    r"|upsell|teaser|recommend|trending|most-?read|popular|disqus|outbrain|taboola|author-?(?:info|bio|box)"
    r"|postprofile|profile|back-?to-?top|back2top|similar|tags?-?(?:list|links|cloud)"
    r"|table-of-contents|edit-?this|last-?updated|post-?buttons|action-?bar|footer|colophon"
    r"|header-?bar|site-?header|classified|weather|ticker|kommentar|seitenfuss|werbung|anzeige)",
    re.IGNORECASE,
)
#: class/id tokens naming chrome that are too short to match inside other words.
_CHROME_TOKENS = frozenset(
    {
        "ad", "ads", "nav", "meta", "tags", "tools", "rail", "hdr", "ftr", "toc",
        "aside", "claps", "follow", "hide", "hidden", "sr", "only", "kicker", "usp",
        "price", "gallery", "thumb", "options", "poll", "online", "speechify", "author",
        "published", "sources", "alert",
    }
)  # fmt: skip
#: class/id words naming chrome even beside a content word ("wp-caption-text", "entry-utility").
_FORCED_CHROME = re.compile(
    r"(?<![a-z])(?:caption|credit|copyright|disclaimer|disclosure|dateline|postmeta"
    r"|entry-?utility|next-?story|next-?post|prev-?post|community-notice|saboxplugin|img-?meta"
    r"|image-?author)",
    re.IGNORECASE,
)
#: class/id tokens naming chrome on a small element only ("date" on a dateline, not on
#: Blogger's "date-outer" around a day's posts).
_SMALL_CHROME_TOKENS = frozenset({"date", "time", "legend", "infobox", "subline", "topline"})
_SMALL_WORDS = 15
#: class/id tokens that say "this is the content": they protect an element from the words above.
_CONTENT_TOKENS = frozenset(
    {
        "article", "body", "content", "entry", "main", "story", "text", "prose", "markdown",
        "contenido", "contenu", "conteudo", "contenuto", "inhalt", "artikel", "articulo", "texto",
    }
)  # fmt: skip
#: Class names that look like chrome words but name a layout: CSS utilities
#: ("overflow-hidden" hides nothing), page builders' wrappers ("elementor-widget-wrap",
#: "elementor-top-section") and Blogger's post list ("widget Blog").
_UTILITY = re.compile(
    r"\b(?:overflow|visually|text|sm|md|lg|xl)-(?:hidden|hide|only)\S*|\belementor-\S*"
    r"|\bwidget(?= Blog\b)",
    re.IGNORECASE,
)
_TOKEN_SPLIT = re.compile(r"[\s_-]+")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCK_LIKE_TEXT = _HEADINGS | {"li", "td", "th", "dt", "dd", "pre", "figcaption", "caption"}
_INLINE = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark",
        "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "img",
        "br", "wbr", "del", "ins", "font", "strike", "tt", "big",
    }
)  # fmt: skip
#: A block of fewer words is neither text nor link-like ("Posts: 12", "Advertisement").
MIN_TEXT_WORDS = 5
#: A container is narrowed to its child holding at least this share of its text words.
NARROW_SHARE = 0.85
#: A block (or, when tidying, a container) whose link words exceed this share is link-like.
LINK_DENSITY = 0.5


def main_content(root: Any, title: str | None = None) -> list[Any]:
    """The elements holding ``root``'s main content, in order (the title first if apart).

    ``root`` is an lxml element (a whole document or a fragment); it is modified in
    place. ``title`` is the page's ``<title>`` text, used to recognise the heading of
    a page whose title is not an ``<h1>``. An empty list means the page has no text.
    """
    _drop_chrome(root)
    scores: dict[Any, tuple[int, int]] = {}
    _measure(root, scores)
    if not scores:
        return []
    best = max(scores, key=lambda el: scores[el][0] - scores[el][1])
    if scores[best][0] <= scores[best][1]:
        return []
    heading = _title_element(root, title)
    best = _narrow(best, heading, scores)
    _tidy(best)
    if heading is None or _contains(best, heading):
        return [best]
    return [heading, best]


def _contains(ancestor: Any, el: Any) -> bool:
    return any(parent is ancestor for parent in el.iterancestors()) or el is ancestor


def _narrow(best: Any, heading: Any | None, scores: dict[Any, tuple[int, int]]) -> Any:
    """Descend into the child holding nearly all of ``best``'s text (and the title, when
    ``best`` holds it): a column of classified ads beside the article is not the article."""
    while True:
        text = scores[best][0]
        children = [c for c in best if c in scores]
        if not children:
            return best
        child = max(children, key=lambda c: scores[c][0])
        if scores[child][0] < NARROW_SHARE * text:
            return best
        if heading is not None and _contains(best, heading) and not _contains(child, heading):
            return best
        best = child


# -- step 1: chrome ----------------------------------------------------------------------


def _is_chrome(el: Any, tag: str) -> bool:
    if tag in _DROPPED_TAGS:
        return True
    if tag == "header":
        return not any(True for _ in el.iter("h1"))
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    role = el.get("role")
    if role and role.lower() in _CHROME_ROLES and tag not in ("main", "article"):
        return True
    names = _UTILITY.sub("", f"{el.get('class') or ''} {el.get('id') or ''}").strip()
    if not names or tag in ("body", "html", "main", "article"):
        return False
    if _FORCED_CHROME.search(names):
        return True
    tokens = {t.lower() for t in _TOKEN_SPLIT.split(names) if t}
    if tokens & _SMALL_CHROME_TOKENS and _inline_words(el)[0] < _SMALL_WORDS:
        return True
    if tokens & _CONTENT_TOKENS:
        return False
    return bool(tokens & _CHROME_TOKENS) or _CHROME_WORDS.search(names) is not None


def _drop_chrome(root: Any) -> None:
    """Remove chrome, outermost first. A class or role never removes half of the page's
    words: obfuscated class names ("ad" in "ac ad") must not take the article with them."""
    limit = _plain_chars(root) / 2
    doomed = []
    stack = [root]
    while stack:
        el = stack.pop()
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            tag = tag.lower()
            if tag in _ALWAYS_DROPPED or (_is_chrome(child, tag) and _plain_chars(child) <= limit):
                doomed.append(child)
            else:
                stack.append(child)
    for el in doomed:
        remove_keeping_tail(el)


def _plain_chars(el: Any) -> int:
    """Characters of ``el``'s text outside links, spaces left out (characters, not words:
    a Japanese paragraph is one "word"): how much of a page's text ``el`` holds."""
    return _chars(el) - sum(_chars(a) for a in el.iter("a") if a is not el)


def _chars(el: Any) -> int:
    return sum(len(t) - t.count(" ") - t.count("\n") for t in el.itertext())


def remove_keeping_tail(el: Any) -> None:
    """Remove an lxml element but keep its tail text in place (a detached one: nothing)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


# -- step 2 and 3: measuring ---------------------------------------------------------------


#: Scripts written without spaces between words (Chinese, Japanese; Korean for safety).
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _words(text: str | None) -> int:
    """Words of ``text``; in CJK text, one word per two characters (about a word's length)."""
    if not text:
        return 0
    words = len(text.split())
    if not text.isascii():
        words += len(_CJK.findall(text)) // 2
    return words


def _inline_words(el: Any) -> tuple[int, int]:
    """(words, words inside links) of an inline element and its descendants."""
    words = _words(el.text)
    links = 0
    for child in el:
        if isinstance(child.tag, str):
            w, lw = _inline_words(child)
            words += w
            links += lw
        words += _words(child.tail)
    if el.tag == "a":
        links = words
    return words, links


def _measure(el: Any, scores: dict[Any, tuple[int, int]]) -> tuple[int, int]:
    """(text words, link-like words) under ``el``, recorded for each element with text."""
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag == "pre":
        words = _words("".join(el.itertext()))
        scores[el] = (words, 0)
        return words, 0
    text, link_like = 0, 0
    direct, direct_links = _words(el.text), 0
    for child in el:
        child_tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if child_tag in _INLINE:
            w, lw = _inline_words(child)
            direct += w
            direct_links += lw
        elif child_tag:
            t, b = _measure(child, scores)
            text += t
            link_like += b
        direct += _words(child.tail)
    if direct:
        if direct_links > LINK_DENSITY * direct:
            link_like += direct
        elif direct >= MIN_TEXT_WORDS or tag in _BLOCK_LIKE_TEXT:
            text += direct
    if text:
        scores[el] = (text, link_like)
    return text, link_like


# -- step 4: tidying ------------------------------------------------------------------------


def _tidy(best: Any) -> None:
    for el in list(best.iter("ul", "ol", "p", "div", "section", "dl")):
        if el is best or el.getparent() is None:
            continue
        words, links = _inline_words(el)
        if words and links > LINK_DENSITY * words and not any(True for _ in el.iter("pre")):
            remove_keeping_tail(el)
    _drop_empty_sections(best)
    for anchor in list(best.iter("a")):
        href = (anchor.get("href") or "").strip()
        if href.startswith("#"):
            if re.search(r"\w", "".join(anchor.itertext())):
                _unwrap(anchor)
            else:
                remove_keeping_tail(anchor)


def _drop_empty_sections(best: Any) -> None:
    """Remove headings with no text under them ("Related articles" over the link list
    tidying removed): no words before the next heading of the same or a higher level."""
    events: list[tuple[int, Any]] = []  # (level, heading) or (0, words)

    def walk(el: Any) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in _HEADINGS:
            events.append((int(tag[1]), el))
        else:
            if isinstance(el.tag, str):
                events.append((0, _words(el.text)))
                for child in el:
                    walk(child)
        events.append((0, _words(el.tail)) if el is not best else (0, 0))

    walk(best)
    empty = []
    for i, (level, heading) in enumerate(events):
        if not level:
            continue
        words = 0
        for next_level, value in events[i + 1 :]:
            if next_level and next_level <= level:
                break
            if not next_level:
                words += value
                if words:
                    break
        if not words:
            empty.append(heading)
    for heading in empty:
        remove_keeping_tail(heading)


def _unwrap(el: Any) -> None:
    """Replace an element by its content (text, children, tail)."""
    parent = el.getparent()
    if parent is None:
        return
    index = parent.index(el)
    previous = el.getprevious()
    text = el.text or ""
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    children = list(el)
    last_tail = el.tail or ""
    parent.remove(el)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if children:
        children[-1].tail = (children[-1].tail or "") + last_tail
    elif last_tail:
        before = parent[index - 1] if index > 0 else None
        if before is not None:
            before.tail = (before.tail or "") + last_tail
        else:
            parent.text = (parent.text or "") + last_tail


def _title_element(root: Any, title: str | None) -> Any | None:
    """The page's title heading: its first ``<h1>``, else the element whose text is the
    ``<title>`` (or a part of it between separators), made an ``<h1>``."""
    for h1 in root.iter("h1"):
        if _words("".join(h1.itertext())):
            return h1
    if not title:
        return None
    wanted = {_norm(part) for part in re.split(r"\s+[|–—-]\s+", title) if len(part) > 8}
    for el in root.iter():
        named = isinstance(el.tag, str) and el.tag not in ("html", "body")
        if named and _norm("".join(el.itertext())) in wanted:
            for child in list(el):
                _unwrap(child)
            el.tag = "h1"
            return el
    return None


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


__all__ = ["LINK_DENSITY", "MIN_TEXT_WORDS", "main_content"]
