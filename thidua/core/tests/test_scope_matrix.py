"""Scope matrix: every resource × actor × action, against every tree relation.

Add a ``Resource`` row (``matrix_rows`` for entities, ``matrix_workflows`` for the actions
on them) for each new scoped route: ``test_url_inventory`` fails on a route with an id
that no row visits.
"""

from __future__ import annotations

import pytest

from thidua.core.tests.matrix_api import API_ROWS
from thidua.core.tests.matrix_council import COUNCIL_ROWS
from thidua.core.tests.matrix_decisions import DECISION_ROWS
from thidua.core.tests.matrix_initiatives import INITIATIVES_ROWS
from thidua.core.tests.matrix_inspections import INSPECTIONS_ROWS
from thidua.core.tests.matrix_monitoring import MONITORING
from thidua.core.tests.matrix_nominations import NOMINATION_ROWS
from thidua.core.tests.matrix_recognition import RECOGNITION_ROWS
from thidua.core.tests.matrix_recognition_api import RECOGNITION_API_ROWS
from thidua.core.tests.matrix_rows import (
    ARTICLES,
    ASSIGNMENTS,
    MEMBERS,
    PLANS,
    REGISTRATIONS,
    UNIT_DISSOLVE,
    UNIT_MERGE,
    UNIT_MOVE,
    UNITS,
)
from thidua.core.tests.matrix_workflows import WORKFLOWS
from thidua.scope_matrix import ACTIONS, ACTORS, check

RESOURCES = [
    UNITS,
    MEMBERS,
    ASSIGNMENTS,
    UNIT_MOVE,
    UNIT_MERGE,
    UNIT_DISSOLVE,
    PLANS,
    REGISTRATIONS,
    ARTICLES,
    *WORKFLOWS,
    *MONITORING,
    *INSPECTIONS_ROWS,
    *RECOGNITION_ROWS,
    *NOMINATION_ROWS,
    *COUNCIL_ROWS,
    *DECISION_ROWS,
    *RECOGNITION_API_ROWS,
    *INITIATIVES_ROWS,
    *API_ROWS,
]

CASES = [
    pytest.param(resource, actor, action, id=f"{resource.name}-{actor}-{action}")
    for resource in RESOURCES
    for actor in ACTORS
    for action in ACTIONS
    if resource.supports(action)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("resource", "actor", "action"), CASES)
def test_scope_matrix(world, resource, actor, action):
    failures = check(resource, world, actor, action)
    assert not failures, "\n".join(failures)
