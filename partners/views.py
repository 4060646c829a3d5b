from django.shortcuts import render

from partners.access import cpor_member_required


@cpor_member_required
def dashboard(request):
    return render(
        request, "partners/dashboard.html", {"organisation": request.membership.organisation}
    )
