from dataclasses import asdict

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from access.routes import requires

from .pupil_csv import pupil_import_apply, pupil_import_preview, session_rows_valid, template_csv

SESSION_KEY = "equalex_pupil_import"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file from your MIS",
        help_text="One row per pupil. Download the template to see the columns.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        return upload


# The previewed rows as read, kept for the preview's pages (a file of 1,500 pupils is
# shown a page at a time), whether or not the file can be imported.
LISTING_KEY = "equalex_pupil_import_listing"
ROWS_PER_PAGE = 100
SHOWS = {
    "all": "All rows",
    "check": "Names to check",
    "problem": "Need fixing",
    "new": "New",
    "updated": "Updated",
    "joining": "Moving here from another school",
    "leaving": "Leaving",
}


def _listing(preview) -> dict:
    return {
        "ok": preview.ok,
        "created": preview.created,
        "updated": preview.updated,
        "elsewhere": preview.elsewhere,
        "leaving": preview.leaving,
        "encoding": preview.encoding,
        "confirmable": len(preview.rows) if preview.ok else 0,
        "problems": [asdict(problem) for problem in preview.problems],
        "lines": preview.lines,
    }


def _shown(line: dict, show: str) -> bool:
    if show == "all":
        return True
    if show == "check":
        return bool(line["warnings"])
    return line["change"] == show


def _render_preview(request, listing: dict, *, status: int = 200):
    show = request.GET.get("show", "all")
    if show not in SHOWS:
        show = "all"
    lines = listing["lines"]
    filters = [
        {"key": key, "label": label, "count": sum(1 for line in lines if _shown(line, key))}
        for key, label in SHOWS.items()
    ]
    page = Paginator([line for line in lines if _shown(line, show)], ROWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "learners/import_preview.html",
        {
            "preview": listing,
            "page": page,
            "show": show,
            "show_label": SHOWS[show],
            "filters": [f for f in filters if f["count"] or f["key"] in ("all", show)],
            "to_check": filters[1]["count"],
        },
        status=status,
    )


@requires("pupil.import")
def pupil_import(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        preview = pupil_import_preview(
            actor=request.actor,
            school_id=request.actor.school_id,
            uploaded=form.cleaned_data["file"].read(),
        )
        if preview.ok:
            request.session[SESSION_KEY] = preview.to_session()
        else:
            request.session.pop(SESSION_KEY, None)
        listing = _listing(preview)
        request.session[LISTING_KEY] = listing
        return _render_preview(request, listing, status=200 if preview.ok else 422)
    return render(request, "learners/import_upload.html", {"form": form})


@requires("pupil.import")
def pupil_import_rows(request):
    """Another page (or filter) of the rows of the file last previewed."""
    listing = request.session.get(LISTING_KEY)
    if not listing:
        return redirect("pupil_import")
    return _render_preview(request, listing, status=200 if listing["ok"] else 422)


@requires("pupil.import")
def pupil_import_confirm(request):
    if request.method != "POST":
        return redirect("pupil_import")
    rows = session_rows_valid(request.session.pop(SESSION_KEY, None))
    request.session.pop(LISTING_KEY, None)
    if rows is None:
        messages.error(request, "Nothing was imported: upload the file again to preview it.")
        return redirect("pupil_import")
    result = pupil_import_apply(actor=request.actor, school_id=request.actor.school_id, rows=rows)
    messages.success(
        request,
        f"Imported: {result.created} new, {result.updated} updated"
        + f", {result.moved} joined from a school that had recorded them as left"
        * bool(result.moved)
        + ".",
    )
    waiting = len(result.awaiting_release)
    if waiting:
        messages.info(
            request,
            f"{waiting} pupil{'s are' if waiting != 1 else ' is'} on another school's roll: "
            "we have asked that school to release them. "
            "Your arrivals page shows the outcome.",
        )
        return redirect("transfer_arrivals")
    return redirect("pupil_list")


@requires("pupil.import")
def pupil_import_template(request):
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="equalex-pupils-template.csv"'
    return response
