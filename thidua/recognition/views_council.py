"""Pages of the emulation council: councils and their members, sessions (agenda, attendance, open
and close), the secret ballot of a member, the secretary's written ballots, the results and the
minutes. Every object is fetched through ``@scoped``; the desk-only actions are refused again by
the services (``council.py``), and the ballot is reached through the user's seat on the council.

The tally is never on a page before the ballot closes, whoever asks (superusers included): while
it is open only the number of members who have voted is shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thidua.accounts.access import scoped
from thidua.accounts.roles import Perm
from thidua.core.forms import apply_errors, attempt, form_status, seen_state
from thidua.core.listing import Listing, Sort
from thidua.core.transitions import state_token
from thidua.recognition import council as services
from thidua.recognition.documents import minutes_docx_response
from thidua.recognition.forms_council import (
    BallotForm,
    CouncilCreateForm,
    CouncilEditForm,
    ItemAddForm,
    MemberEditForm,
    MemberForm,
    SessionCreateForm,
    SessionForm,
)
from thidua.recognition.models import (
    AwardCouncil,
    AwardCouncilMember,
    BallotReceipt,
    CouncilSession,
    SessionEvent,
)

COUNCILS = AwardCouncil.objects.select_related("unit")
MEMBERS = AwardCouncilMember.objects.select_related("council", "council__unit")
SESSIONS = CouncilSession.objects.select_related("council", "council__unit")
TAB = "council"


def _base(**context: Any) -> dict[str, Any]:
    return {"nav": "recognition", "tab": TAB, **context}


def _thresholds_text(council: AwardCouncil) -> str:
    return "\n".join(f"{code}: {ratio}" for code, ratio in (council.thresholds or {}).items())


# --- councils ---------------------------------------------------------------------------------------------


@scoped
def council_list(request: HttpRequest) -> HttpResponse:
    """Councils of the user's units and those below them; the desk creates its unit's council here."""
    listing = Listing(
        request,
        services.councils_for(request.user),
        sorts=(Sort("unit", ("unit__path",)), Sort("name", ("name",))),
        default_sort="unit",
    )
    units = services.desk_units(request.user)
    form = CouncilCreateForm(units=units, initial={"unit": units[0].pk if units else None})
    return render(
        request, "recognition/council/council_list.html", _base(listing=listing, form=form, may_create=bool(units))
    )


@scoped
@require_POST
def council_create(request: HttpRequest) -> HttpResponse:
    units = services.desk_units(request.user)
    form = CouncilCreateForm(request.POST, units=units)
    if form.is_valid():
        data = form.cleaned_data
        try:
            council = services.council_save(
                unit=data["unit"],
                by=request.user,
                name=data["name"],
                quorum=data["quorum"],
                threshold=data["threshold"],
                thresholds=data["thresholds"],
                basis=data["basis"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lập hội đồng thi đua – khen thưởng; hãy thêm thành viên."))
            return redirect("recognition:council", council.pk)
    return render(
        request,
        "recognition/council/council_list.html",
        _base(listing=None, form=form, may_create=bool(units)),
        status=400,
    )


def _council_page(
    request: HttpRequest,
    council: AwardCouncil,
    *,
    form: Any = None,
    member_form: Any = None,
    edited: tuple[int, Any] | None = None,
) -> HttpResponse:
    manage = services.manages(request.user, council)
    members = list(council.members.select_related("user").order_by("-active", "id"))
    accounts = list(services.eligible_accounts(council)[:300]) if manage else []
    member_forms = []
    if manage:
        for m in members:
            bound = edited[1] if edited and edited[0] == m.pk else None
            member_forms.append(
                (
                    m,
                    bound
                    or MemberEditForm(
                        accounts=accounts,
                        prefix=f"m{m.pk}",
                        initial={
                            "full_name": m.full_name,
                            "position": m.position,
                            "role": m.role,
                            "user": m.user_id,
                            "active": m.active,
                        },
                    ),
                )
            )
    else:
        member_forms = [(m, None) for m in members]
    forms_ = [f for f in (form, member_form, edited[1] if edited else None) if f is not None]
    return render(
        request,
        "recognition/council/council_detail.html",
        _base(
            council=council,
            members=member_forms,
            active_count=sum(1 for m in members if m.active),
            manage=manage,
            form=form
            or CouncilEditForm(
                initial={
                    "name": council.name,
                    "quorum": council.quorum,
                    "threshold": council.threshold,
                    "thresholds": _thresholds_text(council),
                    "basis": council.basis,
                    "active": council.active,
                }
            ),
            member_form=member_form or MemberForm(accounts=accounts),
            sessions=list(services.sessions_of(council)[:50]),
            waiting=services.waiting_candidates(council).count() if manage else 0,
        ),
        status=form_status(*forms_),
    )


@scoped(COUNCILS)
def council_detail(request: HttpRequest, council: AwardCouncil) -> HttpResponse:
    return _council_page(request, council)


@scoped(COUNCILS, perm=Perm.MANAGE_EMULATION)
@require_POST
def council_edit(request: HttpRequest, council: AwardCouncil) -> HttpResponse:
    form = CouncilEditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.council_save(council=council, by=request.user, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu hội đồng."))
            return redirect("recognition:council", council.pk)
    return _council_page(request, council, form=form)


@scoped(COUNCILS, perm=Perm.MANAGE_EMULATION)
@require_POST
def council_member_add(request: HttpRequest, council: AwardCouncil) -> HttpResponse:
    if not services.manages(request.user, council):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    form = MemberForm(request.POST, accounts=services.eligible_accounts(council)[:300])
    if form.is_valid():
        try:
            services.council_member_add(council=council, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm thành viên hội đồng."))
            return redirect("recognition:council", council.pk)
    return _council_page(request, council, member_form=form)


@scoped(MEMBERS, perm=Perm.MANAGE_EMULATION)
@require_POST
def council_member_edit(request: HttpRequest, member: AwardCouncilMember) -> HttpResponse:
    council = member.council
    if not services.manages(request.user, council):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    form = MemberEditForm(request.POST, accounts=services.eligible_accounts(council)[:300], prefix=f"m{member.pk}")
    if form.is_valid():
        try:
            services.council_member_update(member=member, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thành viên hội đồng."))
            return redirect("recognition:council", council.pk)
    return _council_page(request, council, edited=(member.pk, form))


@scoped(MEMBERS, perm=Perm.MANAGE_EMULATION)
@require_POST
def council_member_deactivate(request: HttpRequest, member: AwardCouncilMember) -> HttpResponse:
    attempt(
        request,
        lambda: services.council_member_deactivate(member=member, by=request.user),
        success=_("Thành viên đã thôi tham gia hội đồng."),
    )
    return redirect("recognition:council", member.council_id)


# --- sessions ------------------------------------------------------------------------------------------------


@scoped(COUNCILS, perm=Perm.MANAGE_EMULATION)
def session_create(request: HttpRequest, council: AwardCouncil) -> HttpResponse:
    """A new session: its date, place and the candidates (dossiers taken at this unit) to vote on."""
    if not services.manages(request.user, council):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    waiting = list(services.waiting_candidates(council)[:500])
    form = SessionCreateForm(
        request.POST or None,
        candidates=waiting,
        initial={"held_on": timezone.localdate(), "candidates": [c.pk for c in waiting]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(council=council, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lập phiên họp; kiểm tra danh sách có mặt rồi mở bỏ phiếu."))
            return redirect("recognition:session", session.pk)
    return render(
        request,
        "recognition/council/session_form.html",
        _base(council=council, form=form, waiting=waiting),
        status=form_status(form),
    )


def _session_page(
    request: HttpRequest, session: CouncilSession, *, form: Any = None, item_form: Any = None
) -> HttpResponse:
    user = request.user
    manage = services.manages(user, session.council)
    draft = session.status == CouncilSession.Status.DRAFT
    is_open = session.status == CouncilSession.Status.OPEN
    closed = session.status == CouncilSession.Status.CLOSED
    attendance = services.attendance_of(session)
    receipts = set(BallotReceipt.objects.filter(session=session).values_list("member_id", flat=True))
    seat = services.seat_for(session, user)
    present = {a.member_id for a in attendance if a.present}
    waiting = list(services.waiting_candidates(session.council)[:500]) if draft and manage else []
    context = _base(
        session=session,
        council=session.council,
        items=list(services.ballot_items(session)),
        attendance=attendance,
        present_now=len(present),
        voted=receipts,
        manage=manage,
        draft=draft,
        is_open=is_open,
        closed=closed,
        seen=state_token(session),
        seat=seat,
        may_vote=is_open and seat is not None and seat.pk in present and seat.pk not in receipts,
        may_write=is_open and services.may_record_written(user, session),
        form=form
        or (
            SessionForm(initial={"title": session.title, "held_on": session.held_on, "place": session.place})
            if draft and manage
            else None
        ),
        item_form=item_form or (ItemAddForm(candidates=waiting) if waiting else None),
        results=services.session_results(session) if closed else None,
        events=SessionEvent.objects.filter(session=session).select_related("by").order_by("at", "pk"),
    )
    if is_open:
        context["progress"] = (len(receipts), session.council_size)
    forms_ = [f for f in (form, item_form) if f is not None]
    return render(request, "recognition/council/session_detail.html", context, status=form_status(*forms_))


@scoped(SESSIONS)
def session_detail(request: HttpRequest, session: CouncilSession) -> HttpResponse:
    return _session_page(request, session)


@scoped(SESSIONS, perm=Perm.MANAGE_EMULATION)
@require_POST
def session_edit(request: HttpRequest, session: CouncilSession) -> HttpResponse:
    if not services.manages(request.user, session.council):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            services.session_update(session=session, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu phiên họp."))
            return redirect("recognition:session", session.pk)
    return _session_page(request, session, form=form)


@scoped(SESSIONS, perm=Perm.MANAGE_EMULATION)
@require_POST
def session_attendance(request: HttpRequest, session: CouncilSession) -> HttpResponse:
    attempt(
        request,
        lambda: services.attendance_set(session=session, present=request.POST.getlist("present"), by=request.user),
        success=_("Đã lưu danh sách có mặt."),
    )
    return redirect("recognition:session", session.pk)


@scoped(SESSIONS, perm=Perm.MANAGE_EMULATION)
@require_POST
def session_items_add(request: HttpRequest, session: CouncilSession) -> HttpResponse:
    attempt(
        request,
        lambda: services.session_item_add(
            session=session, candidates=request.POST.getlist("candidates"), by=request.user
        ),
        success=_("Đã thêm vào chương trình phiên họp."),
    )
    return redirect("recognition:session", session.pk)


@scoped(SESSIONS, perm=Perm.MANAGE_EMULATION)
@require_POST
def session_item_remove(request: HttpRequest, session: CouncilSession) -> HttpResponse:
    attempt(
        request,
        lambda: services.session_item_remove(session=session, item=request.POST.get("item"), by=request.user),
        success=_("Đã bỏ khỏi chương trình phiên họp."),
    )
    return redirect("recognition:session", session.pk)


@scoped(SESSIONS, perm=Perm.MANAGE_EMULATION)
@require_POST
def session_open(request: HttpRequest, session: CouncilSession) -> HttpResponse:
    attempt(
        request,
        lambda: services.session_open(session=session, by=request.user, seen=seen_state(request)),
        success=_("Đã mở bỏ phiếu kín; thành viên có mặt đã được mời bỏ phiếu."),
    )
    return redirect("recognition:session", session.pk)


@scoped(SESSIONS, perm=Perm.MANAGE_EMULATION)
@require_POST
def session_close(request: HttpRequest, session: CouncilSession) -> HttpResponse:
    attempt(
        request,
        lambda: services.session_close(session=session, by=request.user, seen=seen_state(request)),
        success=_("Đã kết thúc bỏ phiếu và kiểm phiếu."),
    )
    return redirect("recognition:session", session.pk)


@scoped(SESSIONS)
def session_minutes(request: HttpRequest, session: CouncilSession) -> HttpResponse:
    """The minutes (BIÊN BẢN, Decree 30 form) with the tally: only once the ballot has closed."""
    if session.status != CouncilSession.Status.CLOSED:
        raise Http404(_("Biên bản chỉ có sau khi kết thúc bỏ phiếu."))
    return minutes_docx_response(session)


# --- ballots ----------------------------------------------------------------------------------------------


@scoped
def my_ballots(request: HttpRequest) -> HttpResponse:
    """Open sessions where the user holds a seat, is present and has not voted yet."""
    return render(request, "recognition/council/my_ballots.html", _base(ballots=services.my_open_ballots(request.user)))


@scoped(SESSIONS)
def ballot(request: HttpRequest, session: CouncilSession) -> HttpResponse:
    """The member's secret ballot: approve or reject each candidate, confirm, done. Reached through
    the seat: anyone without one gets 404, like an outsider."""
    seat = services.seat_for(session, request.user)
    if seat is None:
        raise Http404(_("Không tìm thấy hoặc bạn không có quyền xem."))
    voted = BallotReceipt.objects.filter(session=session, member=seat).exists()
    attendance = next((a for a in services.attendance_of(session) if a.member_id == seat.pk), None)
    items = list(services.ballot_items(session))
    form = BallotForm(request.POST or None, items=items)
    confirm = False
    if request.method == "POST" and form.is_valid():
        # A ballot that cannot be taken goes straight to the service, which says why.
        if request.POST.get("confirm") == "1" or voted or session.status != CouncilSession.Status.OPEN:
            try:
                services.ballot_cast(session=session, user=request.user, choices=form.choices, by=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Bạn đã bỏ phiếu. Phiếu không ghi tên và không ai xem được bạn chọn gì."))
                return redirect("recognition:ballot", session.pk)
        else:
            confirm = True
    return render(
        request,
        "recognition/council/ballot.html",
        _base(
            session=session,
            seat=seat,
            voted=voted,
            absent=attendance is not None and not attendance.present,
            form=form,
            confirm=confirm,
            summary=[(item, form.choices.get(item.pk)) for item in items] if confirm else [],
        ),
        status=form_status(form),
    )


@scoped(SESSIONS)
def written_ballot(request: HttpRequest, session: CouncilSession, member_id: int) -> HttpResponse:
    """The secretary (or the council desk) enters the written ballot of an absent member."""
    if not services.may_record_written(request.user, session):
        raise PermissionDenied(_("Chỉ thư ký hội đồng hoặc cán bộ thi đua của đơn vị nhập phiếu bằng văn bản."))
    member = session.council.members.filter(pk=member_id).first()
    if member is None:
        raise Http404(_("Không tìm thấy hoặc bạn không có quyền xem."))
    items = list(services.ballot_items(session))
    form = BallotForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            services.written_ballot_record(session=session, member=member, choices=form.choices, by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã nhập phiếu bằng văn bản của %(name)s.") % {"name": member.full_name})
            return redirect("recognition:session", session.pk)
    return render(
        request,
        "recognition/council/written_ballot.html",
        _base(
            session=session,
            member=member,
            form=form,
            recorded=BallotReceipt.objects.filter(session=session, member=member).exists(),
        ),
        status=form_status(form),
    )
