"""The audit log: a careers leader's school trail and a hub lead's hub-level actions."""

import csv

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from .audit import audit_export
from .forms import AuditFilterForm
from .routes import requires
from .selectors import audit_events, audit_page, describe_event, who_did_it


def _filtered(request):
    form = AuditFilterForm(request.GET or None, actor=request.actor)
    if form.is_bound and not form.is_valid():
        return form, None
    filters = form.filters() if form.is_bound else {}
    return form, audit_events(actor=request.actor, **filters)


@requires("audit.view")
def audit_log(request):
    form, events = _filtered(request)
    page = audit_page(events, request.GET.get("page")) if events is not None else None
    if page is not None:
        for event in page:
            event.who = who_did_it(event)
            event.what = describe_event(event)
    return render(
        request,
        "access/audit_log.html",
        {"form": form, "page": page},
        status=200 if events is not None else 400,
    )


def _cell(value) -> str:
    # A name or an email typed at sign-in starting with = + - @ would be a formula in a
    # spreadsheet: a leading apostrophe keeps it text.
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value):
        return value


@requires("audit.view")
def audit_log_csv(request):
    form, events = _filtered(request)
    if events is None:
        return render(request, "access/audit_log.html", {"form": form, "page": None}, status=400)
    actor = request.actor
    filters = form.filters() if form.is_bound else {}
    used = [f"{key}={value}" for key, value in filters.items() if value]
    # The export is an event of the trail it exports, visible to the same people; the rows
    # are those before it (its own event is not in its file).
    export = audit_export(
        actor,
        model="access.AuditEvent",
        object_pk="",
        hub_id=actor.hub_id,
        school_id=actor.school_id,
        detail=used,
        rows=events.count(),
    )
    # The queryset is scoped now, inside the request; the rows stream after the view
    # returns, a chunk at a time, never all in memory.
    rows = events.filter(pk__lt=export.pk).iterator(chunk_size=2000)
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(["When", "Who", "Action", "What", "Record", "Number", "Fields"])
        for event in rows:
            yield writer.writerow(
                _cell(value)
                for value in [
                    timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
                    who_did_it(event),
                    event.get_action_display(),
                    describe_event(event),
                    event.model,
                    event.object_pk,
                    " ".join(str(f) for f in event.changed_fields),
                ]
            )

    day = timezone.localdate()
    return StreamingHttpResponse(
        lines(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-log-{day:%Y-%m-%d}.csv"'},
    )
