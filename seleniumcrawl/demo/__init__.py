"""The bundled demo site and the session workflows run by ``seleniumcrawl demo``.

Only the site is imported here: :mod:`seleniumcrawl.demo.workflows` needs a browser and is
imported on demand, so tests and fixtures can serve the site without the crawler core.
"""

from seleniumcrawl.demo.site import DEMO_URL_ENV, DemoSite, demo_base_url

__all__ = ["DEMO_URL_ENV", "DemoSite", "demo_base_url"]
