"""Single sign-on for staff, end to end against a real OpenID Connect provider.

The provider is oidc-provider-mock (Flask and authlib) served on loopback in this process:
it registers the client, shows its authorization form, issues signed ID tokens and access
tokens and answers userinfo, all over HTTP. equalex runs in pytest-django's live server;
an HTTP client (requests) and, for the sign-in page, Chromium follow the real redirects
between the two. Nothing in between is mocked."""

import json
import re
import threading
from html import unescape
from urllib.parse import parse_qs, urljoin, urlsplit

import oidc_provider_mock
import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from werkzeug.serving import make_server

from access.context import all_tenants_UNSAFE
from access.models import AuditEvent
from access.roles import Role
from accounts.sso_config import (
    form_action_origins,
    is_strong_authentication,
    providers_from_env,
    socialaccount_providers,
)

# The end-to-end tests run against the live server, which needs committed data.
e2e = pytest.mark.django_db(transaction=True)


# --- configuration and the amr rule: plain functions -----------------------------------


def test_no_providers_configured_means_no_single_sign_on():
    assert providers_from_env("") == []
    assert socialaccount_providers([]) == {}
    assert form_action_origins([]) == []


def test_microsoft_and_google_are_configured_from_one_variable():
    providers = providers_from_env(
        json.dumps(
            [
                {
                    "kind": "microsoft",
                    "tenant": "contoso.onmicrosoft.com",
                    "client_id": "ms-id",
                    "secret": "ms-secret",
                    "verified_email_domains": ["@Northshire.sch.uk"],
                },
                {"kind": "google", "client_id": "g-id", "secret": "g-secret"},
            ]
        )
    )
    apps = socialaccount_providers(providers)["openid_connect"]["APPS"]
    assert [(a["provider_id"], a["name"], a["client_id"]) for a in apps] == [
        ("microsoft", "Microsoft", "ms-id"),
        ("google", "Google", "g-id"),
    ]
    assert apps[0]["settings"]["server_url"] == (
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0"
    )
    assert apps[0]["settings"]["verified_email"] == ["northshire.sch.uk"]
    assert apps[1]["settings"]["server_url"] == "https://accounts.google.com"
    # Google says whether an address is verified itself; nothing is assumed for it.
    assert apps[1]["settings"]["verified_email"] is False
    assert form_action_origins(providers) == [
        "https://login.microsoftonline.com",
        "https://accounts.google.com",
    ]


@pytest.mark.parametrize(
    ("raw", "complaint"),
    [
        ("{not json", "not valid JSON"),
        ('{"kind": "google"}', "JSON list"),
        ('[{"kind": "microsoft", "client_id": "a", "secret": "b"}]', "tenant"),
        ('[{"kind": "google", "client_id": "a"}]', "'secret'"),
        ('[{"kind": "saml", "client_id": "a", "secret": "b"}]', "kind must be"),
        ('[{"kind": "google", "client_id": "a", "secret": "b", "colour": 1}]', "colour"),
        (
            '[{"id": "x", "name": "X", "server_url": "http://idp.example.org",'
            ' "client_id": "a", "secret": "b"}]',
            "https",
        ),
        (
            '[{"kind": "google", "client_id": "a", "secret": "b"},'
            ' {"kind": "google", "client_id": "c", "secret": "d"}]',
            "share an id",
        ),
    ],
)
def test_a_mistake_in_the_providers_stops_the_platform_with_a_message(raw, complaint):
    with pytest.raises(ImproperlyConfigured, match=complaint):
        providers_from_env(raw)


@pytest.mark.parametrize(
    ("amr", "strong"),
    [
        (["pwd", "mfa"], True),
        (["mfa"], True),
        (["hwk"], True),
        (["fido"], True),
        (["pwd", "otp"], True),
        (["PWD", "Sms"], True),
        ("mfa", True),
        (["pwd"], False),
        (["otp"], False),  # a one-time code alone may have been emailed
        (["pwd", "kba"], False),  # two things known are one kind of factor
        ([], False),
        (None, False),
        ({"mfa": True}, False),
    ],
)
def test_only_an_amr_showing_several_factors_or_a_hardware_key_counts_as_strong(amr, strong):
    assert is_strong_authentication(amr) is strong


# --- the real provider and the live server ---------------------------------------------


