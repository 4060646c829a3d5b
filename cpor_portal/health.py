"""/healthz: is this process able to serve, and is a worker alive?

django-q2 clusters write a heartbeat to the shared cache every few seconds with a short expiry,
so an empty list means no cluster has been seen recently (stopped, or stalled after a worker
died, which upstream django-q2 can do).
"""

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_q.status import Stat


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True}


def check_cache() -> dict:
    try:
        cache.set("healthz", "ok", 10)
        ok = cache.get("healthz") == "ok"
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": ok}


def check_worker() -> dict:
    try:
        clusters = Stat.get_all()
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": bool(clusters), "clusters": len(clusters)}


@never_cache
@require_GET
def healthz(request):
    checks = {"database": check_database(), "cache": check_cache(), "worker": check_worker()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": checks},
        status=200 if healthy else 503,
    )
