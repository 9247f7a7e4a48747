"""Scope-matrix rows of initiatives, initiative councils and effective models, and every action
on them.

Initiatives, councils and draft models belong to the target unit: every relation reads and writes
as the target does. A model is decided by the level directly above it, so its approval, return
and publication are made by those holding the desk of the target's parent ("child" relation).
An approved model is also read in the library of the level that approved it: by the target's
siblings and by the units under its parent (``LIBRARY``).
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from thidua.accounts.roles import Perm
from thidua.core.tests.matrix_rows import GIVEN, _leaf
from thidua.initiatives import services
from thidua.initiatives.models import (
    CouncilMember,
    EffectiveModel,
    Initiative,
    InitiativeCouncil,
    InitiativeEvidence,
    ModelAdoption,
    ModelEvidence,
)
from thidua.initiatives.services import AuthorShare
from thidua.scope_matrix import Resource, Write
from thidua.testing import IN_SCOPE, make_member

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
APPLIED, HELD = dt.date(2024, 3, 1), dt.date(2024, 11, 20)
LIBRARY = (*IN_SCOPE, "sibling", "parent")
CHILD = ("child",)  # the actor's own unit is the level directly above the target


def _today() -> str:
    return timezone.localdate().strftime("%d/%m/%Y")


def _initiative(world, relation, target, *, submit=False):
    member = make_member(target, f"Tác giả {GIVEN[relation]} {relation}")
    initiative = services.initiative_create(
        unit=target,
        by=None,
        title=f"Sáng kiến {GIVEN[relation]} {relation}",
        field="technical",
        description="Cải tiến quy trình",
        first_applied_on=APPLIED,
        benefit_vnd=90_000_000,
        authors=[AuthorShare(member=member, share_percent="100", role="main")],
    )
    if submit:
        services.initiative_submit(initiative=initiative, by=None)
    return Initiative.objects.select_related("unit").get(pk=initiative.pk)


def _submitted(world, relation, target):
    return _initiative(world, relation, target, submit=True)


def _council(world, relation, target, size=3):
    council = services.council_save(unit=target, by=None, name=f"Hội đồng sáng kiến {GIVEN[relation]} {relation}")
    for n in range(size):
        services.council_member_add(council=council, by=None, full_name=f"Thành viên {GIVEN[relation]} {n}")
    return council


def _with_council(world, relation, target):
    """A submitted initiative of the target, and the target's own council of three."""
    initiative = _submitted(world, relation, target)
    _council(world, relation, target)
    return initiative


def _recognised(world, relation, target):
    initiative = _with_council(world, relation, target)
    council = InitiativeCouncil.objects.filter(unit=target).latest("pk")
    services.review_record(
        initiative=initiative, council=council, by=None, held_on=HELD, present=3, approve=3, reject=0
    )
    return Initiative.objects.select_related("unit").get(pk=initiative.pk)


def _evidence(world, relation, target):
    initiative = _initiative(world, relation, target)
    return services.evidence_add(
        initiative=initiative, by=None, upload=SimpleUploadedFile(f"sang-kien-{relation}.pdf", PDF)
    )


def _status_is(model, obj, status):
    return lambda: model.objects.get(pk=obj.pk).status == status


def _authors(initiative, title):
    member = initiative.authors.get().member_id
    return {
        "title": title,
        "field": "technical",
        "first_applied_on": "01/03/2024",
        "benefit_vnd": "90.000.000",
        "description": "Cải tiến quy trình",
        "confidential_notes": "",
        "plan": "",
        "authors-TOTAL_FORMS": "1",
        "authors-INITIAL_FORMS": "0",
        "authors-MIN_NUM_FORMS": "0",
        "authors-MAX_NUM_FORMS": "20",
        "authors-0-member": str(member),
        "authors-0-share_percent": "100",
        "authors-0-role": "main",
    }


def _initiative_edit(initiative):
    title = f"{initiative.title} đã sửa"
    return Write(
        reverse("initiatives:edit", args=[initiative.pk]),
        _authors(initiative, title),
        lambda: Initiative.objects.filter(pk=initiative.pk, title=title).exists(),
    )


