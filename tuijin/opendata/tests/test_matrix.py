"""Permission matrix of 数据公开 (utilities/testing/matrix.py): the settings page (one row for the installation),
the one-project preview (404 outside the scope), the package download and the API (the neighbouring district's
project absent, present for a user who reaches it). The anonymous public package is in test_views."""

import pytest

from tuijin.utilities.testing.matrix import ApiMatrix, Case, ViewMatrix

from .helpers import coded

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(world):
    return coded(world.unit_a, "甲街道公开项目"), coded(world.foreign_unit, "邻区公开项目")


def code(obj) -> str:
    return obj.code


class TestSettings(ViewMatrix):
    url_name = "opendata:settings"
    detail = False
    scoped = False
    unscoped_reason = "one row of publication settings for the whole installation, not a unit's or a district's"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.leader)


class TestPreview(ViewMatrix):
    url_name = "opendata:preview"

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=projects[0],
            out_of_scope=projects[1],
            marker=code,
            viewer=world.foreign_office,
        )


class TestPackage(ViewMatrix):
    url_name = "opendata:package"
    detail = False

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(
            allowed=world.office,
            denied=world.sponsor,
            in_scope=projects[0],
            out_of_scope=projects[1],
            marker=code,
            viewer=world.foreign_office,
        )


class TestApiPackage(ApiMatrix):
    url_name = "opendata-api:package"
    detail = False

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(
            allowed=world.office,
            denied=world.ent_user_a,
            in_scope=projects[0],
            out_of_scope=projects[1],
            marker=code,
            viewer=world.foreign_office,
        )
