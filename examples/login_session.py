"""A login flow in a session: submit a form, then read a page that needs its cookie.

The first crawl opens ``/login`` and runs ``js_code`` that fills and submits the form; the
crawler waits for the page the submit navigates to. The second crawl, in the same session,
opens ``/dashboard`` (whose profile is fetched by JavaScript after load) and waits for
``.user-profile``. A guest session with ``session_isolation=True`` gets a browser of its
own, so it does not share the cookie and is asked to log in.
Exit status 0 means the profile was read and the guest was refused.
"""

import asyncio
import json
import sys

from seleniumcrawl import (
    AsyncWebCrawler,
    BrowserConfig,
    CacheMode,
    CrawlerRunConfig,
    JsonCssExtractionStrategy,
)
from seleniumcrawl.demo import demo_base_url

JS_LOGIN = """
document.querySelector('#username').value = 'demo';
document.querySelector('#password').value = 'secret';
document.querySelector('#login-form button[type=submit]').click();
"""

PROFILE_SCHEMA = {
    "name": "Profile",
    "baseSelector": ".user-profile",
    "fields": [
        {"name": "name", "selector": ".user-name", "type": "text"},
        {"name": "email", "selector": ".user-email", "type": "text"},
    ],
}


async def login_and_read_profile(base_url: str) -> bool:
    session_id = "login_session"
    async with AsyncWebCrawler(config=BrowserConfig(headless=True)) as crawler:
        login = await crawler.arun(
            url=f"{base_url}/login",
            config=CrawlerRunConfig(
                session_id=session_id, js_code=JS_LOGIN, cache_mode=CacheMode.BYPASS
            ),
        )
        print(f"Login: success={login.success}, now at {login.redirected_url or login.url}")

        dashboard = await crawler.arun(
            url=f"{base_url}/dashboard",
            config=CrawlerRunConfig(
                session_id=session_id,
                wait_for="css:.user-profile",
                extraction_strategy=JsonCssExtractionStrategy(PROFILE_SCHEMA),
                cache_mode=CacheMode.BYPASS,
            ),
        )
        profiles = json.loads(dashboard.extracted_content or "[]") if dashboard.success else []
        if profiles:
            print(f"Logged in as: {profiles[0]['name']} <{profiles[0]['email']}>")
        else:
            print(f"No profile on the dashboard: {dashboard.error_message}")

        guest = await crawler.arun(
            url=f"{base_url}/dashboard",
            config=CrawlerRunConfig(
                session_id="guest_session",
                session_isolation=True,
                wait_for="css:.login-required",
                cache_mode=CacheMode.BYPASS,
            ),
        )
        guest_refused = guest.success and "Please log in" in guest.html
        verdict = "asked to log in" if guest_refused else "NOT refused"
        print(f"Guest session (own browser): {verdict}")

        await crawler.kill_session(session_id)
        await crawler.kill_session("guest_session")

    return (
        login.success
        and profiles == [{"name": "Demo User", "email": "demo@example.com"}]
        and guest_refused
    )


def main() -> int:
    with demo_base_url() as base_url:
        ok = asyncio.run(login_and_read_profile(base_url))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
