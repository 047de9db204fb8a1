from tuijin.core.querysets import RestrictedQuerySet

from .yearly import yearly_category_expression

__all__ = ["ProjectQuerySet"]


class ProjectQuerySet(RestrictedQuerySet):
    def with_yearly_category(self, year: int) -> "ProjectQuerySet":
        expression, helpers = yearly_category_expression(year)
        return self.annotate(**helpers).annotate(yearly_category=expression)
