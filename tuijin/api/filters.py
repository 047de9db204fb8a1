"""The API's filter backend (issue 19 item 11): a foreign key in `filterset_fields` is filtered by its id as a number.

django-filter's default (a ModelChoiceFilter over every row) answered `?project=<another unit's id>` with 200 and an
empty list but `?project=99999` with 400 "select a valid choice": a caller could learn which ids exist outside their
scope. By number, both are 200 and empty (the rows are already restricted), and a value that is not a number is 400
for every caller alike. Filtersets written by hand (`filterset_class`) choose their own filters."""

import copy

import django_filters
from django import forms
from django.db import models
from django_filters.rest_framework import DjangoFilterBackend, FilterSet

__all__ = ["IdFilter", "IdFilterBackend", "IdFilterSet"]


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number (no ModelChoiceField, hence no lookup of whether the row exists)."""

    field_class = forms.IntegerField

    def filter(self, qs, value):
        # ids are 64-bit (BigAutoField): a number outside that range is no row, not a database overflow (a 500 on
        # SQLite and PostgreSQL alike before, found by the schemathesis run)
        if value is not None and not -(2**63) <= value < 2**63:
            return qs.none()
        return super().filter(qs, value)


FILTER_DEFAULTS = copy.deepcopy(FilterSet.FILTER_DEFAULTS)
for _field in (models.ForeignKey, models.OneToOneField):
    FILTER_DEFAULTS[_field] = {"filter_class": IdFilter}


class IdFilterSet(FilterSet):
    FILTER_DEFAULTS = FILTER_DEFAULTS


class IdFilterBackend(DjangoFilterBackend):
    filterset_base = IdFilterSet
