"""The parts of :mod:`seleniumcrawl.dispatcher` (many URLs through one engine):
:mod:`~seleniumcrawl.dispatch.backlog` (where a run's work comes from: a URL list or a deep
crawl's frontier) and :mod:`~seleniumcrawl.dispatch.pacing` (retries, backoff, per-domain
slots and the policy protocols). Every name is importable from ``seleniumcrawl.dispatcher``.
"""
