from django.conf import settings
from django.http import Http404
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from partners.access import membership_of
from partners.services import membership_set_language


@require_POST
def set_language(request):
    """Django's language switch (a cookie), also remembered on the partner's membership."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    membership = membership_of(request.user)
    if membership is not None and language in dict(settings.LANGUAGES):
        membership_set_language(membership=membership, language=language)
    return response


def not_found(request):
    raise Http404
