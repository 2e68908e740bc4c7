"""Records staff's reads of the archive: the service (authorised and logged), the
records API under ``/api/v1/archive`` and ``plansign archive``."""
