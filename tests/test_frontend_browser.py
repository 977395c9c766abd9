"""The example frontend in a real browser: the real server, the built app, headless Chromium.

The app (examples/frontend) is built once per run with npm, served by a small static server
on a port of its own, and pointed at a `rapport serve --demo` whose CORS origins admit that
port. Chromium searches, pages, opens a customer and logs an interaction; then another client
logs one over HTTP and the page must show it without a reload, through the subscription.
Without npm, Chromium or the playwright package the test is skipped with the reason, except
under CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import Databases
from tests.test_e2e import RAPPORT, _free_port, _wait_until_ready

pytestmark = pytest.mark.e2e

FRONTEND = Path(__file__).resolve().parents[1] / "examples" / "frontend"
CHROMIUM = "/usr/bin/chromium"
BUILD_SECONDS = 600
# How long the page may take to show what another client wrote (the subscription's own
# budget is one second; the browser's rendering and the write itself come on top).
LIVE_SECONDS = 5


def _missing_tool() -> str | None:
    if shutil.which("npm") is None:
        return "npm is not installed (needed to build examples/frontend)"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="session")
def built_app() -> Path:
    """``dist/`` of the example app, built from this checkout's schema."""
    missing = _missing_tool()
    if missing is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{missing}; CI must run the browser test")
        pytest.skip(missing)
    steps = [["npm", "run", "build"]]
    if not (FRONTEND / "node_modules").is_dir():
        steps.insert(0, ["npm", "ci", "--no-audit", "--no-fund"])
    for step in steps:
        done = subprocess.run(
            step, cwd=FRONTEND, capture_output=True, text=True, timeout=BUILD_SECONDS
        )
        assert done.returncode == 0, f"{' '.join(step)} failed:\n{done.stdout}\n{done.stderr}"
    return FRONTEND / "dist"


