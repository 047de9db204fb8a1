"""Issue #19 item 5: the schema documents what the API answers (schemathesis found responses breaking it). Failing
on the old schema: `rating` was `RatingEnum` alone, `Project.industry` a non-nullable string, and no operation
documented 400/404/412/428."""

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _prop(schema, component, name):
    return schema["components"]["schemas"][component]["properties"][name]


def test_a_blank_choice_read_only_field_allows_the_blank(schema):
    rating = _prop(schema, "Ticket", "rating")
    refs = {item.get("$ref", "").rsplit("/", 1)[-1] for item in rating["oneOf"]}
    assert refs == {"RatingEnum", "BlankEnum"} and rating["readOnly"]


def test_a_nullable_relation_read_only_field_is_nullable(schema):
    assert _prop(schema, "Project", "industry")["nullable"] is True
    assert not _prop(schema, "Project", "name").get("nullable")  # a NOT NULL column stays non-nullable


def test_every_operation_documents_the_error_answers(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404"} <= codes, (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert {"412", "428"} <= codes, (method, path)
    conflict = schema["components"]["schemas"]["ApiConflict"]
    assert {"detail", "code", "current", "current_version"} <= set(conflict["properties"])