@pytest.fixture(scope="module")
def provider_url():
    # Clients must register (RFC 7591), so the provider checks the secret and redirect URI.
    app = oidc_provider_mock.app(require_client_registration=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@pytest.fixture
def sso(settings, live_server, provider_url):
    """Two providers as a deployment would list them, both served by the loopback
    provider (each its own registered client), configured as EQUALEX_SSO_PROVIDERS is."""
    entries = []
    for provider_id, name in (("microsoft", "Microsoft"), ("google", "Google")):
        callback = f"{live_server.url}/accounts/oidc/{provider_id}/login/callback/"
        client = requests.post(
            f"{provider_url}/oauth2/clients",
            # allauth posts the secret when discovery names no method, as this one does.
            json={"redirect_uris": [callback], "token_endpoint_auth_method": "client_secret_post"},
            timeout=10,
        ).json()
        entries.append(
            {
                "id": provider_id,
                "name": name,
                "server_url": provider_url,
                "client_id": client["client_id"],
                "secret": client["client_secret"],
                "pkce": True,
                # As for a Microsoft tenant, which never sends email_verified.
                **(
                    {"verified_email_domains": ["example.org"]}
                    if provider_id == "microsoft"
                    else {}
                ),
            }
        )
    providers = providers_from_env(json.dumps(entries))
    settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers(providers)
    policy = settings.CONTENT_SECURITY_POLICY
    directives = dict(policy["DIRECTIVES"])
    directives["form-action"] = [*directives["form-action"], *form_action_origins(providers)]
    settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}
    return provider_url


def provider_user(provider_url, sub, **claims):
    response = requests.put(f"{provider_url}/users/{sub}", json=claims, timeout=10)
    assert response.status_code == 204


def start_sso(session, base_url, provider_name="Microsoft"):
    """Press "Sign in with <provider>" on the sign-in page: the provider's address."""
    page = session.get(f"{base_url}/accounts/login/", timeout=10)
    assert page.status_code == 200
    html = page.text
    button = html.index(f"Sign in with {provider_name}</button>")
    action = re.findall(r'<form method="post" action="([^"]+)">', html[:button])[-1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html[button - 600 :])
    response = session.post(
        urljoin(base_url, unescape(action)),
        data={"csrfmiddlewaretoken": token.group(1)},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]


def sso_sign_in(session, base_url, provider_url, sub, provider_name="Microsoft"):
    """The whole round trip: our sign-in page, the provider's authorization form (as
    `sub`), back to our callback, which exchanges the code for tokens. Returns our
    callback's response, redirects not followed."""
    authorize = start_sso(session, base_url, provider_name)
    assert authorize.startswith(provider_url)
    assert session.get(authorize, timeout=10).status_code == 200  # the provider's form
    answer = session.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    callback = answer.headers["Location"]
    assert callback.startswith(f"{base_url}/accounts/oidc/")
    return session.get(callback, allow_redirects=False, timeout=30)


def failed_sign_ins():
    with all_tenants_UNSAFE("test assertions"):
        return list(
            AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED).values_list(
                "actor_description", "school_id"
            )
        )


def social_accounts():
    from allauth.socialaccount.models import SocialAccount

    return list(SocialAccount.objects.values_list("user__email", "provider", "uid"))


@e2e
def test_an_invited_teacher_signs_in_with_their_organisations_account(world, sso, live_server):
    teacher = world.a.users[Role.SCHOOL_STAFF]
    provider_user(
        sso, "teacher-1", email=teacher.email.upper(), email_verified=True, amr=["pwd", "mfa"]
    )
    with requests.Session() as session:
        response = sso_sign_in(session, live_server.url, sso, "teacher-1")
        assert response.status_code == 302, response.text[:800]
        assert response.headers["Location"] == "/"
        home = session.get(f"{live_server.url}/", timeout=10)
        assert home.status_code == 200
        assert "Sign out" in home.text
        pupil = session.get(
            f"{live_server.url}{reverse('pupil_detail', args=[world.a.pupil.pk])}", timeout=10
        )
        assert pupil.status_code == 200
        assert world.a.pupil.surname in pupil.text
    # Connected to the existing account: the provider's subject finds it next time.
    assert social_accounts() == [(teacher.email, "microsoft", "teacher-1")]
    teacher.refresh_from_db()
    assert teacher.has_usable_password()  # signing in this way takes nothing away
    assert failed_sign_ins() == []

    # The next sign-in finds the account by the subject, whatever email is sent now.
    provider_user(sso, "teacher-1", email="renamed@example.org", email_verified=False)
    with requests.Session() as session:
        response = sso_sign_in(session, live_server.url, sso, "teacher-1")
        assert response.status_code == 302
        assert session.get(f"{live_server.url}/", timeout=10).url == f"{live_server.url}/"
        assert "Sign out" in session.get(f"{live_server.url}/", timeout=10).text


