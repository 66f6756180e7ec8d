"""Parts of pages that are the same for every reader, rendered once and kept.

A fragment is cached under a key that holds everything its HTML depends on: the data it shows
(or a version id that changes whenever that data does), the page language and the application
root links are built from. Nothing personal may enter a key or a fragment: what differs from one
reader to another (progress, form tokens) is rendered on every request around the fragments.

Each application in each worker process keeps its own bounded cache; since keys carry the data
or its version, a change made through another process can never be served stale: it is simply a
new key.
"""
from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from trainer.content import SectionSpec
from trainer.extensions_setup import current_locale
from trainer.lru import LRUCache
from trainer.models import Course, CourseVersion, Module, Referral
from trainer.services import course_data, referrals
from trainer.vocabulary import ModuleState

MAX_FRAGMENTS = 256
# Stands for the reader's form token in a kept fragment; filled in on every request. Random per
# process, so no course text can contain it.
TOKEN_HOLE = f"token-{secrets.token_hex(16)}"
PATH_HOLE = f"path-{secrets.token_hex(16)}"  # and the page's own path (with its query string)


def cache() -> LRUCache:
    """This application's fragments (tests run several applications in one process)."""
    found = current_app.extensions.get("fragments")
    if found is None:
        found = current_app.extensions["fragments"] = LRUCache(MAX_FRAGMENTS)
    return found


def kept(*key: Hashable, caller: Callable[[], str]) -> Markup:
    """For templates: ``{% call kept("name", what it shows...) %}...{% endcall %}`` renders the
    block once per language and key and keeps it. The key must name everything the block shows
    (ids alone only for what never changes under them), and the block must hold nothing personal:
    the reader's form token and the page's path go in as ``token_hole`` and ``path_hole``."""
    return fill_holes(cache().get(("kept", *_page_key(), *key), lambda: Markup(caller())))


def fill_holes(html: Markup) -> Markup:
    """A kept fragment with this request's form token and path put into its holes."""
    if TOKEN_HOLE in html:
        html = Markup(html.replace(TOKEN_HOLE, escape(generate_csrf())))
    if PATH_HOLE in html:
        html = Markup(html.replace(PATH_HOLE, escape(request.full_path if request.query_string else request.path)))
    return html


def _page_key() -> tuple[str, str]:
    """What every fragment depends on besides its data: the language, and the root of links."""
    return current_locale(), request.script_root


def _reader() -> Any:
    """The signed-in person reading the page, or None."""
    return current_user if current_user and current_user.is_authenticated else None


def phone_list() -> Markup:
    """The lesson page's list of services to call, the reader's likely country first.

    Keyed by the rows it shows (one narrow query every time), so an edited entry or a new check
    date shows at once."""
    language, root = _page_key()
    groups = referrals.phone_list(referrals.learner_country(language, _reader()))
    return cache().get(("phone-list", language, root, _shown(groups, tuple)),
                     lambda: Markup(render_template("learn/_who_to_call.html", directory_groups=groups)))


def directory(groups: list[referrals.CountryGroup]) -> Markup:
    """The Support page's directory of services, whole.

    Keyed by everything stored of the entries it shows (they are read whole every time), so an
    edited entry or a new check date shows at once."""
    language, root = _page_key()
    return cache().get(("directory", language, root, _shown(groups, _entry_key)),
                     lambda: Markup(render_template("pages/_directory.html", groups=groups)))


def _shown(groups: list[referrals.CountryGroup], entry_key: Callable[[Any], tuple[Any, ...]]) -> tuple[Any, ...]:
    """What a list of services shows, as part of a key: each country with its entries in order,
    each entry as ``entry_key`` writes it."""
    return tuple((group.country, tuple(entry_key(entry) for entry in group.services)) for group in groups)


def _entry_key(entry: Referral) -> tuple[Any, ...]:
    """Every column of a directory entry, hashable (its JSON columns written out)."""
    values = (getattr(entry, column.key) for column in sa.inspect(Referral).column_attrs)
    return tuple(json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value for value in values)


def sections(module: Module) -> tuple[SectionSpec, ...]:
    """A lesson's sections (see course_data.kept_sections): most pages need not read the body."""
    return course_data.kept_sections(module)


def lesson_body(course: Course, version: CourseVersion, module: Module,
                sections: list[tuple[SectionSpec, str]]) -> Markup:
    """A lesson's title, overview, sections and references, each section as the reader left it
    (``sections`` pairs each with its state: read, alternative, skipped or undecided).

    Kept per module version, language and the states of its sections; the reader's form token is
    put into the content notes' forms on every request."""
    language, root = _page_key()
    key = ("lesson", version.id, module.id, module.content_hash, course.slug, language, root,
           tuple(state for _section, state in sections))
    html = cache().get(key, lambda: render_template("learn/_lesson_body.html", course=course, version=version,
                                                  module=module, sections=sections, token=TOKEN_HOLE))
    return Markup(html.replace(TOKEN_HOLE, escape(generate_csrf())))


@dataclass(frozen=True)
class CourseLinks:
    """What a course's outline and previous/next links need besides the reader's progress."""

    hrefs: dict[str, str]  # module slug: its page
    labels: dict[str, str]  # module state: its label
    optional: str


def course_links(course: Course, modules: Sequence[Module]) -> CourseLinks:
    """The modules' links and the state labels in the reader's language, built once per course
    version's module list and language rather than once per module on every page."""
    slugs = tuple(m.slug for m in modules)
    return cache().get(("course-links", *_page_key(), course.slug, slugs), lambda: CourseLinks(
        {slug: url_for("learn.module", slug=course.slug, module_slug=slug) for slug in slugs},
        {state.value: str(state.label) for state in ModuleState}, _("optional")))
