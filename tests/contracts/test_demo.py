"""The demo seeder gives every village contracts: some on parcels/assets, some in arrears, some
expiring, some failing the review; and the database still verifies."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from db.migrate import open_database
from desktop_app.core.demo import DemoContext
from desktop_app.core.demo.contracts import TODAY, seed_contracts
from desktop_app.core.demo.orgs import seed_organisations
from desktop_app.core.demo.users import seed_users
from desktop_app.core.services.contract_review import contract_findings
from desktop_app.core.services.contract_warnings import list_expiring, warning_counts
from desktop_app.core.services.contracts import list_contracts
from desktop_app.core.services.integrity import verify_database


def test_demo_contracts(tmp_path: Path) -> None:
    db = open_database(tmp_path / "demo.db")
    with db.begin("demo") as s:
        ctx = DemoContext(rng=random.Random(5), villages=4, years=1)
        seed_users(s, ctx)  # the seeders write as the demo's users
        seed_organisations(s, ctx)
        seed_contracts(s, ctx)
    with db.begin() as s:
        contracts = list_contracts(s, None)
        counts = warning_counts(s, [o.id for o in ctx.orgs], TODAY)
        rules = Counter(f.rule_code for f in contract_findings(s, None, as_of=TODAY))
        expiring = list_expiring(s, None, TODAY)
    assert len(contracts) == 48 and {c.organisation_id for c in contracts} == {o.id for o in ctx.orgs}
    assert sum(c.overdue_installments for c in counts) > 0
    assert expiring and {"not_filed", "no_democratic_procedure", "arrears"} <= set(rules)
    with db.engine.connect() as conn:
        assert all(r.ok for r in verify_database(conn))
    db.close()
