#!/usr/bin/env python3
"""The sign-up in a real browser (headless Chromium through chromedriver
and Selenium): build the site with `subscribe_url`, start `storyfeed serve`
with an outbox, fill the form on a theme page, follow the confirmation link
from the caught .eml, confirm, change a preference, and check the database
with `storyfeed subscribers list`.

Screenshots of the sign-up form (and the app's full form), the
confirmation page and the preference page at 390 px and 1280 px go to $STORYFEED_SCREENSHOTS (default: a
temporary directory, printed at the end).

Usage: scripts/check-browser.py [path/to/storyfeed]   (default target/debug/storyfeed)
"""

import email
import email.policy
import glob
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/debug/storyfeed")
ADDRESS = "browser.test@example.org"
THEME = "drugs"
WIDTHS = (390, 1280)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, check, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    sys.exit(f"check-browser: timed out waiting for {what}")


def fail(message):
    sys.exit(f"check-browser: {message}")


def submit(driver, css, expected):
    """Clicks a submit button and waits for the next page to say `expected`
    (a click returns before the page it loads is there)."""
    driver.find_element(By.CSS_SELECTOR, css).click()
    try:
        WebDriverWait(driver, 30).until(lambda d: expected in d.page_source)
    except TimeoutException:
        fail(f"after {css}: no {expected!r} in\n{driver.page_source[:3000]}")


def screenshot(driver, name, shots, element=None):
    """Full-page screenshots of the current page at each width."""
    for width in WIDTHS:
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
        )
        height = driver.execute_script(
            "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)"
        )
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": min(max(height, 600), 4000), "deviceScaleFactor": 1,
             "mobile": width < 600},
        )
        path = os.path.join(shots, f"{name}-{width}.png")
        if element is not None:
            driver.find_element(*element).screenshot(path)
        else:
            driver.save_screenshot(path)
        # No page may be wider than the screen (no sideways scrolling).
        scroll = driver.execute_script("return document.documentElement.scrollWidth")
        if scroll > width:
            fail(f"{name} is {scroll} px wide at {width} px")
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def save_html(url, shots, name):
    """The page's bytes as served (GETs change nothing)."""
    with urllib.request.urlopen(url, timeout=30) as answer, \
            open(os.path.join(shots, f"{name}.html"), "wb") as f:
        f.write(answer.read())


def main():
    work = tempfile.mkdtemp(prefix="storyfeed-browser-")
    shots = os.environ.get("STORYFEED_SCREENSHOTS") or os.path.join(work, "screenshots")
    os.makedirs(shots, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    config = os.path.join(work, "storyfeed.toml")
    with open(config, "w") as f:
        f.write(
            f'base_url = "{base}"\n'
            f'subscribe_url = "{base}subscribe"\n'
            f'archives = ["{ROOT}/data/archives"]\n'
            f'taxonomy = "{ROOT}/data/taxonomy.toml"\n'
            f'ledger = "{work}/published.jsonl"\n'
            f'corrections = "{ROOT}/data/corrections.toml"\n'
            f'out_dir = "{work}/public"\n'
            "[digest]\n"
            f'state_dir = "{work}/state"\n'
            f'subscribers = "{work}/subscribers.toml"\n'
        )
    env = dict(os.environ, STORYFEED_SECRET="browser-check-secret")
    env.pop("STORYFEED_SMTP_PASSWORD", None)
    subprocess.run([BIN, "build", "--config", config], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    # The built pages with the form, for the Nu HTML Checker too.
    for page, name in ((f"themes/{THEME}.html", "site-theme-page"), ("index.html", "site-index")):
        with open(os.path.join(work, "public", page), "rb") as f, \
                open(os.path.join(shots, f"{name}.html"), "wb") as out:
            out.write(f.read())
    outbox = os.path.join(work, "outbox")
    server = subprocess.Popen(
        [BIN, "serve", "--port", str(port), "--outbox", outbox, "--config", config],
        env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "serve.log"), "w"),
    )
    try:
        def up():
            try:
                return urllib.request.urlopen(base, timeout=2).status == 200
            except OSError:
                return False
        wait_until("the server", up)

        options = Options()
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
            options.add_argument(arg)
        binary = next((b for b in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if os.path.exists(b)), None)
        if binary:
            options.binary_location = binary
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            # 0. The app's full form, as "Choose more topics" opens it.
            driver.get(f"{base}themes/{THEME}.html")
            driver.find_element(By.LINK_TEXT, "Choose more topics").click()
            WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "email"))
            screenshot(driver, "subscribe-page", shots)
            if not driver.find_element(By.CSS_SELECTOR, f"input[name=theme][value={THEME}]").is_selected():
                fail(f"the full form does not have {THEME} checked")

            # 1. The short form on a built theme page.
            driver.get(f"{base}themes/{THEME}.html")
            form = (By.CSS_SELECTOR, "form.signup")
            screenshot(driver, "signup-form", shots, element=form)
            driver.find_element(By.ID, "signup-email").send_keys(ADDRESS)
            submit(driver, "form.signup button[type=submit]", "Check your inbox")

            # 2. The confirmation mail, written by the server's mailer.
            found = wait_until("the confirmation .eml",
                               lambda: glob.glob(os.path.join(outbox, "signup", "*.eml")))
            with open(found[0], "rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            text = msg.get_body(preferencelist=("plain",)).get_content()
            link = next((w for w in text.split() if w.startswith(f"{base}confirm?")), None)
            if not link:
                fail(f"no confirmation link in the mail:\n{text}")

            # The app's pages as served, for the Nu HTML Checker (.ci/run).
            save_html(f"{base}subscribe?theme={THEME}", shots, "subscribe-page")
            save_html(link, shots, "confirm-page")

            # 3. The link shows a button (a GET confirms nothing); press it.
            driver.get(link)
            screenshot(driver, "confirm-page", shots)
            submit(driver, "main form button[type=submit]", "You are subscribed")

            # 4. The preference page: add a programme, monthly, save.
            driver.find_element(By.LINK_TEXT, "Manage your subscription").click()
            WebDriverWait(driver, 30).until(
                lambda d: d.find_elements(By.CSS_SELECTOR, "button[value=save]"))
            screenshot(driver, "preferences-page", shots)
            save_html(driver.current_url, shots, "preferences-page")
            driver.find_element(By.CSS_SELECTOR, "input[name=programme]").click()
            driver.find_element(By.CSS_SELECTOR, "input[name=frequency][value=monthly]").click()
            submit(driver, "button[value=save]", "Your choices are saved")
        finally:
            driver.quit()
    finally:
        server.terminate()
        server.wait(timeout=10)

    listed = subprocess.run([BIN, "subscribers", "list", "--config", config], check=True,
                            env=env, capture_output=True, text=True).stdout
    row = next((l for l in listed.splitlines() if l.startswith(ADDRESS)), None)
    if not row:
        fail(f"{ADDRESS} not in `subscribers list`:\n{listed}")
    fields = row.split("\t")
    if fields[1] != "confirmed" or fields[2] != "monthly" or THEME not in fields[5].split():
        fail(f"unexpected row after the preference change: {row}")
    if len(fields[5].split()) < 2:
        fail(f"the programme chosen is missing: {row}")
    print(f"check-browser: sign-up, confirmation and preferences work in Chromium; screenshots in {shots}")


if __name__ == "__main__":
    main()
