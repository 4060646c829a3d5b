from django.shortcuts import render

from partners.access import cpor_member_required
from partners.selectors import mpn_overview


@cpor_member_required
def incentives(request):
    mpn_ids, programs = mpn_overview(request.membership)
    rows = [(mpn, [(program, _enrolment(mpn, program)) for program in programs]) for mpn in mpn_ids]
    return render(request, "partners/incentives.html", {"rows": rows, "programs": programs})


def _enrolment(mpn, program):
    return next((e for e in mpn.enrolments.all() if e.program_id == program.pk), None)
