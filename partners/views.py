from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partners import services
from partners.access import cpor_member_required, require_write
from partners.errors import EnrolmentError
from partners.selectors import mpn_get_for_user, mpn_overview, program_get


@cpor_member_required
def incentives(request):
    rows, programs = mpn_overview(request.membership)
    return render(request, "partners/incentives.html", {"rows": rows, "programs": programs})


@cpor_member_required
@require_http_methods(["GET", "POST"])
def enrolment_change(request, mpn_id, solution_area, action):
    """Enrol or unenrol after a confirmation page; Billing admins may only look."""
    mpn = mpn_get_for_user(request.membership, mpn_id)
    program = program_get(solution_area)
    require_write(request.membership)
    enrol = action == "enrol"
    if request.method == "POST":
        change = services.enrolment_add if enrol else services.enrolment_remove
        try:
            change(actor=request.user, mpn=mpn, program=program)
        except EnrolmentError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                (
                    _("%(mpn)s is enrolled in %(program)s.")
                    if enrol
                    else _("%(mpn)s is no longer enrolled in %(program)s.")
                )
                % {"mpn": mpn.mpn_id, "program": program.name},
            )
        return redirect("incentives")
    return render(
        request, "partners/confirm_enrolment.html", {"mpn": mpn, "program": program, "enrol": enrol}
    )
