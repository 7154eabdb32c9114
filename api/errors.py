"""One error shape for the whole API (drf-standardized-errors):
{"type": "validation_error", "errors": [{"code", "detail", "attr"}]}, with `attr` naming the
field (`pupils.3.upn` for the fourth pupil of a bulk upsert)."""

from django.core.exceptions import ObjectDoesNotExist, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views import defaults
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions, serializers
from rest_framework.fields import get_error_detail


class ApiExceptionHandler(ExceptionHandler):
    def convert_known_exceptions(self, exc):
        # Services speak Django: a scoped .get() that finds nothing, a model's full_clean().
        if isinstance(exc, ObjectDoesNotExist):
            return exceptions.NotFound()
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(get_error_detail(exc))
        if isinstance(exc, SuspiciousOperation):  # e.g. too many fields in a query string
            return exceptions.ParseError(str(exc))
        return super().convert_known_exceptions(exc)

    def format_exception(self, exc):
        # A conflict may name what it conflicts with (a likely duplicate's existing id).
        return {**super().format_exception(exc), **getattr(exc, "extra_body", {})}


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(
        allow_null=True, help_text="The field at fault, dotted for nested ones: pupils.3.upn"
    )


class BadRequestResponseSerializer(serializers.Serializer):
    """A 400: every problem at once. Services check more than the request's shape (a pupil
    of another school, an end before the start), so codes and fields are open-ended."""

    type = serializers.ChoiceField(choices=["validation_error", "client_error"])
    errors = ErrorSerializer(many=True)


class LikelyDuplicateSerializer(serializers.Serializer):
    """A 409 from logging an experience: the error, and the experience(s) it repeats."""

    type = serializers.ChoiceField(choices=["client_error"])
    errors = ErrorSerializer(many=True)
    existing_experience = serializers.IntegerField(help_text="The best match's id.")
    existing_experiences = serializers.ListField(
        child=serializers.IntegerField(), help_text="Every match, most pupils in common first."
    )


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _error(kind: str, code: str, detail: str, status: int) -> JsonResponse:
    body = {"type": kind, "errors": [{"code": code, "detail": detail, "attr": None}]}
    return JsonResponse(body, status=status)


def not_found(request, exception=None):
    """URLs that match no route: JSON in the API's shape under /api/, the page elsewhere."""
    if _is_api(request):
        return _error("client_error", "not_found", "Not found.", 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return _error("server_error", "error", "A server error occurred.", 500)
    return defaults.server_error(request)