@e2e
def test_an_unknown_email_is_refused_audited_and_nothing_is_created(world, sso, live_server):
    from accounts.models import User

    users_before = User.objects.count()
    provider_user(sso, "stranger", email="stranger@example.org", email_verified=True)
    with requests.Session() as session:
        response = sso_sign_in(session, live_server.url, sso, "stranger")
        assert response.status_code == 403
        assert "No equalex account uses stranger@example.org" in response.text
        assert "Nothing was created" in response.text
        assert "Sign out" not in session.get(f"{live_server.url}/", timeout=10).text
    assert User.objects.count() == users_before
    assert social_accounts() == []
    assert failed_sign_ins() == [("sign-in attempt as stranger@example.org via Microsoft", None)]


@e2e
def test_an_unverified_email_is_refused_even_when_an_account_has_it(world, sso, live_server):
    leader = world.a.users[Role.CAREERS_LEADER]
    provider_user(sso, "someone", email=leader.email, email_verified=False, amr=["mfa"])
    with requests.Session() as session:
        response = sso_sign_in(session, live_server.url, sso, "someone", "Google")
        assert response.status_code == 403
        assert f"Google did not confirm that {leader.email} is your address" in response.text
        assert "Sign out" not in session.get(f"{live_server.url}/", timeout=10).text
    assert social_accounts() == []
    # Audited on the trail of the account it named, so its school's careers leader sees it.
    assert failed_sign_ins() == [
        (f"sign-in attempt as {leader.email} via Google", world.a.school.pk)
    ]


@e2e
def test_a_provider_that_never_says_verified_is_trusted_at_its_listed_domains_only(
    world, sso, live_server
):
    teacher = world.a.users[Role.SCHOOL_STAFF]
    provider_user(sso, "teacher-1", email=teacher.email)  # no email_verified claim at all
    with requests.Session() as session:
        # Google lists no domains: the address is not taken as verified.
        assert sso_sign_in(session, live_server.url, sso, "teacher-1", "Google").status_code == 403
        # Microsoft lists example.org as its tenant's: it is.
        response = sso_sign_in(session, live_server.url, sso, "teacher-1", "Microsoft")
        assert response.headers["Location"] == "/"
    assert social_accounts() == [(teacher.email, "microsoft", "teacher-1")]


@e2e
def test_a_deactivated_account_cannot_be_reached_by_single_sign_on(world, sso, live_server):
    leaver = world.a.users[Role.SCHOOL_STAFF]
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    provider_user(sso, "leaver", email=leaver.email, email_verified=True, amr=["mfa"])
    with requests.Session() as session:
        response = sso_sign_in(session, live_server.url, sso, "leaver")
        assert response.status_code == 403
    assert social_accounts() == []


@e2e
def test_mfa_at_the_provider_counts_when_equalex_requires_it(world, sso, live_server, settings):
    settings.EQUALEX_REQUIRE_MFA_FOR_PUPIL_ACCESS = True
    leader = world.a.users[Role.CAREERS_LEADER]
    provider_user(sso, "leader", email=leader.email, email_verified=True, amr=["pwd", "mfa"])
    pupil_url = f"{live_server.url}{reverse('pupil_detail', args=[world.a.pupil.pk])}"
    with requests.Session() as session:
        response = sso_sign_in(session, live_server.url, sso, "leader")
        assert response.headers["Location"] == "/"
        page = session.get(pupil_url, allow_redirects=False, timeout=10)
        assert page.status_code == 200
        assert world.a.pupil.surname in page.text

        # Signing in again in the same browser with a password does not inherit it.
        session.post(
            f"{live_server.url}/accounts/logout/",
            data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
            timeout=10,
        )
        password_sign_in(session, live_server.url, leader.email)
        page = session.get(pupil_url, allow_redirects=False, timeout=10)
        assert page.status_code == 302
        assert page.headers["Location"] == reverse("mfa_activate_totp")