def _initiative_add(world, relation, target):
    member = make_member(target, f"Tác giả mới {GIVEN[relation]} {relation}")
    title = f"Sáng kiến mới {GIVEN[relation]} {relation}"
    data = {
        "unit": target.pk,
        "title": title,
        "field": "management",
        "first_applied_on": "01/03/2024",
        "benefit_vnd": "1000000",
        "description": "Mô tả",
        "authors-TOTAL_FORMS": "1",
        "authors-INITIAL_FORMS": "0",
        "authors-MIN_NUM_FORMS": "0",
        "authors-MAX_NUM_FORMS": "20",
        "authors-0-member": str(member.pk),
        "authors-0-share_percent": "100",
        "authors-0-role": "main",
    }
    return Write(reverse("initiatives:create"), data, lambda: Initiative.objects.filter(title=title).exists())


INITIATIVES = Resource(
    name="initiatives",
    make=_initiative,
    marker=lambda i: i.title,
    page_marker=lambda i: f'href="{reverse("initiatives:detail", args=[i.pk])}"',
    list_urls=[lambda i: reverse("initiatives:list")],
    export_urls=[lambda i: reverse("initiatives:list") + "?format=xlsx"],
    api_list_urls=[lambda i: "/api/initiatives"],
    detail_url=lambda i: reverse("initiatives:detail", args=[i.pk]),
    api_detail_url=lambda i: f"/api/initiatives/{i.pk}",
    guarded_reads=[lambda i: reverse("initiatives:edit", args=[i.pk])],
    edit=_initiative_edit,
    create=_initiative_add,
    write_perm=Perm.MANAGE_EMULATION,
)

INITIATIVE_SUBMIT = Resource(
    name="initiative-submit",
    make=_initiative,
    marker=lambda i: i.title,
    approve=lambda i: Write(
        reverse("initiatives:submit", args=[i.pk]), {}, _status_is(Initiative, i, Initiative.Status.SUBMITTED)
    ),
    write_perm=Perm.MANAGE_EMULATION,
)

INITIATIVE_REDRAFT = Resource(
    name="initiative-redraft",
    make=_submitted,
    marker=lambda i: i.title,
    approve=lambda i: Write(
        reverse("initiatives:redraft", args=[i.pk]), {"reason": "Bổ sung"}, _status_is(Initiative, i, "draft")
    ),
    write_perm=Perm.MANAGE_EMULATION,
)

INITIATIVE_REVIEW = Resource(
    name="initiative-council-review",
    make=_with_council,
    marker=lambda i: i.title,
    guarded_reads=[lambda i: reverse("initiatives:review", args=[i.pk])],
    approve=lambda i: Write(
        reverse("initiatives:review", args=[i.pk]),
        {
            "council": InitiativeCouncil.objects.filter(unit=i.unit).latest("pk").pk,
            "held_on": "20/11/2024",
            "present": "3",
            "approve": "3",
            "reject": "0",
        },
        _status_is(Initiative, i, Initiative.Status.RECOGNISED),
    ),
    write_perm=Perm.MANAGE_EMULATION,
)

INITIATIVE_EFFECT = Resource(
    name="initiative-effect",
    make=_recognised,
    marker=lambda i: i.title,
    approve=lambda i: Write(
        reverse("initiatives:effect", args=[i.pk]),
        {"scope": "unit", "recognised_on": _today(), "note": "Quyết định 12/QĐ"},
        lambda: Initiative.objects.get(pk=i.pk).effect_scope == "unit",
    ),
    write_perm=Perm.MANAGE_EMULATION,
)


def _evidence_add(world, relation, target):
    initiative = _initiative(world, relation, target)
    return Write(
        reverse("initiatives:evidence_add", args=[initiative.pk]),
        {"evidence": SimpleUploadedFile("minh-chung.pdf", PDF)},
        lambda: InitiativeEvidence.objects.filter(initiative=initiative).exists(),
    )


INITIATIVE_EVIDENCE = Resource(
    name="initiative-evidence",
    make=_evidence,
    marker=lambda e: e.name,
    detail_url=lambda e: reverse("initiatives:evidence", args=[e.pk]),
    create=_evidence_add,
    write_perm=Perm.MANAGE_EMULATION,
)

# --- councils ---------------------------------------------------------------------------------------------


def _council_row(world, relation, target):
    return _council(world, relation, target)


def _council_edit(council):
    name = f"{council.name} đã sửa"
    return Write(
        reverse("initiatives:council_edit", args=[council.pk]),
        {"name": name, "quorum_num": 2, "quorum_den": 3, "pass_num": 3, "pass_den": 4, "basis": ""},
        lambda: InitiativeCouncil.objects.filter(pk=council.pk, name=name, pass_num=3).exists(),
    )


