from api import services


def expire_idempotent_answers() -> int:
    """Hourly (the schedule of migration 0002)."""
    return services.idempotent_answers_expire()
