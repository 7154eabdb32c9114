"""Subject access exports for tests: a second careers leader, and an export as a worker
would leave it (for the access matrix, which needs one to download)."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from access.context import all_tenants_UNSAFE
from access.roles import Role


def second_careers_leader(school, tag="second"):
    """Another careers leader of the same school: a colleague, who must not see the export."""
    from accounts.models import User
    from hubs.models import Membership

    with all_tenants_UNSAFE("test"):
        user = User.objects.create_user(f"{tag}.leader.{school.pk}@example.org", "x")
        Membership.objects.create(user=user, role=Role.CAREERS_LEADER, school=school)
    return user


def make_built_export(pupil, user, *, finished=None):
    """A built export of the pupil asked for by the user, with small files."""
    from privacy.models import SubjectAccessExport

    finished = finished or timezone.now()
    with all_tenants_UNSAFE("test"):
        export = SubjectAccessExport.objects.create(
            hub_id=pupil.hub_id,
            school_id=pupil.school_id,
            learner=pupil,
            requested_by=user,
            status=SubjectAccessExport.Status.DONE,
            progress=100,
            finished_at=finished,
            expires_at=finished + timedelta(days=7),
        )
        export.pdf.save(f"test-sar-{export.pk}.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
        export.archive.save(f"test-sar-{export.pk}.zip", ContentFile(b"PK test"), save=False)
        export.save(update_fields=["pdf", "archive"])
    return export