@pytest.fixture(scope="module")
def app_url(built_app: Path) -> Iterator[str]:
    """The built app on a static HTTP server of its own: another origin than the API's."""
    handler = functools.partial(_QuietFiles, directory=str(built_app))
    server = ThreadingHTTPServer(("127.0.0.1", _free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Api:
    url: str
    key: str
    log: Path

    def post(self, query: str, **variables: Any) -> Any:
        response = httpx.post(
            self.url,
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.key}"},
            timeout=30,
        )
        body = response.json()
        assert "errors" not in body, body
        return body["data"]


@pytest.fixture(scope="module")
async def browser_env(
    databases: Databases, app_url: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("RAPPORT_")}
    env["RAPPORT_DATABASE_URL"] = await databases.create()
    env["RAPPORT_CONFIG"] = str(tmp_path_factory.mktemp("cfg") / "absent.toml")
    env["RAPPORT_CORS_ORIGINS"] = app_url
    return env


@pytest.fixture(scope="module")
def api(browser_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*RAPPORT, "serve", "--demo", "--port", str(port)],
            env=browser_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        yield Api(f"{base}/graphql", _wait_until_ready(base, log, process), log)
    finally:
        process.terminate()
        process.wait(timeout=30)


CREATE_PERSON = """mutation($first: String!, $last: String!) {
  createCustomer(input: {kind: PERSON, firstName: $first, lastName: $last}) {
    customer { id } errors { code } } }"""
CREATE_ORGANIZATION = """mutation($name: String!) {
  createCustomer(input: {kind: ORGANIZATION, organizationName: $name}) {
    customer { id } errors { code } } }"""
ADD_EMAIL = """mutation($id: ID!, $email: String!) {
  addContactPoint(customerId: $id, input: {kind: EMAIL, value: $email, isPrimary: true}) {
    errors { code } } }"""
RELATE = """mutation($from: ID!, $to: ID!) {
  createRelationship(input: {type: "employee_of", fromId: $from, toId: $to}) {
    errors { code } } }"""
LOG = """mutation($id: ID!, $subject: String!) {
  logInteraction(input: {customerId: $id, kind: "meeting", direction: INBOUND, subject: $subject}) {
    interaction { id } errors { code } } }"""


def _customer_to_find(api: Api) -> str:
    """A customer with a name no demo customer has, an email and an employer."""
    person = api.post(CREATE_PERSON, first="Zephyrine", last="Quillfeather")
    person_id = person["createCustomer"]["customer"]["id"]
    employer = api.post(CREATE_ORGANIZATION, name="Quillfeather Instruments")
    employer_id = employer["createCustomer"]["customer"]["id"]
    added = api.post(ADD_EMAIL, id=person_id, email="zephyrine@quill.example")
    assert added["addContactPoint"]["errors"] == []
    related = api.post(RELATE, **{"from": person_id, "to": employer_id})
    assert related["createRelationship"]["errors"] == []
    return str(person_id)


async def test_search_page_open_log_and_see_another_clients_interaction_live(
    api: Api, app_url: str, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    customer_id = _customer_to_find(api)
    problems: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM)
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("pageerror", lambda error: problems.append(str(error)))
        try:
            # The settings form comes first: where the API is, and the demo key.
            await page.goto(app_url)
            await page.get_by_label("API URL").fill(api.url)
            await page.get_by_label("API key").fill(api.key)
            await page.get_by_role("button", name="Save").click()

            # Every customer, a page at a time, forward and back by cursor.
            results = page.get_by_test_id("results").locator("li a")
            await expect(page.get_by_text("page 1", exact=False)).to_be_visible()
            first_page = await results.all_inner_texts()
            assert len(first_page) == 10
            await page.get_by_role("button", name="Next →").click()
            await expect(page.get_by_text("page 2", exact=False)).to_be_visible()
            second_page = await results.all_inner_texts()
            assert second_page
            assert not set(second_page) & set(first_page)
            await page.get_by_role("button", name="← Previous").click()
            await expect(page.get_by_text("page 1", exact=False)).to_be_visible()
            assert await results.all_inner_texts() == first_page

            # Search, and open the hit.
            await page.get_by_role("searchbox").fill("Quillfeather")
            await page.get_by_role("button", name="Search").click()
            await results.filter(has_text="Zephyrine Quillfeather").first.click()
            await expect(page.get_by_role("heading", name="Zephyrine Quillfeather")).to_be_visible()
            await expect(page.get_by_test_id("contact-points")).to_contain_text(
                "zephyrine@quill.example"
            )
            await expect(page.get_by_test_id("relationships")).to_contain_text(
                "Quillfeather Instruments"
            )
            # The server runs every built-in plugin: their panels are shown.
            await expect(page.get_by_test_id("sales-panel")).to_contain_text("opportunities")
            await expect(page.get_by_test_id("banking-panel")).to_contain_text(
                "Relationship manager"
            )
            await expect(page.get_by_test_id("live-status")).to_have_attribute(
                "data-status", "live"
            )

            # Log an interaction from the page.
            timeline = page.get_by_test_id("timeline")
            await page.get_by_label("Kind").select_option("call")
            await page.get_by_label("Subject").fill("Called from the browser")
            await page.get_by_role("button", name="Log interaction").click()
            await expect(timeline.locator("li").first).to_contain_text("Called from the browser")

            # Another client logs one: it arrives through the subscription, in the same page.
            await page.evaluate("window.sameDocument = true")
            api.post(LOG, id=customer_id, subject="Logged by a colleague")
            arrived = timeline.locator("li.live", has_text="Logged by a colleague")
            await expect(arrived).to_be_visible(timeout=LIVE_SECONDS * 1000)
            assert await page.evaluate("window.sameDocument") is True, "the page was reloaded"
            assert await timeline.locator("li", has_text="Called from the browser").count() == 1
            assert problems == []
            await page.screenshot(path=tmp_path / "customer-360.png", full_page=True)
        finally:
            if not (tmp_path / "customer-360.png").exists():
                await page.screenshot(path=tmp_path / "failure.png", full_page=True)
            await browser.close()
    assert (tmp_path / "customer-360.png").stat().st_size > 0
