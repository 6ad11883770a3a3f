"""The content layer: what a crawl makes of a page's HTML, without a browser.

``parse`` parses (it imports nothing of seleniumcrawl; an lxml tree, or BeautifulSoup's
where CSS matching needs it), ``nodes`` reads and edits a node of either tree,
``scraping`` derives cleaned HTML, links, media, metadata and Markdown from that one
tree and runs the extraction,
``extraction`` turns a parsed page into records. ``markdown`` converts a tree to
Markdown; ``generation`` makes ``result.markdown`` (fit markdown from ``main_content`` or
a ``filters`` content filter, on first access). Nothing here imports the browser layer.
"""
