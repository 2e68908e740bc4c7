"""`plansign serve`'s layout (signing/web/serving.py): processes, threads, and the
database connections and LibreOffice instances each worker keeps."""

from __future__ import annotations

import pytest

from config import load_settings
from signing.services import Services
from signing.web.serving import serving_plan


def test_one_worker_per_cpu_unless_set():
    assert serving_plan(cpus=2, workers=0, threads=4, converters=2).workers == 2
    assert serving_plan(cpus=8, workers=0, threads=4, converters=8).workers == 8
    assert serving_plan(cpus=8, workers=3, threads=4, converters=8).workers == 3
    assert serving_plan(cpus=0, workers=0, threads=4, converters=2).workers == 1


@pytest.mark.parametrize("threads", [1, 4, 8, 16])
def test_each_worker_keeps_connections_for_its_threads(threads):
    """Two per thread kept (a request holds one, at most two at once), never fewer than
    the threads, so no request's connection is opened and closed again."""
    plan = serving_plan(cpus=2, workers=0, threads=threads, converters=2)
    assert plan.threads == threads
    assert plan.database_pool == 2 * threads
    assert plan.database_overflow == threads
    assert plan.database_connections == 2 * 3 * threads


def test_libreoffice_instances_are_shared_out_between_workers():
    assert serving_plan(cpus=2, workers=0, threads=4, converters=2).converters == 1
    assert serving_plan(cpus=4, workers=0, threads=4, converters=6).converters == 2
    assert serving_plan(cpus=4, workers=8, threads=4, converters=2).converters == 1


def test_threads_below_one_are_refused():
    with pytest.raises(ValueError, match="serve_threads"):
        serving_plan(cpus=2, workers=0, threads=0, converters=2)


def test_a_worker_services_pool_is_sized_as_planned(tmp_path, database_url, clean_env):
    plan = serving_plan(cpus=2, workers=0, threads=6, converters=2)
    services = Services(load_settings({"PLANSIGN_INSTANCE_PATH": str(tmp_path),
                                       "PLANSIGN_DATABASE_URL": database_url}),
                        database_pool=(plan.database_pool, plan.database_overflow))
    try:
        pool = services.engine.pool
        assert pool.size() == 12
        assert pool._max_overflow == 6  # no public accessor
    finally:
        services.close()