def password_sign_in(session, base_url, email):
    from .conftest import PASSWORD

    form = session.get(f"{base_url}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    response = session.post(
        f"{base_url}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]


@e2e
def test_without_mfa_at_the_provider_staff_are_sent_to_totp(world, sso, live_server, settings):
    settings.EQUALEX_REQUIRE_MFA_FOR_PUPIL_ACCESS = True
    leader = world.a.users[Role.CAREERS_LEADER]
    provider_user(sso, "leader", email=leader.email, email_verified=True, amr=["pwd"])
    pupil_url = f"{live_server.url}{reverse('pupil_detail', args=[world.a.pupil.pk])}"
    with requests.Session() as session:
        response = sso_sign_in(session, live_server.url, sso, "leader")
        assert response.headers["Location"] == "/"
        page = session.get(pupil_url, allow_redirects=False, timeout=10)
        assert page.status_code == 302
        assert page.headers["Location"] == reverse("mfa_activate_totp")


@e2e
def test_staff_with_totp_enter_their_code_after_single_sign_on_without_mfa(world, sso, live_server):
    from allauth.mfa.models import Authenticator

    leader = world.a.users[Role.CAREERS_LEADER]
    Authenticator.objects.create(user=leader, type=Authenticator.Type.TOTP, data={"secret": "x"})
    provider_user(sso, "leader", email=leader.email, email_verified=True)  # no amr at all
    with requests.Session() as session:
        response = sso_sign_in(session, live_server.url, sso, "leader")
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == reverse("mfa_authenticate")
        # Not signed in until the code is given.
        assert "Sign out" not in session.get(f"{live_server.url}/", timeout=10).text

    # With the provider's MFA the code is not asked for again.
    provider_user(sso, "leader", email=leader.email, email_verified=True, amr=["hwk"])
    with requests.Session() as session:
        response = sso_sign_in(session, live_server.url, sso, "leader")
        assert response.headers["Location"] == "/"
        assert "Sign out" in session.get(f"{live_server.url}/", timeout=10).text


@e2e
def test_a_signed_in_person_can_connect_only_a_provider_account_of_their_own_address(
    world, sso, live_server
):
    leader = world.a.users[Role.CAREERS_LEADER]
    teacher = world.a.users[Role.SCHOOL_STAFF]
    provider_user(sso, "teacher-1", email=teacher.email, email_verified=True)
    provider_user(sso, "leader-1", email=leader.email, email_verified=True)
    with requests.Session() as session:
        password_sign_in(session, live_server.url, leader.email)
        for sub, status in (("teacher-1", 403), ("leader-1", 302)):
            start = session.post(
                f"{live_server.url}/accounts/oidc/microsoft/login/?process=connect",
                data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
                allow_redirects=False,
                timeout=10,
            )
            answer = session.post(
                start.headers["Location"], data={"sub": sub}, allow_redirects=False, timeout=10
            )
            response = session.get(answer.headers["Location"], allow_redirects=False, timeout=30)
            assert response.status_code == status, (sub, response.text[:500])
            if status == 403:
                assert "belongs to a different equalex account" in response.text
    assert social_accounts() == [(leader.email, "microsoft", "leader-1")]


@e2e
def test_a_callback_that_fails_its_checks_is_refused_and_audited(world, sso, live_server):
    with requests.Session() as session:
        authorize = start_sso(session, live_server.url)
        # The provider's "Deny" answers without the state allauth sent: allauth cannot tie
        # the answer to a sign-in this browser started, as with a forged callback.
        answer = session.post(authorize, data={"action": "deny"}, allow_redirects=False)
        assert "state=" not in answer.headers["Location"]
        response = session.get(answer.headers["Location"], allow_redirects=False, timeout=10)
        assert response.status_code == 401
        assert "Sign out" not in session.get(f"{live_server.url}/", timeout=10).text
    assert failed_sign_ins() == [("sign-in attempt as (no email) via Microsoft", None)]


@e2e
def test_someone_who_cancels_at_the_provider_is_not_audited(world, sso, live_server):
    with requests.Session() as session:
        authorize = start_sso(session, live_server.url)
        state = parse_qs(urlsplit(authorize).query)["state"][0]
        # What a provider sends back when the person declines (RFC 6749 4.1.2.1).
        response = session.get(
            f"{live_server.url}/accounts/oidc/microsoft/login/callback/",
            params={"error": "access_denied", "state": state},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302
        assert response.headers["Location"] == reverse("socialaccount_login_cancelled")
    assert failed_sign_ins() == []


@pytest.mark.django_db
def test_the_sign_in_page_shows_a_button_for_each_configured_provider_and_none_without(
    client, settings
):
    settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers(
        providers_from_env('[{"kind": "google", "client_id": "g", "secret": "s"}]')
    )
    page = client.get(reverse("account_login")).content.decode()
    assert "Sign in with Google</button>" in page
    assert 'action="/accounts/oidc/google/login/?process=login"' in page

    settings.SOCIALACCOUNT_PROVIDERS = {}
    page = client.get(reverse("account_login")).content.decode()
    assert "sso-heading" not in page
    assert "</button>" in page and "Sign in with Google" not in page


# --- the sign-in page in a real browser ------------------------------------------------


@pytest.mark.browser
@pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")
@e2e
def test_the_sign_in_buttons_work_in_a_browser_and_pass_axe(page, world, sso, live_server):
    from .test_browser import axe_violations

    teacher = world.a.users[Role.SCHOOL_STAFF]
    provider_user(sso, "teacher-1", email=teacher.email, email_verified=True, amr=["mfa"])
    page.goto(f"{live_server.url}/accounts/login/")
    microsoft = page.get_by_role("button", name="Sign in with Microsoft")
    google = page.get_by_role("button", name="Sign in with Google")
    assert microsoft.is_visible() and google.is_visible()
    assert axe_violations(page) == []
    page.screenshot(path="/tmp/sso-sign-in.png", full_page=True)

    # Keyboard: Tab reaches the button, Enter follows it to the provider's form.
    microsoft.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{sso}/**")
    page.locator("input[name=sub]").fill("teacher-1")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("button", name="Sign out").is_visible()

    # Someone with no account is told why, on a page that passes axe too.
    page.get_by_role("button", name="Sign out").click()
    provider_user(sso, "stranger", email="stranger@example.org", email_verified=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in with Google").click()
    page.wait_for_url(f"{sso}/**")
    page.locator("input[name=sub]").fill("stranger")
    page.locator("button[type=submit]").first.click()
    heading = page.get_by_role("heading", level=1)
    heading.wait_for()
    assert heading.text_content() == "You could not be signed in"
    assert axe_violations(page) == []
    page.screenshot(path="/tmp/sso-refused.png", full_page=True)


@e2e
def test_a_pupil_whose_school_address_is_given_signs_in_with_it(world, sso, live_server):
    from access.actor import actor_for_user
    from access.context import acting_as
    from pupils.models import PupilAccount
    from pupils.services import pupil_sign_in_addresses_set

    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader):
        pupil_sign_in_addresses_set(
            actor=leader, addresses={world.a.pupil.pk: "amelia.pupil@example.org"}
        )
    provider_user(sso, "pupil-1", email="amelia.pupil@example.org", email_verified=True)
    with requests.Session() as session:
        response = sso_sign_in(session, live_server.url, sso, "pupil-1")
        assert response.status_code == 302, response.text[:800]
        home = session.get(f"{live_server.url}/", timeout=10)
        assert home.url == f"{live_server.url}/me/"
        assert "My ten days" in home.text and "Hello Amelia" in home.text
    with all_tenants_UNSAFE("test assertions"):
        account = PupilAccount.objects.get(learner=world.a.pupil)
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.SIGN_IN, object_pk=str(account.pk)
        ).exists()
    # The careers leader removes the address: the connected provider account goes with it.
    assert [uid for _email, _provider, uid in social_accounts()] == ["pupil-1"]
    with acting_as(leader):
        pupil_sign_in_addresses_set(actor=leader, addresses={world.a.pupil.pk: ""})
    assert social_accounts() == []
    with requests.Session() as session:
        assert sso_sign_in(session, live_server.url, sso, "pupil-1").status_code == 403
