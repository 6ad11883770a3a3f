"""Development tools kept out of the library: the Selenium Grid launcher (``grid.py``)."""
