"""Ids and numbers too large for a database integer are "not found", never a server error.

PostgreSQL refuses to compare an INTEGER column (32 bits) with a larger number and SQLite cannot
bind one beyond 64 bits, so every ``<int:...>`` in a route refuses them before a view runs."""
from __future__ import annotations

import re

import pytest

from tests.conftest import login
from tests.web.test_authz_matrix import MATRIX, Row, Scene, _cohort

INT_PLACEHOLDER = re.compile(r"<int:\w+>")
ID_ROUTES = list(dict.fromkeys((row.method, row.rule) for row in MATRIX if INT_PLACEHOLDER.search(row.rule)))
HUGE = ("2147483648", "9223372036854775808", "99999999999999999999")  # 2**31, 2**63 and beyond


def test_every_int_in_a_route_is_bounded(app):
    from trainer.web import IdConverter

    converters = [c for rule in app.url_map.iter_rules() for c in rule._converters.values()]
    numeric = [c for c in converters if c.regex == r"\d+"]
    assert len(numeric) >= len(ID_ROUTES) and all(isinstance(c, IdConverter) for c in numeric)


@pytest.mark.parametrize("huge", HUGE)
@pytest.mark.parametrize("method, rule", ID_ROUTES, ids=[f"{m} {r}" for m, r in ID_ROUTES])
def test_a_huge_id_is_not_found(app, client, make_user, published_course, method, rule, huge):
    admin = make_user(roles=("admin",))
    target = make_user()
    cohort = _cohort(app, admin.id, target.id)
    login(client, admin)
    url = Scene(app, target, admin.id, admin.email, cohort).concrete(Row(method, INT_PLACEHOLDER.sub(huge, rule), {}))
    assert client.open(url, method=method, data={}).status_code == 404


@pytest.mark.parametrize("method, rule", ID_ROUTES, ids=[f"{m} {r}" for m, r in ID_ROUTES])
def test_the_largest_id_reaches_the_view_without_an_error(app, client, make_user, published_course, method, rule):
    admin = make_user(roles=("admin",))
    target = make_user()
    login(client, admin)
    scene = Scene(app, target, admin.id, admin.email, cohort=None)
    url = scene.concrete(Row(method, INT_PLACEHOLDER.sub(str(2**31 - 1), rule), {}))
    assert client.open(url, method=method, data={}).status_code in (302, 400, 404)


@pytest.mark.parametrize("query", ["/admin/users?page=", "/admin/audit?page=",
                                   "/authoring/courses/core/versions?to=", "/authoring/courses/core/versions?from="])
@pytest.mark.parametrize("huge", HUGE)
def test_a_huge_number_in_a_query_is_ignored(client, make_user, published_course, query, huge):
    login(client, make_user(roles=("admin",)))
    assert client.get(query + huge).status_code == 200
