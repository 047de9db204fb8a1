"""Regressions found by the schemathesis run (`tests/browser/test_api_fuzz.py`), each a 500 before its fix."""

import pytest


@pytest.mark.parametrize("year", ["0", "-1", "100000000000000000000", "-3.4e38"])
def test_an_out_of_range_year_filter_is_a_400_not_a_500(client, world, year):
    """`?year=` filtered `date__year`: year 0 raised ValueError, a huge one OverflowError, both answered 500."""
    url = "/api/chains/cooperations/"
    client.force_login(world.office)
    response = client.get(url, {"year": year})
    assert response.status_code == 400
    assert "year" in response.json()
    assert client.get(url, {"year": "2026"}).status_code == 200


@pytest.mark.parametrize("value", ["159343920107042904211456", "-1593439201070429042114560"])
def test_an_id_filter_beyond_64_bits_is_an_empty_list(client, world, value):
    """`?batch=<a 24-digit number>` reached the database as is: OverflowError, 500."""
    client.force_login(world.office)
    response = client.get("/api/funds/applications/", {"batch": value})
    assert response.status_code == 200 and response.json()["results"] == []


def test_a_huge_version_in_a_workflow_body_is_a_conflict_not_a_500(world):
    """The conflict's change list filtered `version > <the body's number>`: OverflowError, 500."""
    from tuijin.core.exceptions import ConflictError
    from tuijin.core.locking import bump_version
    from tuijin.projects.tests.factories import make_project

    project = make_project(unit=world.unit_a, actor=world.office, name="版本溢出测试")
    project.name = "版本溢出测试（改）"
    with pytest.raises(ConflictError) as caught:
        bump_version(project, expected_version=10**30, update_fields=["name"])
    assert "已被他人修改" in caught.value.message
