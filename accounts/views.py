from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from access.routes import public, requires

from .forms import AcceptInvitationForm, InvitationForm
from .services import InvitationUnusable, invitation_accept, invitation_create, invitation_for_token


@requires("staff.invite")
def invitation_new(request):
    form = InvitationForm(request.POST or None, actor=request.actor)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(
                actor=request.actor,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                school=form.cleaned_data.get("school"),
                employer=form.cleaned_data.get("employer"),
                base_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("invitation_new")
    return render(request, "accounts/invitation_new.html", {"form": form})


@public
def invitation_accept_view(request, token: str):
    try:
        invitation = invitation_for_token(token)
    except InvitationUnusable as problem:
        return render(
            request, "accounts/invitation_unusable.html", {"problem": problem}, status=410
        )
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        user = invitation_accept(
            token=token,
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("home")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )
