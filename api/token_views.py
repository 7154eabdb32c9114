from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from access.routes import requires

from .forms import ApiTokenForm
from .models import ApiToken
from .services import api_token_create, api_token_list, api_token_revoke


@requires("api.token")
def api_tokens(request):
    """The person's own tokens; a new token's secret is shown on this page once."""
    form = ApiTokenForm(request.POST or None, actor=request.actor)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = api_token_create(
                actor=request.actor,
                name=form.cleaned_data["name"],
                read_only=not form.cleaned_data["can_write"],
                membership_id=form.cleaned_data["membership"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            form = ApiTokenForm(actor=request.actor)
    context = {"form": form, "tokens": api_token_list(actor=request.actor), "secret": secret}
    response = render(request, "api/tokens.html", context)
    response["Cache-Control"] = "no-store"  # the secret must not sit in a cache
    return response


@requires("api.token")
@require_POST
def api_token_revoke_view(request, token_id: int):
    try:
        token = api_token_revoke(actor=request.actor, token_id=token_id)
    except ApiToken.DoesNotExist as missing:
        raise Http404 from missing
    messages.success(request, f"“{token.name}” is revoked: it stops working at once.")
    return redirect("api_tokens")
