"""Reports across plans for HR and admins (issue 17): the consistency report's rows from
the database (:mod:`.rows`), its one service, which checks access and logs each view
(:mod:`.service`), its CSV (:mod:`.export`) and its API (:mod:`.api`). The rules are
:mod:`signing.domain.consistency`'s; the console's page is
:mod:`signing.web.console.consistency`."""
