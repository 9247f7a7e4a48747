"""Scope-matrix rows of nomination dossiers (issue 12, item 4).

A dossier is seen by its proposer and the levels above it (``ByPath`` on the proposer). Its
content is written only on the proposer's own desk, and each move only by the desk now holding
it, so every write is declared with ``approves_in=("own",)``: from a child or grandchild the
actor sees the dossier (403), from outside the branch it does not exist (404).

"Create" has no row: the proposer is chosen among the units whose desk the person holds, so the
"child" and "grandchild" relations cannot create there by design
(``thidua/recognition/tests/test_nominations.py::test_create_only_for_a_desk_the_user_holds``).
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from thidua.accounts.roles import Perm
from thidua.core.tests.matrix_rows import GIVEN, _leaf
from thidua.recognition import dossier_imports, dossiers
from thidua.recognition.catalogue import load
from thidua.recognition.models import AwardingPower, AwardKind, Candidate, Nomination, NominationFile
from thidua.scope_matrix import Resource, Write
from thidua.testing import make_member

OWN = ("own",)
# Awarded by the confederation (the root of the test tree), with only the common rules: eligible
# wherever the dossier comes from.
KIND = "ky-niem-chuong-cong-doan"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _kind() -> AwardKind:
    if not AwardKind.objects.filter(code=KIND).exists():
        load()
    return AwardKind.objects.get(code=KIND)


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _draft(world, relation, target):
    """A dossier drawn up by the target, with one candidate and its two required files."""
    kind = _kind()
    nomination = dossiers.nomination_create(
        proposer=target,
        title=f"Hồ sơ đề nghị {GIVEN[relation]} {relation} {target.code}",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        by=None,
    )
    member = make_member(target, f"Người đề nghị {GIVEN[relation]}")
    if target.parent_id is None:  # nothing above the root awards it: the row only needs a dossier there
        Candidate.objects.create(nomination=nomination, kind=kind, member=member, unit=target)
    else:
        dossiers.candidate_add(nomination=nomination, kind=kind, member=member, by=None)
    dossiers.file_add(nomination=nomination, kind="report", upload=_pdf("bao-cao.pdf"), by=None)
    dossiers.file_add(nomination=nomination, kind="minutes", upload=_pdf("bien-ban.pdf"), by=None)
    return dossiers.NOMINATIONS.get(pk=nomination.pk)


def _held(world, relation, target):
    """A dossier of a leaf below the target, sent up: the target's desk holds it."""
    nomination = _draft(world, relation, _leaf(world, relation, target))
    return dossiers.nomination_submit(nomination=nomination, by=None)


def _status(nomination, status):
    return Nomination.objects.filter(pk=nomination.pk, status=status).exists()


def _edit(n):
    title = n.title + " (sửa)"
    return Write(
        reverse("recognition:nomination_edit", args=[n.pk]),
        {"title": title, "period_start": "01/01/2025", "period_end": "31/12/2025"},
        lambda: Nomination.objects.filter(pk=n.pk, title=title).exists(),
    )


NOMINATIONS = Resource(
    name="nominations",
    make=_draft,
    marker=lambda n: n.title,
    page_marker=lambda n: reverse("recognition:nomination", args=[n.pk]),
    list_urls=[
        lambda n: reverse("recognition:nominations"),
        lambda n: reverse("recognition:nominations") + "?q=" + n.proposer.code,
    ],
    export_urls=[lambda n: reverse("recognition:nominations") + "?format=xlsx"],
    detail_url=lambda n: reverse("recognition:nomination", args=[n.pk]),
    more_detail_urls=[lambda n: reverse("recognition:nomination_file", args=[n.files.first().pk])],
    guarded_reads=[
        lambda n: reverse("recognition:nomination_edit", args=[n.pk]),
        lambda n: reverse("recognition:nomination_candidate_add", args=[n.pk]),
        lambda n: reverse("recognition:nomination_ranking", args=[n.pk]),
        lambda n: reverse("recognition:nomination_import", args=[n.pk]),
    ],
    approve=_edit,
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=OWN,
)


def _candidate_add(n):
    member = make_member(n.proposer, "Người thêm " + "".join(chr(65 + int(d)) for d in str(n.pk)))
    return Write(
        reverse("recognition:nomination_candidate_add", args=[n.pk]),
        {"kind": _kind().pk, "member": member.pk, "achievement": "Nhiều năm cống hiến"},
        lambda: Candidate.objects.filter(nomination=n, member=member).exists(),
    )


