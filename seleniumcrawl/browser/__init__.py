"""The browser layer: starting browsers and running WebDriver calls on them.

- ``launch``: finding the driver and browser, Chromium flags, options, :func:`create_driver`.
- ``driver``: :class:`ManagedDriver`, one started browser (its ``webdriver`` is Selenium's).
- ``failures``: what a failed WebDriver call means (timeout, browser gone, tab crashed).
- ``executor``: :class:`DriverThread`, the thread that owns one ``ManagedDriver``.
- ``pool``: :class:`DriverPool`, up to ``max_drivers`` threads, sessions mapped to windows.
- ``page``: the browser steps of one crawl (navigate, scripts, waits, capture).
- ``procs``, ``reaper``: process-tree bookkeeping and the reaper process; internal.
- ``remote``: the status of a Selenium Grid (``seleniumcrawl doctor``).

Ownership rule: a ``ManagedDriver`` and its ``webdriver`` are used only on the
``DriverThread`` that owns it (Selenium is not thread-safe). Other threads submit work
to that thread's queue; only ``ManagedDriver.force_kill`` may be called from elsewhere.
Nothing here imports the content layer (no HTML parser is loaded with the pool).
"""
