"""LTI 1.3 in Chromium: the harness platform (tests/support/lti_platform.py) launches the site in a
window of its own, inside its course page's frame (where the site opens a new window rather than
rely on a cookie in the frame), and for deep linking, whose answer the site posts back by itself."""
from __future__ import annotations

import json
import urllib.request

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.conftest import audit
from tests.support.lti_platform import INSTRUCTOR, running_platform
from trainer.extensions import db
from trainer.models import LtiKey, LtiPlatform
from trainer.services import lti

MODULE = {"course": "core", "module": "what-it-is"}


@pytest.fixture
def platform(live_server):
    app = live_server.app
    with running_platform() as harness:
        harness.tool_base = live_server.url
        with app.app_context():
            lti.rotate_key()
            lti.add_platform(lti.PlatformDetails(**harness.registration()))
            db.session.commit()
        with urllib.request.urlopen(live_server.url + "/lti/jwks") as answer:
            harness.trust_tool(json.load(answer))
        yield harness
        with app.app_context():  # the end-to-end database is shared by the session's other journeys
            db.session.execute(sa.delete(LtiPlatform))
            db.session.execute(sa.delete(LtiKey))
            db.session.commit()


@pytest.fixture
def lms_context(context_factory, platform):
    """A browser context that may also reach the platform."""
    def make():
        context = context_factory()
        context.route(platform.base + "/**", lambda route: route.continue_())
        return context
    return make


def test_a_launch_in_its_own_window_asks_about_the_cohort_then_opens_the_module_signed_in(lms_context, platform):
    page = lms_context().new_page()
    page.goto(f"{platform.base}/start?hint={platform.prepare(sub='e2e-learner-1', custom=MODULE)}")
    # First the course's cohort: what its trainers would see, to accept or decline.
    expect(page.get_by_role("heading", name="Invitations to join a cohort")).to_be_visible()
    expect(page.get_by_text("If you join, the trainers of this cohort will see")).to_be_visible()
    audit(page)
    page.get_by_role("button", name="Accept and join").click()
    expect(page).to_have_url(f"{platform.tool_base}/courses/core/what-it-is")
    expect(page.get_by_role("heading", level=1)).to_contain_text("What human trafficking is")
    expect(page.locator(".flash-success")).to_contain_text("You joined")
    # The next launch opens the module at once.
    page.goto(f"{platform.base}/start?hint={platform.prepare(sub='e2e-learner-1', custom=MODULE)}")
    expect(page).to_have_url(f"{platform.tool_base}/courses/core/what-it-is")


def test_a_launch_in_the_lms_frame_opens_the_site_in_a_new_window(lms_context, platform):
    page = lms_context().new_page()
    page.goto(f"{platform.base}/course?hint={platform.prepare(sub='e2e-learner-2', custom=MODULE)}")
    frame = page.frame_locator("iframe[title=Tool]")
    link = frame.get_by_role("link", name="Open the training")
    expect(link).to_be_visible()
    with page.expect_popup() as popup_info:
        link.click()
    popup = popup_info.value
    popup.get_by_role("link", name="Decide later and go to the course").click()
    expect(popup).to_have_url(f"{platform.tool_base}/courses/core/what-it-is")
    expect(popup.get_by_role("heading", level=1)).to_contain_text("What human trafficking is")


def test_deep_linking_posts_the_authors_choice_back_to_the_lms(lms_context, platform):
    page = lms_context().new_page()
    page.goto(f"{platform.base}/start?hint="
              f"{platform.prepare(sub='e2e-teacher', roles=(INSTRUCTOR,), message_type='LtiDeepLinkingRequest')}")
    expect(page.get_by_role("heading", name="Choose what to link")).to_be_visible()
    audit(page)
    # Other journeys publish courses with a module of the same title: choose the core course's.
    page.locator("#choice-core-what-it-is").check()
    page.get_by_role("button", name="Link it").click()
    expect(page).to_have_url(f"{platform.base}/deep-link-return")
    expect(page.locator("body")).to_have_text("received")
    item = platform.deep_link_answers[0]["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"][0]
    assert item["custom"] == MODULE
