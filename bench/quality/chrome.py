# ruff: noqa: E501  (page chrome is long HTML strings; wrapping them hides the markup)
"""Site chrome for the quality set: what real pages put around their main text.

Ten imitated sites, each after a common kind of real site: two newspapers (one with
semantic HTML, one of nested divs), a WordPress-style blog, a Medium-style blog, a
Sphinx documentation page, an mdBook chapter, a Docusaurus page, a shop's product
page, a forum thread, and a news site behind a consent-manager cookie banner. The
noise is deliberately substantial (long comments, teasers with full sentences, legal
footers, cookie texts), since an extractor that keeps it must lose precision.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

POST_MARK = "\x00POST:"

# -- shared pieces of noise ---------------------------------------------------------

_COMMENTS = [
    (
        "kestrel_77",
        "I have been saying this for years and nobody listened. Glad someone finally wrote it down properly, although I think the piece is a bit too kind to the people who caused the mess in the first place.",
    ),
    (
        "Margaret H.",
        "Thanks for this. My neighbour works in the industry and she tells me the reality on the ground is very different from what the press releases say. Would love a follow-up that talks to the workers themselves.",
    ),
    (
        "dj_rivera",
        "Interesting read, but the numbers in the third paragraph do not add up for me. Can you link the original source? I looked on the website and could only find last year's report.",
    ),
    (
        "Otto",
        "Same thing happened in our town in 2019. The council promised a review, the review took two years, and in the end nothing changed except the name of the department.",
    ),
    (
        "bluehour",
        "Bookmarked. This is the kind of explainer I can send to my parents when they ask me what is going on.",
    ),
    (
        "Pradeep S",
        "Respectfully disagree with the conclusion. The trade-off described here is real but the author ignores the cost of doing nothing, which in my experience is always higher than people expect.",
    ),
    (
        "nora.k",
        "Does anyone know whether the changes apply to people who signed up before the deadline? The official page is confusing and the phone line just plays music for forty minutes.",
    ),
    (
        "TheRealGraham",
        "Great photos as always. The one of the harbour at dawn should be on a postcard.",
    ),
]

_TEASERS = [
    (
        "Council approves budget after late-night session",
        "Councillors voted eleven to four to pass the spending plan, which includes a freeze on parking charges and new money for libraries.",
    ),
    (
        "Five things to know before the long weekend",
        "Road closures, ferry timetables and where to find an open pharmacy: our guide to the holiday.",
    ),
    (
        "Local bakery wins national sourdough prize",
        "The family-run shop on Quay Street beat two hundred entrants with a loaf made from a starter kept alive since 1987.",
    ),
    (
        "Opinion: Our buses deserve better than this",
        "Every winter the same routes are cut and every spring we are told lessons have been learned.",
    ),
    (
        "Weather: storm warning extended to Sunday",
        "Gusts of up to ninety kilometres an hour are expected along the coast, the met office said.",
    ),
    (
        "Schools report record exam entries",
        "More pupils than ever sat the science papers this year, according to figures released on Thursday.",
    ),
    (
        "Harbour redevelopment: what happens next",
        "The planning inquiry resumes next month with evidence from residents and the port authority.",
    ),
]

_NEWS_SECTIONS = [
    "Home",
    "News",
    "Local",
    "World",
    "Business",
    "Politics",
    "Sport",
    "Culture",
    "Opinion",
    "Travel",
    "Obituaries",
    "Puzzles",
    "Subscribe",
]


def _nav_list(items: list[str], cls: str = "", href: str = "/section/") -> str:
    lis = "".join(
        f'<li><a href="{href}{i.lower().replace(" ", "-")}">{html.escape(i)}</a></li>'
        for i in items
    )
    return f'<ul class="{cls}">{lis}</ul>'


def _pick(seq: list, index: int, n: int) -> list:  # type: ignore[type-arg]
    return [seq[(index * 3 + k) % len(seq)] for k in range(n)]


def _comments_section(index: int, n: int = 4) -> str:
    items = "".join(
        f'<li class="comment"><div class="comment-author"><img src="/avatars/{k}.png" alt=""> '
        f'<b class="fn">{html.escape(name)}</b> <time>{k + 2} hours ago</time></div>'
        f'<div class="comment-content"><p>{html.escape(text)}</p></div>'
        f'<div class="reply"><a href="#reply">Reply</a> · <a href="#report">Report</a></div></li>'
        for k, (name, text) in enumerate(_pick(_COMMENTS, index, n))
    )
    return (
        f'<section id="comments" class="comments-area"><h2 class="comments-title">{n} comments</h2>'
        f'<ol class="comment-list">{items}</ol>'
        '<div id="respond"><h3>Leave a comment</h3><form><textarea name="c"></textarea>'
        '<p class="comment-notes">Your email address will not be published. Required fields are marked *</p>'
        "<button>Post comment</button></form></div></section>"
    )


def _teasers(index: int, n: int, heading: str, cls: str) -> str:
    items = "".join(
        f'<li><a href="/news/{index * 10 + k}"><h4>{html.escape(t)}</h4></a><p>{html.escape(s)}</p></li>'
        for k, (t, s) in enumerate(_pick(_TEASERS, index, n))
    )
    return f'<div class="{cls}"><h3>{heading}</h3><ul>{items}</ul></div>'


def _head(title: str, site: str, extra: str = "") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} | {site}</title>"
        f'<meta name="description" content="{html.escape(title)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="/static/main.css">'
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}</script>"
        f"{extra}</head>\n"
    )


# -- block styles -------------------------------------------------------------------


class Style:
    """How a site writes headings, paragraphs, notes, code and figures."""

    def heading(self, level: int, text: str) -> str:
        return f"<h{level}>{text}</h{level}>"

    def paragraph(self, text: str) -> str:
        return f"<p>{text}</p>"

    def note(self, text: str) -> str:
        return f'<div class="note"><p><strong>Note:</strong> {text}</p></div>'

    def code(self, lang: str, code: str) -> str:
        return f'<pre><code class="language-{lang}">{html.escape(code)}</code></pre>'

    def figure(self, alt: str, src: str) -> str:
        return f'<figure><img src="{src}" alt="{alt}"><figcaption>{alt}</figcaption></figure>'


class DivStyle(Style):
    """Old CMS: paragraphs as divs with line breaks, headings as bold divs."""

    def heading(self, level: int, text: str) -> str:
        return f'<div class="subhead"><b>{text}</b></div>'

    def paragraph(self, text: str) -> str:
        return f'<div class="para">{text}<br></div>'


class SphinxStyle(Style):
    def heading(self, level: int, text: str) -> str:
        anchor = "".join(c for c in text.lower() if c.isalnum() or c == " ").replace(" ", "-")
        return (
            f'<h{level}>{text}<a class="headerlink" href="#{anchor}" '
            f'title="Link to this heading">¶</a></h{level}>'
        )

    def note(self, text: str) -> str:
        return (
            f'<div class="admonition note"><p class="admonition-title">Note</p><p>{text}</p></div>'
        )

    def code(self, lang: str, code: str) -> str:
        lines = "\n".join(
            f'<span class="n">{html.escape(line)}</span>' if line else ""
            for line in code.split("\n")
        )
        return (
            f'<div class="highlight-{lang} notranslate"><div class="highlight"><pre>'
            f"<span></span>{lines}\n</pre></div></div>"
        )


class MdBookStyle(Style):
    def heading(self, level: int, text: str) -> str:
        anchor = "".join(c for c in text.lower() if c.isalnum() or c == " ").replace(" ", "-")
        return f'<h{level} id="{anchor}"><a class="header" href="#{anchor}">{text}</a></h{level}>'

    def code(self, lang: str, code: str) -> str:
        return (
            f'<pre class="playground"><code class="language-{lang} hljs">{html.escape(code)}'
            "</code></pre>"
        )

    def note(self, text: str) -> str:
        return f"<blockquote><p><strong>Note</strong>: {text}</p></blockquote>"


class DocusaurusStyle(Style):
    def heading(self, level: int, text: str) -> str:
        anchor = "".join(c for c in text.lower() if c.isalnum() or c == " ").replace(" ", "-")
        return (
            f'<h{level} class="anchor anchorWithStickyNavbar" id="{anchor}">{text}'
            f'<a href="#{anchor}" class="hash-link" aria-label="Direct link to {anchor}" '
            f'title="Direct link to {anchor}">\u200b</a></h{level}>'
        )

    def note(self, text: str) -> str:
        return (
            '<div class="theme-admonition theme-admonition-tip alert alert--success">'
            '<div class="admonitionHeading"><span class="admonitionIcon"><svg viewBox="0 0 12 16">'
            '<path d="M6.5 0"></path></svg></span>tip</div>'
            f'<div class="admonitionContent"><p>{text}</p></div></div>'
        )

    def code(self, lang: str, code: str) -> str:
        lines = "".join(
            f'<span class="token-line"><span class="token plain">{html.escape(line)}</span>\n</span>'
            for line in code.split("\n")
        )
        return (
            f'<div class="language-{lang} codeBlockContainer theme-code-block">'
            f'<div class="codeBlockContent"><pre tabindex="0" class="prism-code language-{lang}">'
            f'<code class="codeBlockLines">{lines}</code></pre>'
            '<div class="buttonGroup"><button type="button" aria-label="Copy code to clipboard" '
            'title="Copy" class="clean-btn">Copy</button></div></div></div>'
        )


class MediumStyle(Style):
    def heading(self, level: int, text: str) -> str:
        return f'<h{level} class="pw-post-title-{level} xh xi bf">{text}</h{level}>'

    def paragraph(self, text: str) -> str:
        return f'<p class="pw-post-body-paragraph lz ma fr mb b mc md me mf">{text}</p>'


STYLES: dict[str, Style] = {
    "gazette": Style(),
    "northwind": DivStyle(),
    "blog": Style(),
    "medium": MediumStyle(),
    "sphinx": SphinxStyle(),
    "mdbook": MdBookStyle(),
    "docusaurus": DocusaurusStyle(),
    "shop": Style(),
    "forum": Style(),
    "consent": Style(),
}


def _with_inserts(blocks: list[str], inserts: dict[int, str]) -> str:
    """The blocks with noise boxes inserted after the given paragraph positions."""
    out = []
    for k, block in enumerate(blocks):
        out.append(block)
        if k + 1 in inserts and k + 1 < len(blocks):
            out.append(inserts[k + 1])
    return "\n".join(out)


# -- sites --------------------------------------------------------------------------


def gazette(meta: dict[str, str], blocks: list[str], index: int) -> str:
    """A newspaper with semantic HTML: article, aside, inline 'read more' and ads."""
    title = html.escape(meta["title"])
    read_more = (
        '<aside class="read-more"><span>Read more:</span> '
        f'<a href="/news/related-{index}">{html.escape(_TEASERS[index % 7][0])}</a></aside>'
    )
    ad = '<div class="ad-slot ad-mpu"><span class="ad-label">Advertisement</span><div id="div-gpt-ad-2"></div></div>'
    body = _with_inserts(blocks, {2: read_more, 4: ad})
    return (
        _head(meta["title"], "The Harbour Gazette") + '<body class="article-page">'
        '<a class="skip-link" href="#main">Skip to main content</a>'
        '<div class="top-bar"><span>Thursday 14 November 2024</span> <a href="/subscribe">Subscribe from £1 a week</a> '
        '<a href="/login">Sign in</a></div>'
        '<header class="masthead"><a href="/" class="logo"><img src="/logo.svg" alt="The Harbour Gazette"></a>'
        f'<nav class="primary-nav" aria-label="Sections">{_nav_list(_NEWS_SECTIONS, "nav-list")}</nav>'
        '<div class="ticker"><strong>Breaking:</strong> <a href="/news/ferry">Ferry services suspended as storm approaches the coast</a></div></header>'
        '<div class="layout"><main id="main"><article class="story">'
        f'<nav class="breadcrumbs"><a href="/">Home</a> › <a href="/news">News</a> › <a href="/news/local">Local</a></nav>'
        f'<h1 class="headline">{title}</h1>'
        + (
            f'<p class="standfirst">{html.escape(meta["standfirst"])}</p>'
            if meta.get("standfirst")
            else ""
        )
        + f'<div class="byline">By <a href="/authors/{index}" rel="author">{html.escape(meta.get("byline", "Staff reporter"))}</a> · '
        '<time datetime="2024-11-14T07:00">14 November 2024, 7.00am</time> · 4 min read</div>'
        '<div class="share-bar"><a href="#share-fb">Share on Facebook</a><a href="#share-x">Share on X</a>'
        '<a href="#share-mail">Email</a><button>Copy link</button></div>'
        f'<div class="story-body">{body}</div>'
        f'<div class="tags">Topics: <a href="/topic/local">Local</a> <a href="/topic/council">Council</a> <a href="/topic/{index}">Community</a></div>'
        '<div class="newsletter"><h3>Get the morning briefing</h3><p>The day\'s top stories, delivered to your inbox every weekday at 6am.</p>'
        '<form><input type="email" placeholder="Your email"><button>Sign up</button></form></div>'
        "</article>" + _comments_section(index, 3) + "</main>"
        '<aside class="sidebar">'
        + _teasers(index, 5, "Most read", "most-read")
        + '<div class="ad-slot ad-sky"><span class="ad-label">Advertisement</span></div></aside></div>'
        '<footer class="site-footer">'
        f"{_nav_list(['About us', 'Contact', 'Advertise', 'Careers', 'Terms and conditions', 'Privacy notice', 'Cookie settings', 'Accessibility', 'Corrections'], 'footer-links', '/info/')}"
        "<p>The Harbour Gazette is published by Harbour Media Ltd, registered in England and Wales no. 0112358. "
        "All content is copyright of Harbour Media Ltd and may not be reproduced without permission. "
        "We are a member of the Independent Press Standards Organisation and abide by the Editors' Code of Practice.</p>"
        "<p>© 2024 Harbour Media Ltd. All rights reserved.</p></footer>"
        '<script src="/static/app.js"></script></body></html>\n'
    )


def northwind(meta: dict[str, str], blocks: list[str], index: int) -> str:
    """A regional news site of nested divs and tables, no semantic elements."""
    title = html.escape(meta["title"])
    promo = (
        '<div class="inline-promo"><div class="promo-title">RELATED STORIES</div>'
        + "".join(
            f'<div class="promo-item"><a href="/s/{k}">{html.escape(t)}</a></div>'
            for k, (t, _) in enumerate(_pick(_TEASERS, index + 1, 3))
        )
        + "</div>"
    )
    newsletter = (
        '<div class="nl-box"><div class="nl-title">Never miss a story</div><div class="nl-text">'
        "Sign up for the Northwind Daily newsletter and get the headlines that matter to you, free, every morning.</div>"
        '<input type="text" value="Enter email"> <span class="btn">Go</span></div>'
    )
    body = _with_inserts(blocks, {3: promo, 5: newsletter})
    menu = "".join(
        f'<td class="menu-td"><a href="/cat/{k}">{s}</a></td>'
        for k, s in enumerate(_NEWS_SECTIONS[:10])
    )
    return (
        _head(meta["title"], "Northwind Daily")
        + '<body><div id="wrapper"><div class="hdr"><div class="logo-wrap"><a href="/"><img src="/nw-logo.gif" alt="Northwind Daily"></a></div>'
        '<div class="hdr-right">Weather: 12°C Light rain | <a href="/epaper">E-paper</a> | <a href="/classifieds">Classifieds</a></div></div>'
        f'<table class="menu"><tr>{menu}</tr></table>'
        '<div class="cols"><div class="col-left">'
        '<div class="box"><div class="box-title">SECTIONS</div>'
        + "".join(
            f'<div class="lnk"><a href="/cat/{s.lower()}">{s}</a></div>' for s in _NEWS_SECTIONS
        )
        + '</div><div class="box"><div class="box-title">POLL</div><div>Should the city extend late-night bus services?</div>'
        '<div><input type="radio"> Yes</div><div><input type="radio"> No</div><div><input type="radio"> Not sure</div></div></div>'
        '<div class="col-main"><div class="content-main">'
        f'<div class="art-title">{title}</div>'
        f'<div class="art-meta">Posted: 11/14/2024 08:12 | Updated: 11/14/2024 10:40 | By {html.escape(meta.get("byline", "Staff"))}</div>'
        + (
            f'<div class="art-summary"><i>{html.escape(meta["standfirst"])}</i></div>'
            if meta.get("standfirst")
            else ""
        )
        + f'<div class="txt">{body}</div>'
        '<div class="art-tools"><a href="#print">Print</a> | <a href="#email">Email</a> | <a href="#font">Font size</a></div>'
        '</div></div><div class="col-right">'
        + _teasers(index + 2, 6, "TOP STORIES", "top-stories")
        + '<div class="box"><div class="box-title">CLASSIFIEDS</div><div>2 bed flat to rent, central, £750 pcm. Call 0161 496 0000.</div>'
        "<div>Wanted: vintage motorcycles any condition. Cash paid.</div><div>Piano lessons, all ages, first lesson free.</div></div>"
        '</div></div><div class="ftr">Northwind Daily · 22 Mill Lane · Contact the newsroom: news@northwind.example · '
        '<a href="/terms">Terms</a> · <a href="/privacy">Privacy</a> · Copyright 2024 Northwind Newspapers Group. '
        "Reproduction in whole or in part without written permission is prohibited.</div></div></body></html>\n"
    )


def blog(meta: dict[str, str], blocks: list[str], index: int) -> str:
    """A WordPress-style blog: entry content, author box, widgets, long comments."""
    title = html.escape(meta["title"])
    recent = _nav_list(
        [
            "Why I switched back to paper notebooks",
            "A year of cycling to work",
            "Notes from a small kitchen garden",
            "The best tools are boring",
            "Reading list: autumn",
            "On learning to say no",
        ],
        "",
        "/posts/",
    )
    archives = _nav_list(
        [
            f"{m} 2024"
            for m in ["November", "October", "September", "August", "July", "June", "May"]
        ],
        "",
        "/archive/",
    )
    return (
        _head(meta["title"], "quiet bits")
        + '<body class="post-template-default single single-post"><div id="page" class="site">'
        '<header id="masthead" class="site-header"><div class="site-branding"><p class="site-title"><a href="/">quiet bits</a></p>'
        '<p class="site-description">Notes on software, slow living and whatever else</p></div>'
        f'<nav id="site-navigation" class="main-navigation"><button class="menu-toggle">Menu</button>{_nav_list(["Home", "About", "Archive", "Now", "Projects", "Contact"], "menu", "/")}</nav></header>'
        '<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">'
        f'<article id="post-{index}" class="post type-post status-publish hentry">'
        f'<header class="entry-header"><h1 class="entry-title">{title}</h1>'
        f'<div class="entry-meta"><span class="posted-on">Posted on <time>March {index + 1}, 2024</time></span> '
        f'<span class="byline">by <a href="/author/">{html.escape(meta.get("byline", "admin"))}</a></span></div></header>'
        + (
            f'<div class="entry-content"><p><em>{html.escape(meta["standfirst"])}</em></p>'
            if meta.get("standfirst")
            else '<div class="entry-content">'
        )
        + "\n".join(blocks)
        + '<div class="sharedaddy"><h3 class="sd-title">Share this:</h3><ul><li><a href="#tw">Twitter</a></li><li><a href="#fb">Facebook</a></li><li><a href="#li">LinkedIn</a></li></ul></div>'
        '<div class="jp-relatedposts"><h3>Related</h3><p><a href="/posts/r1">The best tools are boring</a> In "Software"</p>'
        '<p><a href="/posts/r2">Notes from a small kitchen garden</a> In "Life"</p></div></div>'
        '<footer class="entry-footer"><span class="cat-links">Posted in <a href="/c/notes">Notes</a></span> '
        '<span class="tags-links">Tagged <a href="/t/1">habits</a>, <a href="/t/2">tools</a></span></footer>'
        '<div class="author-info"><img src="/me.jpg" alt=""><h2 class="author-title">About the author</h2>'
        '<p class="author-bio">I write software for a living and about everything else for fun. I live by the sea with two cats and far too many houseplants. '
        "This blog has been running, on and off, since 2009.</p></div></article>"
        '<nav class="navigation post-navigation"><div class="nav-previous"><a href="/posts/prev"><span class="meta-nav">Previous post</span> A year of cycling to work</a></div>'
        '<div class="nav-next"><a href="/posts/next"><span class="meta-nav">Next post</span> On learning to say no</a></div></nav>'
        + _comments_section(index, 5)
        + '</main></div><aside id="secondary" class="widget-area">'
        '<section class="widget widget_search"><form><input type="search" placeholder="Search …"><button>Search</button></form></section>'
        '<section class="widget widget_text"><h2 class="widget-title">Hello!</h2><div class="textwidget"><p>I am a developer and occasional writer. '
        "Subscribe by RSS or email to get new posts; I publish about twice a month and never send anything else.</p></div></section>"
        f'<section class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2>{recent}</section>'
        f'<section class="widget widget_archive"><h2 class="widget-title">Archives</h2>{archives}</section>'
        '<section class="widget widget_tag_cloud"><h2 class="widget-title">Tags</h2><div class="tagcloud">'
        + " ".join(
            f'<a href="/t/{t}">{t}</a>'
            for t in [
                "books",
                "cycling",
                "garden",
                "habits",
                "linux",
                "python",
                "tools",
                "travel",
                "writing",
            ]
        )
        + "</div></section></aside></div>"
        '<footer id="colophon" class="site-footer"><div class="site-info">Proudly powered by WordPress | Theme: Twenty Something. '
        "Content licensed CC BY-SA 4.0 unless noted.</div></footer></div></body></html>\n"
    )


def medium(meta: dict[str, str], blocks: list[str], index: int) -> str:
    """A Medium-style platform: nested obfuscated divs, claps, 'more from' teasers."""
    title = html.escape(meta["title"])
    more = "".join(
        f'<div class="ab cm"><a href="/p/{k}"><h2 class="bf gp">{html.escape(t)}</h2><h3 class="bf gq">{html.escape(s)}</h3></a>'
        f'<div class="ah">{k + 4} min read · Oct {k + 10}, 2024</div></div>'
        for k, (t, s) in enumerate(_pick(_TEASERS, index + 4, 4))
    )
    return (
        _head(meta["title"], "Medium")
        + '<body><div id="root"><div class="a b c"><div class="l"><div class="m n o">'
        '<div class="q r s"><a href="/" aria-label="Homepage"><svg viewBox="0 0 1043 240"><path d="M0"></path></svg></a>'
        '<div class="t"><input placeholder="Search"></div><a href="/new-story">Write</a><a href="/m/signin">Sign in</a><a href="/m/signup">Get started</a></div>'
        '</div></div><div class="ac ad"><div class="af ag ah"><article><div class="ai aj"><section>'
        f'<div class="ak"><h1 data-testid="storyTitle" class="pw-post-title">{title}</h1>'
        + (
            f'<h2 class="pw-subtitle-paragraph">{html.escape(meta["standfirst"])}</h2>'
            if meta.get("standfirst")
            else ""
        )
        + f'<div class="speechify-ignore ab"><div class="ax"><a href="/@writer{index}"><img alt="{html.escape(meta.get("byline", "Writer"))}" src="/a.png"></a>'
        f'<div><span><a href="/@writer{index}">{html.escape(meta.get("byline", "Writer"))}</a></span> · <button>Follow</button></div>'
        '<div><span>Published in</span> <a href="/pub">Better Practice</a> · <span>7 min read</span> · <span>Oct 3, 2024</span></div></div>'
        '<div class="claps"><button aria-label="clap">👏</button><span>1.2K</span><button aria-label="responses">💬 34</button>'
        '<button aria-label="Listen">Listen</button><button aria-label="Share">Share</button></div></div></div>'
        '<div class="ch bg fy fz ga gb">' + "\n".join(blocks) + "</div></section></div></article>"
        '<div class="claps bottom"><button aria-label="clap">👏</button><span>1.2K</span><span>34</span></div>'
        f'<div class="pv"><h2>Written by {html.escape(meta.get("byline", "Writer"))}</h2><p>2.3K Followers · Writer for Better Practice</p>'
        "<p>Engineer, reader, occasional runner. I write about the craft of building things and the people who do it.</p><button>Follow</button></div>"
        f'<div class="pw-more"><h2>More from Better Practice</h2>{more}</div>'
        '<div class="pw-recommended"><h2>Recommended from Medium</h2><p>Lists: Staff Picks (765 stories · 1,398 saves), '
        "Stories to Help You Level-Up at Work (19 stories · 840 saves), Self-Improvement 101 (20 stories · 2,900 saves)</p></div>"
        '</div></div><div class="footer"><a href="/help">Help</a><a href="/status">Status</a><a href="/about">About</a><a href="/careers">Careers</a>'
        '<a href="/press">Press</a><a href="/blog">Blog</a><a href="/privacy">Privacy</a><a href="/terms">Terms</a><a href="/tts">Text to speech</a><a href="/teams">Teams</a></div>'
        "</div></div></body></html>\n"
    )


_SPHINX_TOC = [
    ("Getting started", ["Installation", "Quickstart", "Tutorial"]),
    (
        "User guide",
        [
            "Configuration",
            "Projects and workspaces",
            "Running tasks",
            "Caching",
            "Logging",
            "Plugins",
        ],
    ),
    (
        "Reference",
        ["Command line", "Configuration file", "Environment variables", "Python API", "Glossary"],
    ),
    ("Project", ["Changelog", "Contributing", "Code of conduct", "License"]),
]


def sphinx(meta: dict[str, str], blocks: list[str], index: int) -> str:
    """A Sphinx/Read-the-Docs page: toctree sidebar, ¶ header links, prev/next footer."""
    title = html.escape(meta["title"])
    toc = "".join(
        f'<p class="caption" role="heading"><span class="caption-text">{cap}</span></p><ul>'
        + "".join(
            f'<li class="toctree-l1"><a class="reference internal" href="/{p.lower().replace(" ", "-")}.html">{p}</a></li>'
            for p in pages
        )
        + "</ul>"
        for cap, pages in _SPHINX_TOC
    )
    head = SphinxStyle().heading(1, title)
    return (
        _head(meta["title"], "Tasker 3.2 documentation")
        + '<body class="wy-body-for-nav"><div class="wy-grid-for-nav">'
        '<nav data-toggle="wy-nav-shift" class="wy-nav-side"><div class="wy-side-scroll"><div class="wy-side-nav-search">'
        '<a href="index.html" class="icon icon-home">Tasker</a><div class="version">3.2</div>'
        '<div role="search"><form id="rtd-search-form" class="wy-form" action="search.html" method="get">'
        '<input type="text" name="q" placeholder="Search docs"></form></div></div>'
        f'<div class="wy-menu wy-menu-vertical" data-spy="affix" role="navigation" aria-label="Navigation menu">{toc}</div></div></nav>'
        '<section data-toggle="wy-nav-shift" class="wy-nav-content-wrap"><nav class="wy-nav-top" aria-label="Mobile navigation menu">'
        '<a href="index.html">Tasker</a></nav><div class="wy-nav-content"><div class="rst-content">'
        '<div role="navigation" aria-label="Page navigation"><ul class="wy-breadcrumbs"><li><a href="index.html" class="icon icon-home" aria-label="Home"></a></li>'
        f'<li class="breadcrumb-item active">{title}</li><li class="wy-breadcrumbs-aside"><a href="_sources/page{index}.rst.txt" rel="nofollow">View page source</a></li></ul><hr></div>'
        '<div role="main" class="document" itemscope="itemscope" itemtype="http://schema.org/Article">'
        f'<div itemprop="articleBody"><section id="page-{index}">{head}'
        + "\n".join(blocks)
        + "</section></div></div>"
        '<footer><div class="rst-footer-buttons" role="navigation" aria-label="Footer">'
        '<a href="prev.html" class="btn btn-neutral float-left" title="Quickstart" accesskey="p" rel="prev"><span class="fa fa-arrow-circle-left" aria-hidden="true"></span> Previous</a>'
        '<a href="next.html" class="btn btn-neutral float-right" title="Caching" accesskey="n" rel="next">Next <span class="fa fa-arrow-circle-right" aria-hidden="true"></span></a></div><hr>'
        '<div role="contentinfo"><p>© Copyright 2019-2024, The Tasker developers.</p></div>'
        'Built with <a href="https://www.sphinx-doc.org/">Sphinx</a> using a <a href="https://github.com/readthedocs/sphinx_rtd_theme">theme</a> provided by <a href="https://readthedocs.org">Read the Docs</a>.'
        "</footer></div></div></section></div>"
        '<div class="rst-versions" data-toggle="rst-versions" role="note" aria-label="Versions"><span class="rst-current-version" data-toggle="rst-current-version">'
        '<span class="fa fa-book"> Read the Docs</span> v: 3.2</span><div class="rst-other-versions"><dl><dt>Versions</dt><dd><a href="/en/latest/">latest</a></dd>'
        '<dd><a href="/en/stable/">stable</a></dd><dd><a href="/en/3.1/">3.1</a></dd></dl><dl><dt>Downloads</dt><dd><a href="/pdf">PDF</a></dd><dd><a href="/epub">HTML</a></dd></dl></div></div>'
        "</body></html>\n"
    )


_BOOK_TOC = [
    "Foreword",
    "Introduction",
    "1. Getting Started",
    "1.1. Installation",
    "1.2. Hello, World!",
    "1.3. Hello, Cargo!",
    "2. Programming a Guessing Game",
    "3. Common Programming Concepts",
    "3.1. Variables and Mutability",
    "3.2. Data Types",
    "3.3. Functions",
    "3.4. Comments",
    "3.5. Control Flow",
    "4. Understanding Ownership",
    "4.1. What is Ownership?",
    "4.2. References and Borrowing",
    "4.3. The Slice Type",
    "5. Using Structs",
    "5.1. Defining and Instantiating Structs",
    "5.2. An Example Program Using Structs",
    "5.3. Method Syntax",
    "6. Enums and Pattern Matching",
    "6.1. Defining an Enum",
    "6.2. The match Control Flow Construct",
    "6.3. Concise Control Flow with if let",
    "7. Managing Growing Projects",
    "8. Common Collections",
    "9. Error Handling",
    "10. Generic Types, Traits, and Lifetimes",
    "11. Writing Automated Tests",
    "12. An I/O Project",
    "13. Functional Language Features",
    "14. More about Cargo",
    "15. Smart Pointers",
    "16. Fearless Concurrency",
    "17. Async and Await",
    "18. Object Oriented Programming Features",
    "19. Patterns and Matching",
    "20. Advanced Features",
    "21. Final Project: A Web Server",
    "22. Appendix",
]


def mdbook(meta: dict[str, str], blocks: list[str], index: int) -> str:
    """An mdBook chapter: keyboard help and the whole table of contents come first."""
    toc = "".join(
        f'<li class="chapter-item expanded"><a href="ch{k:02d}.html"><strong aria-hidden="true">{html.escape(t.split(" ")[0])}</strong> {html.escape(t)}</a></li>'
        for k, t in enumerate(_BOOK_TOC)
    )
    return (
        _head(meta["title"], "The Book")
        + '<body class="sidebar-visible no-js"><div id="body-container">'
        "<script>var path_to_root = '';var default_theme = 'light';</script>"
        '<div id="help-container" class="hidden"><div class="help-popup"><h2>Keyboard shortcuts</h2><div>'
        "<p>Press <kbd>←</kbd> or <kbd>→</kbd> to navigate between chapters</p>"
        "<p>Press <kbd>S</kbd> or <kbd>/</kbd> to search in the book</p>"
        "<p>Press <kbd>?</kbd> to show this help</p><p>Press <kbd>Esc</kbd> to hide this help</p></div></div></div>"
        '<input type="checkbox" id="sidebar-toggle-anchor" class="hidden">'
        f'<nav id="sidebar" class="sidebar" aria-label="Table of contents"><div class="sidebar-scrollbox"><ol class="chapter">{toc}</ol></div>'
        '<div id="sidebar-resize-handle" class="sidebar-resize-handle"><div class="sidebar-resize-indicator"></div></div></nav>'
        '<div id="page-wrapper" class="page-wrapper"><div class="page"><div id="menu-bar-hover-placeholder"></div>'
        '<div id="menu-bar" class="menu-bar sticky"><div class="left-buttons">'
        '<label id="sidebar-toggle" class="icon-button" for="sidebar-toggle-anchor" title="Toggle Table of Contents"><i class="fa fa-bars"></i></label>'
        '<button id="theme-toggle" class="icon-button" type="button" title="Change theme"><i class="fa fa-paint-brush"></i></button>'
        '<ul id="theme-list" class="theme-popup" aria-label="Themes" role="menu">'
        '<li role="none"><button role="menuitem" class="theme" id="light">Light</button></li><li role="none"><button role="menuitem" class="theme" id="rust">Rust</button></li>'
        '<li role="none"><button role="menuitem" class="theme" id="coal">Coal</button></li><li role="none"><button role="menuitem" class="theme" id="navy">Navy</button></li>'
        '<li role="none"><button role="menuitem" class="theme" id="ayu">Ayu</button></li></ul>'
        '<button id="search-toggle" class="icon-button" type="button" title="Search. (Shortkey: s)"><i class="fa fa-search"></i></button></div>'
        '<h1 class="menu-title">The Programming Language Book</h1><div class="right-buttons">'
        '<a href="print.html" title="Print this book"><i id="print-button" class="fa fa-print"></i></a></div></div>'
        '<div id="search-wrapper" class="hidden"><form id="searchbar-outer" class="searchbar-outer">'
        '<input type="search" id="searchbar" name="searchbar" placeholder="Search this book ..."></form>'
        '<div id="searchresults-outer" class="searchresults-outer hidden"><div id="searchresults-header" class="searchresults-header"></div><ul id="searchresults"></ul></div></div>'
        '<div id="content" class="content"><main>'
        + MdBookStyle().heading(1, html.escape(meta["title"]))
        + "\n".join(blocks)
        + '</main><nav class="nav-wrapper" aria-label="Page navigation">'
        '<a rel="prev" href="prev.html" class="mobile-nav-chapters previous" title="Previous chapter" aria-label="Previous chapter" aria-keyshortcuts="Left"><i class="fa fa-angle-left"></i></a>'
        '<a rel="next prefetch" href="next.html" class="mobile-nav-chapters next" title="Next chapter" aria-label="Next chapter" aria-keyshortcuts="Right"><i class="fa fa-angle-right"></i></a>'
        "</nav></div></div>"
        '<nav class="nav-wide-wrapper" aria-label="Page navigation"><a rel="prev" href="prev.html" class="nav-chapters previous" title="Previous chapter"><i class="fa fa-angle-left"></i></a>'
        '<a rel="next prefetch" href="next.html" class="nav-chapters next" title="Next chapter"><i class="fa fa-angle-right"></i></a></nav></div>'
        '<script src="elasticlunr.min.js"></script><script src="book.js"></script></div></body></html>\n'
    )


def docusaurus(meta: dict[str, str], blocks: list[str], index: int) -> str:
    """A Docusaurus page: navbar, sidebar menu, breadcrumbs, 'on this page', footer columns."""
    title = html.escape(meta["title"])
    side = "".join(
        f'<li class="theme-doc-sidebar-item-link menu__list-item"><a class="menu__link" href="/docs/{s.lower().replace(" ", "-")}">{s}</a></li>'
        for s in [
            "Introduction",
            "Installation",
            "Configuration",
            "Routing",
            "Data fetching",
            "Forms",
            "Authentication",
            "Deployment",
            "Testing",
            "Styling",
            "Internationalization",
            "API reference",
            "Migration guide",
            "FAQ",
        ]
    )
    headings = [re.match(r'<h2[^>]* id="([^"]*)">([^<]*)', b) for b in blocks]
    toc_items = "".join(
        f'<li><a href="#{m.group(1)}" class="table-of-contents__link toc-highlight">{m.group(2)}</a></li>'
        for m in headings
        if m is not None
    )
    cols = [
        ("Docs", ["Getting started", "API", "Guides"]),
        ("Community", ["Discord", "Stack Overflow", "Mastodon"]),
        ("More", ["Blog", "GitHub", "Changelog"]),
    ]
    footer = "".join(
        f'<div class="col footer__col"><div class="footer__title">{c}</div><ul class="footer__items">'
        + "".join(
            f'<li class="footer__item"><a class="footer__link-item" href="/{i.lower().replace(" ", "-")}">{i}</a></li>'
            for i in items
        )
        + "</ul></div>"
        for c, items in cols
    )
    return (
        _head(meta["title"], "Quill")
        + '<body class="navigation-with-keyboard"><div id="__docusaurus"><div role="region" aria-label="Skip to main content">'
        '<a class="skipToContent" href="#__docusaurus_skipToContent_fallback">Skip to main content</a></div>'
        '<div class="theme-announcement-bar announcementBar" role="banner"><div class="announcementBarContent">⭐️ If you like Quill, give it a star on GitHub! ⭐️</div></div>'
        '<nav aria-label="Main" class="navbar navbar--fixed-top"><div class="navbar__inner"><div class="navbar__items">'
        '<a class="navbar__brand" href="/"><b class="navbar__title">Quill</b></a><a class="navbar__item navbar__link" href="/docs/intro">Docs</a>'
        '<a class="navbar__item navbar__link" href="/blog">Blog</a><a class="navbar__item navbar__link" href="/showcase">Showcase</a></div>'
        '<div class="navbar__items navbar__items--right"><div class="navbar__item dropdown"><a class="navbar__link">v4.2</a></div>'
        '<a href="https://github.com/quill" class="navbar__item navbar__link">GitHub</a><div class="navbarSearchContainer"><button class="DocSearch">Search ⌘K</button></div></div></div></nav>'
        '<div id="__docusaurus_skipToContent_fallback" class="main-wrapper mainWrapper"><div class="docsWrapper"><div class="docRoot">'
        f'<aside class="theme-doc-sidebar-container docSidebarContainer"><div class="sidebarViewport"><nav aria-label="Docs sidebar" class="menu thin-scrollbar"><ul class="theme-doc-sidebar-menu menu__list">{side}</ul></nav></div></aside>'
        '<main class="docMainContainer"><div class="container padding-top--md padding-bottom--lg"><div class="row"><div class="col docItemCol">'
        '<div class="docItemContainer"><article><nav class="theme-doc-breadcrumbs breadcrumbsContainer" aria-label="Breadcrumbs"><ul class="breadcrumbs">'
        f'<li class="breadcrumbs__item"><a aria-label="Home page" class="breadcrumbs__link" href="/">🏠</a></li><li class="breadcrumbs__item"><span class="breadcrumbs__link">Guides</span></li>'
        f'<li class="breadcrumbs__item breadcrumbs__item--active"><span class="breadcrumbs__link">{title}</span></li></ul></nav>'
        '<div class="tocCollapsible theme-doc-toc-mobile"><button type="button" class="clean-btn tocCollapsibleButton">On this page</button></div>'
        f'<div class="theme-doc-markdown markdown"><header><h1>{title}</h1></header>'
        + "\n".join(blocks)
        + "</div>"
        '<footer class="theme-doc-footer docusaurus-mt-lg"><div class="row margin-top--sm theme-doc-footer-edit-meta-row">'
        f'<div class="col"><a href="https://github.com/quill/quill/edit/main/docs/page{index}.md" target="_blank" rel="noopener noreferrer" class="theme-edit-this-page">Edit this page</a></div>'
        '<div class="col lastUpdated"><span class="theme-last-updated">Last updated on <b><time>Oct 2, 2024</time></b></span></div></div></footer></article>'
        '<nav class="pagination-nav docusaurus-mt-lg" aria-label="Docs pages"><a class="pagination-nav__link pagination-nav__link--prev" href="/docs/prev">'
        '<div class="pagination-nav__sublabel">Previous</div><div class="pagination-nav__label">Routing</div></a>'
        '<a class="pagination-nav__link pagination-nav__link--next" href="/docs/next"><div class="pagination-nav__sublabel">Next</div><div class="pagination-nav__label">Deployment</div></a></nav></div></div>'
        f'<div class="col col--3"><div class="tableOfContents thin-scrollbar theme-doc-toc-desktop"><ul class="table-of-contents table-of-contents__left-border">{toc_items}</ul></div></div>'
        "</div></div></main></div></div></div>"
        f'<footer class="footer footer--dark"><div class="container container-fluid"><div class="row footer__links">{footer}</div>'
        '<div class="footer__bottom text--center"><div class="footer__copyright">Copyright © 2024 Quill contributors. Built with Docusaurus.</div></div></div></footer>'
        "</div></body></html>\n"
    )


_REVIEWS = [
    (
        "Sam T.",
        5,
        "Exactly as described",
        "Arrived two days early and works perfectly. I have used it every morning for a month and it still looks brand new.",
    ),
    (
        "J. Okafor",
        4,
        "Good but the manual is useless",
        "Does the job well. The instructions are translated badly, so I found a video online that explained the settings.",
    ),
    (
        "Linda",
        2,
        "Stopped working after six weeks",
        "Customer service replaced it without fuss, but I expected better for the price. The replacement is fine so far.",
    ),
    (
        "Marco P.",
        5,
        "Great gift",
        "Bought this for my dad and he loves it. Packaging was nice enough that I did not need to wrap it.",
    ),
]


def shop(meta: dict[str, str], blocks: list[str], index: int) -> str:
    """A product page: mega menu, gallery, price box, description and specs, reviews, upsells."""
    title = html.escape(meta["title"])
    cats = _nav_list(
        ["Kitchen", "Home", "Garden", "Outdoor", "Tools", "Electronics", "Gifts", "Sale"],
        "mega-menu",
        "/c/",
    )
    reviews = "".join(
        f'<div class="review"><div class="stars" aria-label="{s} out of 5 stars">{"★" * s}{"☆" * (5 - s)}</div>'
        f'<h4>{html.escape(h)}</h4><div class="review-author">{html.escape(n)} · Verified purchase</div><p>{html.escape(t)}</p>'
        '<div class="helpful">Was this helpful? <button>Yes</button> <button>No</button></div></div>'
        for n, s, h, t in _pick(_REVIEWS, index, 3)
    )
    upsell = "".join(
        f'<li class="product-card"><a href="/p/{k}"><img src="/img/p{k}.jpg" alt=""><span class="name">{n}</span></a><span class="price">£{p}</span><button>Add</button></li>'
        for k, (n, p) in enumerate(
            [
                ("Stainless steel travel mug", "18.00"),
                ("Bamboo utensil set", "12.50"),
                ("Cast iron trivet", "9.99"),
                ("Linen tea towels (pack of 3)", "15.00"),
            ]
        )
    )
    return (
        _head(meta["title"], "Kettle & Co.")
        + '<body class="product-page"><div class="promo-strip">Free UK delivery on orders over £40 · 30-day returns · <a href="/sale">Winter sale now on</a></div>'
        '<header class="shop-header"><a class="logo" href="/">Kettle &amp; Co.</a><form class="search"><input placeholder="Search products"></form>'
        '<a href="/account">Account</a> <a href="/wishlist">Wishlist</a> <a href="/basket">Basket (0)</a>'
        f"<nav>{cats}</nav></header>"
        f'<nav class="breadcrumb"><a href="/">Home</a> / <a href="/c/kitchen">Kitchen</a> / <span>{title}</span></nav>'
        '<div class="product"><div class="gallery"><img src="/img/main.jpg" alt="Product photo">'
        + "".join(
            f'<button class="thumb"><img src="/img/t{k}.jpg" alt="View {k + 1}"></button>'
            for k in range(4)
        )
        + '</div><div class="product-info">'
        f'<h1 class="product-title">{title}</h1>'
        f'<div class="rating"><span class="stars">★★★★☆</span> <a href="#reviews">4.{index % 9} (1{index}3 reviews)</a></div>'
        f'<div class="price-box"><span class="price">{html.escape(meta.get("price", "£49.00"))}</span> <span class="was">Was £59.00</span> <span class="save">Save 17%</span></div>'
        '<div class="options"><label>Colour <select><option>Slate</option><option>Sage</option><option>Cream</option></select></label>'
        '<label>Quantity <input type="number" value="1"></label><button class="add-to-basket">Add to basket</button><button class="wishlist">♡ Save</button></div>'
        '<ul class="usp"><li>In stock – order by 2pm for next-day delivery</li><li>Click &amp; collect from 40 stores</li><li>2-year guarantee</li></ul>'
        "</div></div>"
        '<div class="tabs"><ul class="tab-list"><li><a href="#description">Description</a></li><li><a href="#delivery">Delivery &amp; returns</a></li><li><a href="#reviews">Reviews</a></li></ul>'
        f'<section id="description" class="tab-panel">{chr(10).join(blocks)}</section>'
        '<section id="delivery" class="tab-panel"><h2>Delivery &amp; returns</h2><p>Standard delivery 3-5 working days, £3.95 or free over £40. '
        "Next-day delivery £6.95 when ordered before 2pm Monday to Thursday. Returns are free within 30 days: use the label in your parcel or drop it at any store.</p></section>"
        f'<section id="reviews" class="tab-panel"><h2>Customer reviews</h2><div class="summary">4.{index % 9} out of 5</div>{reviews}<a href="#more">Show all reviews</a></section></div>'
        f'<section class="upsell"><h2>Customers also bought</h2><ul>{upsell}</ul></section>'
        '<footer class="shop-footer"><div class="cols"><div><h4>Help</h4>'
        + _nav_list(["Contact us", "Delivery", "Returns", "Track my order", "FAQs"], "", "/help/")
        + "</div><div><h4>About</h4>"
        + _nav_list(
            ["Our story", "Stores", "Careers", "Sustainability", "Affiliates"], "", "/about/"
        )
        + '</div><div><h4>Newsletter</h4><p>Be the first to hear about new products and offers. Unsubscribe at any time.</p><input type="email"><button>Subscribe</button></div></div>'
        '<p class="legal">Kettle &amp; Co. Ltd, 4 Foundry Yard, registered in Scotland SC123456. VAT no. GB 123 4567 89. Prices include VAT.</p></footer>'
        "</body></html>\n"
    )


def forum(meta: dict[str, str], blocks: list[str], index: int) -> str:
    """A phpBB-style thread: per-post author panels, signatures, post buttons, similar threads."""
    title = html.escape(meta["title"])
    posts: list[tuple[str, list[str]]] = []
    for block in blocks:
        if block.startswith(POST_MARK):
            posts.append((block[len(POST_MARK) :], []))
        elif posts:
            posts[-1][1].append(block)
    rendered = []
    for k, (author, body) in enumerate(posts):
        rendered.append(
            f'<div id="p{1000 + k}" class="post bg{k % 2 + 1}"><div class="inner"><div class="postprofile"><dl>'
            f'<dt><img src="/avatars/{k}.png" alt="" class="avatar"><a href="/memberlist.php?u={k}" class="username">{html.escape(author)}</a></dt>'
            f'<dd class="profile-rank">{"Moderator" if k == 2 else "Member"}</dd><dd><strong>Posts:</strong> {37 * (k + 3)}</dd>'
            f"<dd><strong>Joined:</strong> Mar 201{k}</dd><dd><strong>Location:</strong> Leeds</dd></dl></div>"
            f'<div class="postbody"><div><h3><a href="#p{1000 + k}">Re: {title}</a></h3>'
            f'<ul class="post-buttons"><li><a href="#quote" title="Reply with quote">Quote</a></li><li><a href="#report">Report</a></li></ul>'
            f'<p class="author">by <strong>{html.escape(author)}</strong> » Tue Oct {k + 8}, 2024 {k + 9}:14 pm</p>'
            f'<div class="content">{"".join(body)}</div>'
            f'<div class="signature">{html.escape(["Running Debian on everything that boots.", "Measure twice, cut once, swear three times.", "If it works, do not touch it.", "Keep it simple."][k % 4])}</div>'
            '</div></div><div class="back2top"><a href="#top" class="top" title="Top">Top</a></div></div></div><hr class="divider">'
        )
    similar = "".join(
        f'<li><a href="/viewtopic.php?t={k}">{html.escape(t)}</a> <span>{k + 3} replies</span></li>'
        for k, (t, _) in enumerate(_pick(_TEASERS, index, 5))
    )
    return (
        _head(meta["title"], "Makers Forum")
        + '<body id="phpbb" class="section-viewtopic"><div id="wrap" class="wrap"><a id="top" class="top-anchor" accesskey="t"></a>'
        '<div id="page-header"><div class="headerbar" role="banner"><div class="inner"><div id="site-description"><a id="logo" class="logo" href="/">Makers Forum</a>'
        "<p>A friendly community for woodworking, electronics and home repair since 2006</p></div>"
        '<div id="search-box" class="search-box search-header"><form><input name="keywords" placeholder="Search…"><button>Search</button></form></div></div></div>'
        '<div class="navbar" role="navigation"><ul id="nav-main" class="nav-main linklist"><li><a href="/faq.php">FAQ</a></li><li><a href="/ucp.php?mode=register">Register</a></li>'
        '<li><a href="/ucp.php?mode=login">Login</a></li></ul><ul id="nav-breadcrumbs" class="nav-breadcrumbs linklist navlinks">'
        '<li class="breadcrumbs"><span class="crumb"><a href="/">Board index</a></span> ‹ <span class="crumb"><a href="/viewforum.php?f=3">Workshop</a></span>'
        ' ‹ <span class="crumb"><a href="/viewforum.php?f=9">Help and advice</a></span></li></ul></div></div>'
        '<div id="page-body" class="page-body" role="main">'
        f'<h2 class="topic-title"><a href="/viewtopic.php?t={index}">{title}</a></h2>'
        '<div class="action-bar bar-top"><a href="/posting.php?mode=reply" class="button">Post Reply</a>'
        f'<div class="pagination">{len(posts)} posts • Page <strong>1</strong> of <strong>1</strong></div></div>'
        + "".join(rendered)
        + '<div class="action-bar bar-bottom"><a href="/posting.php?mode=reply" class="button">Post Reply</a></div>'
        f'<div class="panel similar-topics"><h3>Similar topics</h3><ul>{similar}</ul></div>'
        '<div class="stat-block online-list"><h3>Who is online</h3><p>Users browsing this forum: No registered users and 14 guests</p></div></div>'
        '<div id="page-footer" class="page-footer" role="contentinfo"><div class="navbar"><ul class="linklist"><li><a href="/">Board index</a></li>'
        '<li><a href="/memberlist.php?mode=team">The team</a></li><li><a href="/ucp.php?mode=delete_cookies">Delete cookies</a></li><li>All times are UTC</li></ul></div>'
        '<div class="copyright">Powered by <a href="https://www.phpbb.com/">phpBB</a>® Forum Software © phpBB Limited<br>'
        '<a href="/ucp.php?mode=privacy">Privacy</a> | <a href="/ucp.php?mode=terms">Terms</a></div></div></div></body></html>\n'
    )


_CONSENT_PURPOSES = [
    (
        "Strictly necessary cookies",
        "These cookies are necessary for the website to function and cannot be switched off in our systems. They are usually only set in response to actions made by you which amount to a request for services, such as setting your privacy preferences, logging in or filling in forms.",
    ),
    (
        "Performance cookies",
        "These cookies allow us to count visits and traffic sources so we can measure and improve the performance of our site. They help us to know which pages are the most and least popular and see how visitors move around the site.",
    ),
    (
        "Functional cookies",
        "These cookies enable the website to provide enhanced functionality and personalisation. They may be set by us or by third party providers whose services we have added to our pages.",
    ),
    (
        "Targeting cookies",
        "These cookies may be set through our site by our advertising partners. They may be used by those companies to build a profile of your interests and show you relevant adverts on other sites.",
    ),
]


def consent(meta: dict[str, str], blocks: list[str], index: int) -> str:
    """A news page behind a consent-manager banner and preference centre (first in the body)."""
    title = html.escape(meta["title"])
    purposes = "".join(
        f'<div class="ot-accordion-layout ot-cat-item"><h4 class="ot-cat-header">{h}</h4><div class="ot-tgl"><input type="checkbox" {"checked disabled" if k == 0 else ""}></div>'
        f'<p class="ot-category-desc">{t}</p></div>'
        for k, (h, t) in enumerate(_CONSENT_PURPOSES)
    )
    banner = (
        '<div id="onetrust-consent-sdk"><div class="onetrust-pc-dark-filter"></div>'
        '<div id="onetrust-banner-sdk" class="otFlat" role="region" aria-label="Cookie banner"><div class="ot-sdk-container"><div class="ot-sdk-row">'
        '<div id="onetrust-group-container"><div id="onetrust-policy"><h2 id="onetrust-policy-title">We value your privacy</h2>'
        '<div id="onetrust-policy-text">We and our 847 partners store and/or access information on a device, such as cookies, and process personal data, '
        "such as unique identifiers and standard information sent by a device for personalised advertising and content, advertising and content measurement, "
        "audience research and services development. With your permission we and our partners may use precise geolocation data and identification through device scanning. "
        'You may click to consent to our and our partners\' processing as described above. <a href="/cookie-policy">Cookie Policy</a></div></div></div>'
        '<div id="onetrust-button-group-parent"><div id="onetrust-button-group"><button id="onetrust-pc-btn-handler">Manage preferences</button>'
        '<button id="onetrust-reject-all-handler">Reject all</button><button id="onetrust-accept-btn-handler">Accept all cookies</button></div></div></div></div></div>'
        '<div id="onetrust-pc-sdk" class="otPcCenter ot-hide" role="dialog" aria-label="Privacy Preference Center"><div class="ot-pc-header"><h2 id="ot-pc-title">Privacy Preference Centre</h2></div>'
        '<div id="ot-pc-content" class="ot-pc-scrollbar"><div id="ot-pc-desc">When you visit any website, it may store or retrieve information on your browser, mostly in the form of cookies. '
        "This information might be about you, your preferences or your device and is mostly used to make the site work as you expect it to. "
        "Because we respect your right to privacy, you can choose not to allow some types of cookies.</div>"
        f'<h3 id="ot-category-title">Manage Consent Preferences</h3>{purposes}</div>'
        '<div class="ot-pc-footer"><button class="save-preference-btn-handler">Confirm my choices</button><button id="accept-recommended-btn-handler">Allow all</button></div></div></div>'
    )
    ad = '<div class="ad-container"><p class="ad-label">Advertisement</p><iframe title="ad" src="about:blank"></iframe></div>'
    body = _with_inserts(blocks, {3: ad})
    return (
        _head(meta["title"], "The Metro Ledger")
        + "<body>"
        + banner
        + '<header class="mh"><div class="mh-top"><a href="/" class="mh-logo">The Metro Ledger</a>'
        '<a class="mh-sub" href="/subscribe">Subscribe</a> <a href="/signin">Sign in</a></div>'
        f'<nav class="mh-nav">{_nav_list(_NEWS_SECTIONS[:9], "mh-list")}</nav></header>'
        '<main class="page"><div class="article-wrap"><div class="article-header">'
        f'<span class="kicker"><a href="/section/city">City</a></span><h1>{title}</h1>'
        + (
            f'<p class="dek">{html.escape(meta["standfirst"])}</p>'
            if meta.get("standfirst")
            else ""
        )
        + f'<p class="byline">{html.escape(meta.get("byline", "Metro staff"))} · Updated 9:41 AM</p></div>'
        f'<div class="article-body" data-component="text-block">{body}</div>'
        '<div class="related-coverage"><h2>Related coverage</h2>'
        + _teasers(index + 5, 3, "", "rc-list")
        + '</div></div><div class="rail">'
        + _teasers(index + 1, 5, "Trending now", "trending")
        + '</div></main><footer class="mf"><p>© 2024 The Metro Ledger Company. All rights reserved. Use of this site constitutes acceptance of our '
        '<a href="/terms">User Agreement</a> and <a href="/privacy">Privacy Policy and Cookie Statement</a> and '
        '<a href="/privacy-rights">Your Privacy Choices</a>. The material on this site may not be reproduced, distributed, transmitted, cached or otherwise used, '
        "except with the prior written permission of The Metro Ledger.</p></footer></body></html>\n"
    )


SITES: dict[str, Callable[[dict[str, str], list[str], int], str]] = {
    "gazette": gazette,
    "northwind": northwind,
    "blog": blog,
    "medium": medium,
    "sphinx": sphinx,
    "mdbook": mdbook,
    "docusaurus": docusaurus,
    "shop": shop,
    "forum": forum,
    "consent": consent,
}