def _council_add(world, relation, target):
    name = f"Hội đồng mới {GIVEN[relation]} {relation}"
    return Write(
        reverse("initiatives:council_create"),
        {"unit": target.pk, "name": name, "quorum_num": 2, "quorum_den": 3, "pass_num": 2, "pass_den": 3},
        lambda: InitiativeCouncil.objects.filter(name=name).exists(),
    )


COUNCILS = Resource(
    name="initiative-councils",
    make=_council_row,
    marker=lambda c: c.name,
    page_marker=lambda c: f'href="{reverse("initiatives:council", args=[c.pk])}"',
    list_urls=[lambda c: reverse("initiatives:councils")],
    detail_url=lambda c: reverse("initiatives:council", args=[c.pk]),
    edit=_council_edit,
    create=_council_add,
    write_perm=Perm.MANAGE_EMULATION,
)


def _member_add(world, relation, target):
    council = _council(world, relation, target, size=0)
    return Write(
        reverse("initiatives:council_member_add", args=[council.pk]),
        {"full_name": "Nguyễn Thị Thư Ký", "position": "Phó Chủ tịch", "role": "secretary"},
        lambda: council.members.filter(role="secretary").exists(),
    )


COUNCIL_MEMBERS = Resource(
    name="initiative-council-members",
    make=lambda world, relation, target: _council(world, relation, target, size=1).members.get(),
    marker=lambda m: m.full_name,
    delete=lambda m: Write(
        reverse("initiatives:council_member_remove", args=[m.pk]),
        {},
        lambda: not CouncilMember.objects.filter(pk=m.pk).exists(),
    ),
    create=_member_add,
    write_perm=Perm.MANAGE_EMULATION,
)

# --- effective models ----------------------------------------------------------------------------------------


def _model(world, relation, target, *, title=None):
    model = services.model_create(
        unit=target,
        by=None,
        title=title or f"Mô hình {GIVEN[relation]} {relation}",
        summary="Cách làm",
        results="Kết quả",
        started_on=dt.date(2023, 1, 1),
    )
    return EffectiveModel.objects.select_related("unit").get(pk=model.pk)


def _submitted_model(world, relation, target):
    model = _model(world, relation, target)
    return services.model_submit(model=model, by=None)


def _approved_model(world, relation, target, unit=None):
    model = _model(world, relation, unit or target, title=f"Mô hình đã duyệt {GIVEN[relation]} {relation}")
    services.model_submit(model=model, by=None)
    services.model_approve(model=model, by=None, today=dt.date(2024, 6, 1))
    return EffectiveModel.objects.select_related("unit").get(pk=model.pk)


def _model_edit(model):
    title = f"{model.title} đã sửa"
    return Write(
        reverse("initiatives:model_edit", args=[model.pk]),
        {"title": title, "started_on": "01/01/2023", "summary": "Cách làm mới", "results": "Kết quả mới"},
        lambda: EffectiveModel.objects.filter(pk=model.pk, title=title).exists(),
    )


def _model_add(world, relation, target):
    title = f"Mô hình mới {GIVEN[relation]} {relation}"
    return Write(
        reverse("initiatives:model_create"),
        {"unit": target.pk, "title": title, "started_on": "", "summary": "Cách làm", "results": "Kết quả"},
        lambda: EffectiveModel.objects.filter(title=title).exists(),
    )


MODELS = Resource(
    name="effective-models",
    make=_model,
    marker=lambda m: m.title,
    page_marker=lambda m: f'href="{reverse("initiatives:model", args=[m.pk])}"',
    list_urls=[lambda m: reverse("initiatives:models") + "?tab=all"],
    export_urls=[lambda m: reverse("initiatives:models") + "?tab=all&format=xlsx"],
    api_list_urls=[lambda m: "/api/models"],
    detail_url=lambda m: reverse("initiatives:model", args=[m.pk]),
    api_detail_url=lambda m: f"/api/models/{m.pk}",
    guarded_reads=[lambda m: reverse("initiatives:model_edit", args=[m.pk])],
    edit=_model_edit,
    create=_model_add,
    write_perm=Perm.MANAGE_EMULATION,
)

MODEL_SUBMIT = Resource(
    name="effective-model-submit",
    make=_model,
    marker=lambda m: m.title,
    approve=lambda m: Write(
        reverse("initiatives:model_submit", args=[m.pk]), {}, _status_is(EffectiveModel, m, "submitted")
    ),
    write_perm=Perm.MANAGE_EMULATION,
)

