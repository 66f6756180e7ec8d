"""A newcomer's first visit in a real browser: register, sign in, profile, language, quick exit,
sign out; every page audited for WCAG 2.1 A/AA in English and Dutch."""
from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import audit, mailed_link

PASSWORD = "harbour-lantern-violet-42"


def _register(page, email, name="Nguyễn Thị Minh Khai", check=True):
    page.goto("/register")
    if check:  # the audit runs a script in the page
        audit(page)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_label("Organisation").fill("St Joseph's Hospital")
    page.get_by_label("Sector").select_option("health")
    page.get_by_label("Profession or specialty (health)").select_option("emergency")
    page.get_by_label("I am a medical resident").check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_text(f"We sent a link to {email} to confirm it.")).to_be_visible()


def test_newcomer_journey(page, live_server):
    email = f"resident-{uuid.uuid4().hex[:8]}@example.org"
    _register(page, email)
    audit(page)

    # The link in the mail confirms the address; then they sign in.
    page.goto(mailed_link(live_server, email, "/email/confirm/"))
    expect(page.get_by_text(f"Thank you: your email address {email} is confirmed.")).to_be_visible()
    audit(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back, Nguyễn Thị Minh Khai.")).to_be_visible()
    expect(page.get_by_role("button", name="Send the link again")).to_have_count(0)

    # Sign out, then sign in again.
    page.get_by_role("button", name="Sign out").click()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()
    nav.get_by_role("link", name="Sign in").click()
    audit(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match an active account")
    audit(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back, Nguyễn Thị Minh Khai.")).to_be_visible()

    # Profile: change the organisation, see a field error, then save.
    page.get_by_role("link", name="Profile").click()
    audit(page)
    page.get_by_label("Name", exact=True).fill("")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#name-error")).to_have_text(re.compile("This field is required"))
    audit(page)
    page.get_by_label("Name", exact=True).fill("Nguyễn Thị Minh Khai")
    page.get_by_label("Organisation").fill("London Health Sciences Centre")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()

    # Download all one's data: the password is asked again.
    page.goto("/profile/data")
    download = page.get_by_role("region", name="Download everything")
    download.get_by_label("Your password", exact=True).fill("not the password at all")
    download.get_by_role("button", name="Download my data").click()
    expect(page.locator("#download-password-error")).to_have_text(re.compile("Your current password is not right"))
    audit(page)
    download.get_by_label("Your password", exact=True).fill(PASSWORD)
    with page.expect_download() as saved:
        download.get_by_role("button", name="Download my data").click()
    assert json.loads(Path(saved.value.path()).read_text(encoding="utf-8"))["account"]["email"] == email
    page.goto("/profile")

    # Switch to Dutch on any page; the choice sticks to the account.
    page.get_by_label("Language").first.select_option("nl")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", name="Je profiel")).to_be_visible()
    audit(page)
    for path in ("/", "/support", "/password", "/profile/two-factor", "/profile/data"):
        page.goto(path)
        audit(page)

    # Quick exit replaces the page: Back does not return to it.
    page.goto("/support")
    page.get_by_role("link", name=re.compile("Snel weg")).click()
    expect(page).to_have_title("Weather")
    page.go_back()
    assert "/support" not in page.url

    # Sign out (in Dutch).
    page.goto("/")
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_text("Je bent uitgelogd.")).to_be_visible()
    assert page.csp_errors == []


def test_confirming_an_address_works_without_javascript(context_factory, live_server):
    """Signed in before confirming: the notice on every page sends the link again, a plain form."""
    page = context_factory(java_script_enabled=False).new_page()
    email = f"nojs-{uuid.uuid4().hex[:8]}@example.org"
    _register(page, email, name="Amaru Quispe", check=False)
    mailed_link(live_server, email, "/email/confirm/")  # the first link is out before a second is asked for
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Please confirm your email address: open the link we sent to {email}.")).to_be_visible()
    page.goto("/learning")
    page.get_by_role("button", name="Send the link again").click()
    expect(page.get_by_text(f"We sent a new link to {email}.")).to_be_visible()
    expect(page.get_by_role("heading", name="My learning")).to_be_visible()
    page.goto(mailed_link(live_server, email, "/email/confirm/", after=1))
    expect(page.get_by_text(f"Thank you: your email address {email} is confirmed.")).to_be_visible()
    expect(page.get_by_role("heading", name="My learning")).to_be_visible()
    expect(page.get_by_role("button", name="Send the link again")).to_have_count(0)


def test_every_public_page_passes_the_audit_in_both_languages(page):
    for language in ("en", "nl"):
        page.goto("/support")
        page.locator("#language-select").select_option(language)
        page.locator(".language-form button").click()
        for path in ("/", "/support", "/login", "/register", "/password/forgot", "/no-such-page"):
            page.goto(path)
            expect(page.locator("html")).to_have_attribute("lang", language)
            audit(page)
    assert page.csp_errors == []


def test_skip_link_then_quick_exit_lead_the_keyboard_order(page):
    page.goto("/login")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_id("quick-exit")
    page.keyboard.press("Enter")
    expect(page).to_have_title("Weather")


def test_three_shift_presses_leave_at_once(page):
    page.goto("/support")
    for _ in range(3):
        page.keyboard.press("Shift")
    expect(page).to_have_title("Weather")


def test_quick_exit_works_without_javascript(context_factory, live_server):
    context = context_factory(java_script_enabled=False)
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and page.csp_errors.append(msg.text))
    interstitials = []
    page.on("response", lambda response: response.url.endswith("/quick-exit") and interstitials.append(response))
    page.goto("/support")
    page.get_by_role("link", name=re.compile("Quick exit")).click()
    expect(page).to_have_url(live_server.app.config["QUICK_EXIT_URL"])
    expect(page).to_have_title("Weather")
    # It went through the bland interstitial, which the meta refresh left at once (CSP allows it).
    [interstitial] = interstitials
    assert interstitial.status == 200 and interstitial.headers["referrer-policy"] == "no-referrer"
    assert [request.all_headers().get("referer") for request in context.neutral_requests] == [None]
    assert page.csp_errors == []


def test_back_after_quick_exit_without_javascript_shows_nothing_personal(context_factory, live_server):
    page = context_factory(java_script_enabled=False).new_page()
    page.goto("/login")
    page.get_by_label("Email address").fill("resident@example.org")
    page.get_by_label("Password").fill("demo-resident-violet-kettle")
    page.get_by_role("button", name="Sign in").click()
    page.goto("/profile")
    expect(page.get_by_label("Name")).to_have_value("Rosa Resident")
    page.get_by_role("link", name=re.compile("Quick exit")).click()
    expect(page).to_have_url(live_server.app.config["QUICK_EXIT_URL"])
    page.go_back()
    expect(page).to_have_url(re.compile(r"/login"))
    assert "Rosa Resident" not in page.content()


def test_pages_fit_a_360_pixel_phone(context_factory, live_server):
    page = context_factory(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True).new_page()
    page.goto("/login")
    page.get_by_label("Email address").fill("resident@example.org")
    page.get_by_label("Password").fill("demo-resident-violet-kettle")
    page.get_by_role("button", name="Sign in").click()
    for path in ("/", "/profile", "/support", "/register", "/password"):
        page.goto(path)
        # Against the screen: a phone browser widens innerWidth to fit an overflowing page.
        width = page.evaluate("() => Math.max(document.documentElement.scrollWidth, window.innerWidth)")
        assert width <= 360, f"{path} is {width}px wide on a 360px screen"
        box = page.locator("#quick-exit").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360
        audit(page)


def test_the_audit_catches_a_violation(page):
    """The audit is only worth running if it can fail."""
    page.goto("/support")
    page.evaluate("() => { const i = document.createElement('input'); document.querySelector('main').append(i); }")
    try:
        audit(page)
    except AssertionError as error:
        assert "label" in str(error)
    else:
        raise AssertionError("an input without a label passed the accessibility audit")