def _file_add(n):
    return Write(
        reverse("recognition:nomination_file_add", args=[n.pk]),
        {"kind": "evidence", "file": _pdf("minh-chung.pdf")},
        lambda: NominationFile.objects.filter(nomination=n, kind="evidence").exists(),
    )


def _with_import(world, relation, target):
    """A draft with a previewed Excel list for the acting person (the preview is signed for them)."""
    nomination = _draft(world, relation, target)
    member = make_member(target, f"Người nhập {GIVEN[relation]}")
    rows = [{"row": 5, "kind": _kind().pk, "member": member.pk, "unit": target.pk, "achievement": ""}]
    nomination.import_token = dossier_imports.preview_token(nomination, world.users[world.actor], rows)  # type: ignore[attr-defined]
    nomination.imported_member = member  # type: ignore[attr-defined]
    return nomination


def _import_commit(n):
    return Write(
        reverse("recognition:nomination_import_commit", args=[n.pk]),
        {"token": n.import_token},
        lambda: Candidate.objects.filter(nomination=n, member=n.imported_member).exists(),
    )


def _submit(n):
    return Write(
        reverse("recognition:nomination_submit", args=[n.pk]),
        {},
        lambda: _status(n, Nomination.Status.SUBMITTED),
    )


def _desk_row(name, write, make=_draft):
    return Resource(
        name=name,
        make=make,
        marker=lambda n: n.title,
        approve=write,
        write_perm=Perm.MANAGE_EMULATION,
        approves_in=OWN,
    )


CANDIDATE_ADD = _desk_row("nomination-candidate-add", _candidate_add)
FILE_ADD = _desk_row("nomination-file-add", _file_add)
IMPORT_COMMIT = _desk_row("nomination-import-commit", _import_commit, make=_with_import)
SUBMIT = _desk_row("nomination-submit", _submit)


def _candidate(world, relation, target):
    return _draft(world, relation, target).candidates.select_related("member").get()


CANDIDATE_REMOVE = Resource(
    name="nomination-candidate-remove",
    make=_candidate,
    marker=lambda c: c.member.full_name,
    approve=lambda c: Write(
        reverse("recognition:nomination_candidate_remove", args=[c.pk]),
        {},
        lambda: not Candidate.objects.filter(pk=c.pk).exists(),
    ),
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=OWN,
)


def _file(world, relation, target):
    return _draft(world, relation, target).files.get(kind="report")


FILE_DELETE = Resource(
    name="nomination-file-delete",
    make=_file,
    marker=lambda f: f.name,
    detail_url=lambda f: reverse("recognition:nomination_file", args=[f.pk]),
    approve=lambda f: Write(
        reverse("recognition:nomination_file_delete", args=[f.pk]),
        {},
        lambda: not NominationFile.objects.filter(pk=f.pk).exists(),
    ),
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=OWN,
)


# --- the holding level's moves ---------------------------------------------------------------------


def _forward(n):
    return Write(
        reverse("recognition:nomination_forward", args=[n.pk]),
        {"note": "Đề nghị cấp trên xét"},
        lambda: Nomination.objects.filter(pk=n.pk, holder_id=n.holder.parent_id).exists(),  # never at the root
    )


def _return(n):
    return Write(
        reverse("recognition:nomination_return", args=[n.pk]),
        {"reason": "Bổ sung minh chứng"},
        lambda: _status(n, Nomination.Status.RETURNED),
    )


def _reject(n):
    return Write(
        reverse("recognition:nomination_reject", args=[n.pk]),
        {"reason": "Không thuộc đối tượng"},
        lambda: _status(n, Nomination.Status.REJECTED),
    )


def _held_with_power(world, relation, target):
    """Held by the target, whose kind of unit is given the power to award the dossier's award (data)."""
    AwardingPower.objects.get_or_create(award_kind=_kind(), unit_kind_id=target.kind_id)
    return _held(world, relation, target)


def _take(n):
    return Write(
        reverse("recognition:nomination_take", args=[n.pk]),
        {},
        lambda: _status(n, Nomination.Status.TAKEN),
    )


FORWARD = _desk_row("nomination-forward", _forward, make=_held)
RETURN = _desk_row("nomination-return", _return, make=_held)
REJECT = _desk_row("nomination-reject", _reject, make=_held)
TAKE = _desk_row("nomination-take", _take, make=_held_with_power)

NOMINATION_ROWS = [
    NOMINATIONS,
    CANDIDATE_ADD,
    CANDIDATE_REMOVE,
    FILE_ADD,
    FILE_DELETE,
    IMPORT_COMMIT,
    SUBMIT,
    FORWARD,
    RETURN,
    REJECT,
    TAKE,
]