MODEL_APPROVE = Resource(
    name="effective-model-approve",
    make=_submitted_model,
    marker=lambda m: m.title,
    approve=lambda m: Write(
        reverse("initiatives:model_approve", args=[m.pk]), {"publish": "on"}, _status_is(EffectiveModel, m, "approved")
    ),
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=CHILD,
)

MODEL_RETURN = Resource(
    name="effective-model-return",
    make=_submitted_model,
    marker=lambda m: m.title,
    approve=lambda m: Write(
        reverse("initiatives:model_return", args=[m.pk]),
        {"reason": "Bổ sung minh chứng"},
        _status_is(EffectiveModel, m, "returned"),
    ),
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=CHILD,
)

# Approved models are in the library of the level that approved them (the target's parent).
MODEL_LIBRARY = Resource(
    name="effective-model-library",
    make=_approved_model,
    marker=lambda m: m.title,
    page_marker=lambda m: f'href="{reverse("initiatives:model", args=[m.pk])}"',
    list_urls=[lambda m: reverse("initiatives:models")],
    api_list_urls=[lambda m: "/api/models?status=approved"],
    detail_url=lambda m: reverse("initiatives:model", args=[m.pk]),
    api_detail_url=lambda m: f"/api/models/{m.pk}",
    visible_in=LIBRARY,
    write_perm=Perm.MANAGE_EMULATION,
)

MODEL_PUBLISH = Resource(
    name="effective-model-publish",
    make=_approved_model,
    marker=lambda m: m.title,
    approve=lambda m: Write(
        reverse("initiatives:model_publish", args=[m.pk]),
        {"published": "1"},
        lambda: EffectiveModel.objects.get(pk=m.pk).published,
    ),
    write_perm=Perm.MANAGE_EMULATION,
    visible_in=LIBRARY,
    approves_in=CHILD,
)


def _model_evidence(world, relation, target):
    model = _model(world, relation, target)
    return services.model_evidence_add(model=model, by=None, upload=SimpleUploadedFile(f"mo-hinh-{relation}.pdf", PDF))


def _model_evidence_add(world, relation, target):
    model = _model(world, relation, target)
    return Write(
        reverse("initiatives:model_evidence_add", args=[model.pk]),
        {"evidence": SimpleUploadedFile("ket-qua.pdf", PDF)},
        lambda: ModelEvidence.objects.filter(model=model).exists(),
    )


MODEL_EVIDENCE = Resource(
    name="effective-model-evidence",
    make=_model_evidence,
    marker=lambda e: e.name,
    detail_url=lambda e: reverse("initiatives:model_evidence", args=[e.pk]),
    create=_model_evidence_add,
    write_perm=Perm.MANAGE_EMULATION,
)


def _adopt(world, relation, target):
    """The target adopts a model approved for a fresh leaf under it (so in the target's library)."""
    model = _approved_model(world, relation, target, unit=_leaf(world, relation, target))
    return Write(
        reverse("initiatives:model_adopt", args=[model.pk]),
        {"unit": target.pk, "adopted_on": _today(), "results": "Đã áp dụng"},
        lambda: ModelAdoption.objects.filter(model=model, unit=target).exists(),
    )


MODEL_ADOPTIONS = Resource(
    name="effective-model-adoptions",
    make=_approved_model,
    marker=lambda m: m.title,
    create=_adopt,
    write_perm=Perm.MANAGE_EMULATION,
    visible_in=LIBRARY,
)


def _everything(world, relation, target):
    """Every kind of child row, for ``test_child_rows_inherit_their_parents_visibility``."""
    _recognised(world, relation, target)  # authors, a council with members, a review, events
    _evidence(world, relation, target)
    _model_evidence(world, relation, target)  # a model's evidence and events
    _approved_model(world, relation, target)


INITIATIVES_ROWS = [
    INITIATIVES,
    INITIATIVE_SUBMIT,
    INITIATIVE_REDRAFT,
    INITIATIVE_REVIEW,
    INITIATIVE_EFFECT,
    INITIATIVE_EVIDENCE,
    COUNCILS,
    COUNCIL_MEMBERS,
    MODELS,
    MODEL_SUBMIT,
    MODEL_APPROVE,
    MODEL_RETURN,
    MODEL_LIBRARY,
    MODEL_PUBLISH,
    MODEL_EVIDENCE,
    MODEL_ADOPTIONS,
]
